/**
 * The JSON report (`report-file`, `http-load-check --json`), reading one back as a saved baseline
 * (`baseline-file`), and the github-action-benchmark file (`benchmark-file`). Pure: values in,
 * values out; the adapters read and write the files.
 *
 * The schema is documented in docs/report-schema.md and checked by report.schema.json.
 * `schemaVersion` changes when a field is removed or changes meaning; new fields may be added
 * within a version.
 */
import type { ComparisonOutcome, CheckOutcome } from '../check.js';
import { emptyResult, type LoadResult } from '../engine/load.js';
import { InputError, LIMITS, targetUrl, type Settings } from '../inputs.js';
import { clientBound, coefficientOfVariation } from '../stats/noise.js';
import { formatSeconds, type Verdict } from '../verdict.js';
import { VERSION } from '../version.js';
import { requestsPerSecond } from './text.js';

export const SCHEMA_VERSION = 1;

/** Where and what the run ran on; the adapters fill it from the environment. */
export interface RunEnvironment {
  node: string;
  platform: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  /** GitHub Actions' variables when present (`RUNNER_OS`, `GITHUB_SHA`, ...), else null. */
  runnerOs: string | null;
  runnerName: string | null;
  repository: string | null;
  sha: string | null;
  ref: string | null;
  runId: string | null;
}

/** What `baseline-file` holds, once checked. */
export interface SavedBaseline {
  path: string;
  createdAt: string;
  target: string;
  environment: Partial<RunEnvironment>;
  settings: { connections: number; pipelining: number; path: string; durationSec: number };
  samples: { sampleSec: number; rps: number[] };
  result: LoadResult;
}

export function jsonReport(
  settings: Settings,
  outcome: Pick<CheckOutcome, 'result' | 'verdict' | 'samples'>,
  comparison: ComparisonOutcome | null,
  environment: RunEnvironment,
  createdAt = new Date(),
) {
  const { result, verdict, samples } = outcome;
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'http-load-check', version: VERSION },
    createdAt: createdAt.toISOString(),
    target: targetUrl(settings),
    environment,
    settings: {
      ...settings,
      headers: settings.headers.map(([name]) => [name, '***']),
    },
    verdict: verdict satisfies Verdict,
    result: { ...result, rps: requestsPerSecond(result) },
    samples: { ...samples, cv: coefficientOfVariation(samples.rps) },
    warnings: warnings(settings, result, comparison),
    comparison: comparison && {
      source: comparison.source,
      baselineFile: comparison.saved
        ? {
            path: comparison.saved.path,
            createdAt: comparison.saved.createdAt,
            target: comparison.saved.target,
            sha: comparison.saved.environment.sha ?? null,
            ref: comparison.saved.environment.ref ?? null,
          }
        : null,
      verdict: comparison.comparison,
      shift: comparison.shift,
      maxRegressionPct: settings.maxRegressionPct,
      baseline: { ...comparison.baseline, rps: requestsPerSecond(comparison.baseline) },
      slices: comparison.slices.map((s) => ({ ...s, outlier: s.outlier === true })),
      noise: comparison.noise,
    },
  };
}

export type JsonReport = ReturnType<typeof jsonReport>;

/** The warnings a run raises besides its verdict (also annotated by the action). */
export function warnings(
  settings: Settings,
  result: LoadResult,
  comparison: ComparisonOutcome | null,
): string[] {
  const bound = result.windowMs > 0 ? clientBound(result.generator) : null;
  const mismatch = comparison?.saved ? baselineMismatch(settings, comparison.saved) : null;
  return [bound, mismatch].filter((w): w is string => w !== null);
}

/** A warning when a saved baseline was measured with other settings than this run, else null. */
export function baselineMismatch(settings: Settings, saved: SavedBaseline): string | null {
  const differs = (['connections', 'pipelining', 'path'] as const).filter(
    (k) => saved.settings[k] !== settings[k],
  );
  if (differs.length === 0) return null;
  const list = (from: Pick<Settings, (typeof differs)[number]>) =>
    differs.map((k) => `${k} ${from[k]}`).join(', ');
  return (
    `The saved baseline (${saved.path}) was measured with ${list(saved.settings)}; this run ` +
    `uses ${list(settings)}: the comparison is not like for like.`
  );
}

