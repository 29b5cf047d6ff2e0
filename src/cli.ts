#!/usr/bin/env node
/**
 * The terminal adapter: `http-load-check <port> [options]`. The only module that reads
 * `process.argv` and sets the exit code. It shares the inputs, the check and the reports with the
 * action: each option is the action input of the same name.
 */
import { parseArgs } from 'node:util';
import { isComparison, runChecks, type CheckHooks } from './check.js';
import { runEnvironment } from './environment.js';
import { checkWrittenFiles, readSavedBaseline, writeJson } from './files.js';
import { InputError, readSettings, type Settings } from './inputs.js';
import { benchmarkEntries, jsonReport, warnings, type SavedBaseline } from './report/json.js';
import {
  START_LINE,
  comparisonLines,
  detailLines,
  finalLine,
  formatRate,
  startLine,
} from './report/text.js';
import { stopOnSignals } from './signals.js';
import { noise } from './stats/noise.js';
import { VERSION } from './version.js';

const USAGE = `Usage: http-load-check <port> [options]

Sends GET requests to http://127.0.0.1:<port>/ for 5 s, one at a time, and prints
  http test running... ok, N requests made

Options (each is the action input of the same name; defaults in brackets):
  --duration <s>            seconds to send requests for [5; 10 per side in a
                            comparison at 1 connection]
  --min-requests <n>        exit 1 when fewer requests were answered [0]
  --host <host>             host name or IP address [127.0.0.1]
  --path <path>             request path [/]
  --connections <n>         keep-alive connections, 1-1000 [1]
  --pipelining <n>          requests in flight per connection, 1-100 [1]
  --busy-poll <mode>        auto, true or false [auto]
  --timeout <s>             per-request timeout [5]
  --wait-timeout <s>        wait for the target to answer first; 0 = don't [30]
  --warmup <s>              uncounted load before the window [0]
  --expected-status <list>  statuses that count, e.g. 200-299,304 [200-299]
  -H, --header <line>       extra header 'Name: value' (repeatable)
  --baseline-port <port>    compare with this service, alternating slices
  --baseline-host <host>    [the same as --host]
  --baseline-path <path>    [the same as --path]
  --baseline-file <file>    compare with a report saved by --report-file
  --rounds <n>              slices per side in a comparison [auto: duration / 0.5 s,
                            at most 1000]
  --max-regression <pct>    allowed slowdown vs the baseline [5]
  --confidence <c>          confidence of the interval of the change [0.95]
  --report-file <file>      write the JSON report there [not written]
  --benchmark-file <file>   write github-action-benchmark entries there [not written]
  --json                    print the JSON report instead of the text
  -h, --help                print this help
  -v, --version             print the version

Exit codes: 0 passed, 1 below --min-requests (or target not ready, or interrupted),
2 bad usage.`;

const STRING_OPTIONS = [
  'port',
  'duration',
  'min-requests',
  'host',
  'path',
  'connections',
  'pipelining',
  'busy-poll',
  'timeout',
  'wait-timeout',
  'warmup',
  'expected-status',
  'baseline-port',
  'baseline-host',
  'baseline-path',
  'baseline-file',
  'rounds',
  'max-regression',
  'confidence',
  'report-file',
  'benchmark-file',
] as const;

async function main(argv: string[]): Promise<number> {
  let settings: Settings;
  let saved: SavedBaseline | null;
  let json = false;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...Object.fromEntries(STRING_OPTIONS.map((name) => [name, { type: 'string' as const }])),
        header: { type: 'string', short: 'H', multiple: true },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (values.version) {
      process.stdout.write(`${VERSION}\n`);
      return 0;
    }
    if (positionals.length > 1)
      throw new UsageError(`Too many arguments: ${positionals.join(' ')}`);
    json = values.json === true;
    const raw: Record<string, string> = { 'min-requests': '0' };
    for (const name of STRING_OPTIONS) {
      const value = (values as Record<string, unknown>)[name];
      if (typeof value === 'string') raw[name] = value;
    }
    if (positionals[0] !== undefined) raw.port = positionals[0];
    raw.headers = ((values.header as string[] | undefined) ?? []).join('\n');
    settings = readSettings((name) => raw[name] ?? '');
    checkWrittenFiles(settings);
    saved = settings.baselineFile
      ? readSavedBaseline(settings.baselineFile, settings.durationSec)
      : null;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const known = error instanceof InputError || error instanceof UsageError || isParseError(error);
    process.stderr.write(`http-load-check: ${message}\n`);
    if (known) process.stderr.write(`Run 'http-load-check --help' for the options.\n`);
    return 2;
  }

  const stop = stopOnSignals();
  const tty = !json && process.stdout.isTTY === true;
  let last = { elapsedMs: 0, requests: 0 };
  // Set while the running line waits for its count; a crash ends that line before its message.
  let midLine = false;

  const hooks: CheckHooks = {
    signal: stop.signal,
    stoppedBy: stop.stoppedBy,
    onReady: (ready) => {
      if (!json) console.log(`target answered after ${(ready.waitedMs / 1000).toFixed(1)} s`);
    },
    onLoadStart: () => {
      if (json) return;
      process.stdout.write(startLine());
      midLine = true;
    },
    // On a terminal, the running line shows the time and the current rate; the final line
    // overwrites it as the original client's did.
    onProgress: tty
      ? (now) => {
          const rate =
            ((now.requests - last.requests) * 1000) / (now.elapsedMs - last.elapsedMs || 1);
          last = now;
          process.stdout.write(
            `\r\x1b[K${START_LINE} ${(now.elapsedMs / 1000).toFixed(1)} s, ${formatRate(rate)} req/s`,
          );
        }
      : undefined,
    progressIntervalMs: 500,
  };
  let outcome;
  try {
    outcome = await runChecks(settings, hooks, saved);
  } catch (error) {
    if (midLine) process.stdout.write('\n');
    throw error;
  } finally {
    stop.dispose();
  }
  const comparison = isComparison(outcome) ? outcome : null;
  const { result, verdict, loadStarted } = outcome;

  const report = jsonReport(settings, outcome, comparison, runEnvironment());
  const files: [string, () => unknown][] = [
    [settings.reportFile, () => report],
    [settings.benchmarkFile, () => benchmarkEntries(settings, outcome, comparison)],
  ];
  for (const [path, content] of files) {
    try {
      if (path) writeJson(path, content());
    } catch (error) {
      process.stderr.write(`warning: could not write ${path}: ${(error as Error).message}\n`);
    }
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    if (loadStarted) {
      if (tty) process.stdout.write(`\r\x1b[K${START_LINE}`);
      process.stdout.write(finalLine(result.requests));
      for (const line of detailLines(result)) console.log(line);
    }
    if (loadStarted && comparison)
      for (const line of comparisonLines(comparison)) console.log(line);
    (verdict.passed ? console.log : console.error)(verdict.message);
    const { warning } = noise(result.requests, settings.minRequests, result.perSecond);
    if (loadStarted && !comparison && warning) console.error(`warning: ${warning}`);
    if (loadStarted) {
      for (const text of warnings(settings, result, comparison)) console.error(`warning: ${text}`);
    }
  }
  return verdict.passed ? 0 : 1;
}

class UsageError extends Error {}

function isParseError(error: unknown): boolean {
  return (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(
      `http-load-check failed unexpectedly: ${(error as Error).stack ?? error}\n`,
    );
    process.exitCode = 1;
  },
);
