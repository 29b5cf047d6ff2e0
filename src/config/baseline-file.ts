/**
 * Reads `baseline-file`: a JSON report saved by an earlier run, checked before any connection is
 * made. Every problem is an `InputError` naming the input.
 */
import { SCHEMA_VERSION, type SavedBaseline } from '../model/check.js';
import { emptyResult, type LoadResult } from '../model/result.js';
import { formatSeconds, requestsOf } from '../model/settings.js';
import { readBoundedFile } from '../system/files.js';
import { InputError, LIMITS } from './settings.js';

/**
 * Report versions whose samples, result and settings read the same: version 2 renamed fields that
 * a saved baseline does not use, version 3 added gates, p95 and the schedule (docs/report-schema.md).
 */
const READABLE_VERSIONS = [1, 2, SCHEMA_VERSION];

/** The fields of a saved report that are read, as they may be: anything. */
interface SavedReport {
  schemaVersion?: unknown;
  createdAt?: unknown;
  target?: unknown;
  environment?: SavedBaseline['environment'];
  settings?: Record<string, unknown>;
  samples?: { sampleSec?: unknown; rps?: unknown };
  result?: Record<string, unknown>;
}

/**
 * Reads and checks `baseline-file` for a run of `durationSec`; throws an `InputError` naming it
 * when it is unusable. Only a regular file is read, and at most `MAX_BASELINE_FILE_BYTES` of it:
 * a FIFO would block the run and a device such as /dev/zero would never end.
 */
export function readSavedBaseline(path: string, durationSec: number): SavedBaseline {
  const fail = (why: string) =>
    new InputError(
      'baseline-file',
      `Invalid baseline-file '${path}': ${why}; expected the path of a report written by an ` +
        `earlier run (its report-file)`,
    );
  let bytes: Buffer;
  try {
    bytes = readBoundedFile(path, MAX_BASELINE_FILE_BYTES);
  } catch (error) {
    throw fail((error as Error).message);
  }
  return parseSavedBaseline(bytes.toString('utf8'), path, durationSec);
}

/** `baseline-file` is read only up to this size (docs/engine.md: a saved report is far smaller). */
const MAX_BASELINE_FILE_BYTES = 8 * 1024 * 1024;

/**
 * Most samples a saved baseline may hold, and most of its sample windows the new run may be cut
 * into: the two-sample interval sorts every head/baseline difference, n x m of them (the memory
 * this takes is in docs/engine.md).
 */
const MAX_BASELINE_SAMPLES = 2000;

/** The highest rate a saved sample may claim, in req/s. */
const MAX_SAMPLE_RPS = 1e9;

/**
 * Checks the text of a saved report for use as `baseline-file` by a run of `durationSec`. Throws an
 * `InputError` naming the input and saying what is wrong.
 */