/** `baseline-file` is read only up to this size (docs/engine.md: a saved report is far smaller). */
export const MAX_BASELINE_FILE_BYTES = 8 * 1024 * 1024;

/**
 * Most samples a saved baseline may hold, and most of its sample windows the new run may be cut
 * into: the two-sample interval sorts every head/baseline difference, n x m of them (the memory
 * this takes is in docs/engine.md).
 */
export const MAX_BASELINE_SAMPLES = 2000;

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
  const report = data as Partial<JsonReport> | null;
  if (typeof report !== 'object' || report === null) throw fail('not a JSON object');
  if (report.schemaVersion !== SCHEMA_VERSION) {
    throw fail(`schemaVersion is ${JSON.stringify(report.schemaVersion)}`.slice(0, 80));
  }
  const samples = report.samples;
  if (!samples || typeof samples.sampleSec !== 'number' || !Array.isArray(samples.rps)) {
    throw fail('it has no samples');
  }
  const { sampleSec, rps } = samples;
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
  // The head is cut into windows as long as the saved samples (src/check.ts).
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
    },
    samples: { sampleSec, rps },
    result: savedResult(result as unknown as Record<string, unknown>),
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
  result.statusCounts = counts(raw.statusCounts, /^[1-5]\d\d$/);
  result.errorsByKind = counts(raw.errorsByKind, /^[A-Za-z0-9_]{1,64}$/);
  const warmup = object(raw.warmup);
  result.warmup = { responses: number(warmup.responses), failures: number(warmup.failures) };
  result.perSecond = (Array.isArray(raw.perSecond) ? raw.perSecond : [])
    .slice(0, 10_000)
    .map(number);
  const latency = object(raw.latency);
  for (const name of ['count', 'p50Us', 'p90Us', 'p99Us', 'maxUs', 'meanUs'] as const) {
    result.latency[name] = number(latency[name]);
  }
  const generator = object(raw.generator);
  result.generator = {
    cpuPct: number(generator.cpuPct),
    utilization: number(generator.utilization),
    busyPoll: generator.busyPoll === true,
  };
  return result;
}

/** One entry of github-action-benchmark's `customBiggerIsBetter` format. */
export interface BenchmarkEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

/**
 * The run as github-action-benchmark `customBiggerIsBetter` entries (bigger is better for each):
 * requests in the window and req/s. Names are stable across runs of the same check, so the
 * history charts line up; `extra` carries what does not fit (latency, the verdict).
 */
export function benchmarkEntries(
  settings: Settings,
  outcome: Pick<CheckOutcome, 'result' | 'samples'>,
  comparison: ComparisonOutcome | null,
): BenchmarkEntry[] {
  const { result, samples } = outcome;
  const shape =
    `${settings.connections} connection${settings.connections === 1 ? '' : 's'}` +
    (settings.pipelining > 1 ? ` x ${settings.pipelining} pipelined` : '');
  const label = `GET ${settings.path} (${shape})`;
  const cv = coefficientOfVariation(samples.rps);
  const ms = (us: number) => (us / 1000).toFixed(3);
  const extra = [
    `latency p50 ${ms(result.latency.p50Us)} ms, p99 ${ms(result.latency.p99Us)} ms`,
    `errors ${result.errors}, timeouts ${result.timeouts}, unexpected status ${result.unexpectedStatus}`,
  ];
  if (comparison?.shift) {
    const { changePct, lowPct, highPct } = comparison.shift;
    extra.push(
      `vs baseline ${changePct.toFixed(1)}% [${lowPct.toFixed(1)}%, ${highPct.toFixed(1)}%]: ${comparison.comparison}`,
    );
  }
  return [
    {
      name: `${label} requests in ${settings.durationSec} s`,
      unit: 'requests',
      value: result.requests,
      extra: extra.join('\n'),
    },
    {
      name: `${label} throughput`,
      unit: 'req/s',
      value: Math.round(requestsPerSecond(result) * 10) / 10,
      ...(samples.rps.length > 1 ? { range: `± ${(100 * cv).toFixed(1)}%` } : {}),
      extra: extra.join('\n'),
    },
  ];
}