export function parseSavedBaseline(text: string, path: string, durationSec: number): SavedBaseline {
  const fail = (why: string) =>
    new InputError(
      'baseline-file',
      `Invalid baseline-file '${path}': ${why}; expected a report written by http-load-check ` +
        `(its report-file, schemaVersion ${SCHEMA_VERSION})`,
    );
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw fail('not JSON');
  }
  const report = data as SavedReport | null;
  if (typeof report !== 'object' || report === null) throw fail('not a JSON object');
  if (!READABLE_VERSIONS.includes(report.schemaVersion as number)) {
    throw fail(`schemaVersion is ${JSON.stringify(report.schemaVersion)}`.slice(0, 80));
  }
  const samples = report.samples;
  if (!samples || typeof samples.sampleSec !== 'number' || !Array.isArray(samples.rps)) {
    throw fail('it has no samples');
  }
  const sampleSec = samples.sampleSec;
  const rps = samples.rps as number[];
  if (!(sampleSec > 0 && sampleSec <= LIMITS.maxDurationSec)) {
    throw fail(
      `samples.sampleSec is ${sampleSec}, not a number of seconds greater than 0 and at most ${LIMITS.maxDurationSec}`,
    );
  }
  if (rps.length > MAX_BASELINE_SAMPLES) {
    throw fail(`it holds ${rps.length} samples, more than ${MAX_BASELINE_SAMPLES}`);
  }
  if (rps.length < 2 || !rps.every((r) => typeof r === 'number' && r > 0 && r < Infinity)) {
    throw fail(
      `it holds ${rps.length} sample(s), not all above 0; a baseline needs at least 2 ` +
        `samples with requests (a run that was cancelled, not ready or failed every request cannot serve)`,
    );
  }
  // The head is cut into windows as long as the saved samples (src/check/comparison.ts).
  const fit = Math.floor(durationSec / sampleSec + 1e-9);
  const seconds = formatSeconds(sampleSec);
  if (fit < 2) {
    throw fail(
      `its samples are ${seconds} s long, so ${fit} fit(s) in the ${formatSeconds(durationSec)} s ` +
        `of this run and at least 2 are needed: set duration to at least ${formatSeconds(2 * sampleSec)}`,
    );
  }
  if (fit > MAX_BASELINE_SAMPLES) {
    throw fail(
      `its samples are ${seconds} s long, so ${fit} would fit in the ${formatSeconds(durationSec)} s ` +
        `of this run, more than ${MAX_BASELINE_SAMPLES}: set duration to at most ` +
        `${formatSeconds(MAX_BASELINE_SAMPLES * sampleSec)}`,
    );
  }
  // A sample is a whole count of requests over sampleSec: at least 1, and no generator does 1e9/s.
  const odd = rps.findIndex((r) => r * sampleSec < 0.999 || r > MAX_SAMPLE_RPS);
  if (odd >= 0) {
    throw fail(
      `sample ${odd + 1} is ${rps[odd]} req/s, not a rate of at least 1 request per ` +
        `${formatSeconds(sampleSec)} s sample and at most ${MAX_SAMPLE_RPS} req/s`,
    );
  }
  const result = report.result;
  const settings = report.settings;
  if (!result || typeof result.requests !== 'number' || !settings) {
    throw fail('it has no result or settings');
  }
  // Samples at a fixed rate are the rate asked for, not what the service could do: a closed-loop
  // head would always read faster, and a regression could never show.
  if (typeof settings.rate === 'number') {
    throw new InputError(
      'baseline-file',
      `Invalid baseline-file '${path}': it was measured at a fixed rate (rate ${settings.rate}), ` +
        'which sets its throughput; save the baseline from a run without rate',
    );
  }
  return {
    path,
    // An ISO time as the action writes it; anything else is left out of the summary.
    createdAt: /^[0-9T:.+Z-]{10,40}$/.test(String(report.createdAt))
      ? String(report.createdAt)
      : '',
    target: String(report.target ?? ''),
    environment: report.environment ?? {},
    settings: {
      connections: Number(settings.connections),
      pipelining: Number(settings.pipelining),
      path: String(settings.path),
      durationSec: Number(settings.durationSec),
      // Reports written before HTTPS and routes existed were plain-HTTP GETs of one path.
      scheme: String(settings.scheme ?? 'http'),
      http2: settings.http2 === true,
      requests: Array.isArray(settings.routes)
        ? requestsOf(
            settings.routes.map((r: { name?: unknown; weight?: unknown }) => ({
              name: String(r?.name),
              weight: Number(r?.weight) || 1,
            })),
          )
        : null,
    },
    samples: { sampleSec, rps },
    result: savedResult(result),
  };
}

/**
 * The saved run's result, rebuilt from plain numbers only: the summary and the log print its
 * counts, so a field holding anything else (text in a count would become table cells or links)
 * reads as 0, and only status codes and error codes are kept as keys.
 */
function savedResult(raw: Record<string, unknown>): LoadResult {
  const number = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : 0);
  const object = (x: unknown) =>
    typeof x === 'object' && x !== null ? (x as Record<string, unknown>) : {};
  const counts = (x: unknown, key: RegExp) =>
    Object.fromEntries(
      Object.entries(object(x)).flatMap(([k, v]) => (key.test(k) ? [[k, number(v)]] : [])),
    );
  const result = emptyResult(raw.aborted === true);
  for (const name of [
    'requests',
    'unexpectedStatus',
    'errors',
    'timeouts',
    'cancelled',
    'windowMs',
  ] as const) {
    result[name] = number(raw[name]);
  }
  result.protocol = raw.protocol === 'h2' || raw.protocol === 'http/1.1' ? raw.protocol : '';
  result.statusCounts = counts(raw.statusCounts, /^[1-5]\d\d$/);
  result.errorsByKind = counts(raw.errorsByKind, /^[A-Za-z0-9_]{1,64}$/);
  const warmup = object(raw.warmup);
  result.warmup = { responses: number(warmup.responses), failures: number(warmup.failures) };
  result.perSecond = (Array.isArray(raw.perSecond) ? raw.perSecond : [])
    .slice(0, 10_000)
    .map(number);
  const latency = object(raw.latency);
  for (const name of ['count', 'p50Us', 'p90Us', 'p95Us', 'p99Us', 'maxUs', 'meanUs'] as const) {
    result.latency[name] = number(latency[name]);
  }
  const generator = object(raw.generator);
  result.generator = {
    cpuPct: number(generator.cpuPct),
    utilization: number(generator.utilization),
    busyPoll: generator.busyPoll === true,
    cpuUsPerRequest: number(generator.cpuUsPerRequest),
    cores: number(generator.cores),
  };
  return result;
}
