/**
 * The action adapter: the only module that talks to `@actions/core`. It reads the inputs, runs the
 * check (src/check.ts), prints the standard line, sets the outputs, writes the job summary and
 * applies the gate. Outputs and summary are written once, on every path that got past the inputs:
 * pass, fail, target not ready, cancelled, and a bug of ours. A file that cannot be written is a
 * warning naming it; the verdict stands.
 */
import * as core from '@actions/core';
import {
  isComparison,
  runChecks,
  type CheckHooks,
  type CheckOutcome,
  type ComparisonOutcome,
} from './check.js';
import { emptyResult } from './engine/load.js';
import { runEnvironment } from './environment.js';
import {
  checkWrittenFiles,
  defaultPath,
  readSavedBaseline,
  unusableRunnerFile,
  writeJson,
} from './files.js';
import { InputError, readSettings, type Settings } from './inputs.js';
import { benchmarkEntries, jsonReport, warnings, type SavedBaseline } from './report/json.js';
import { comparisonMarkdown, fitSummary, summaryMarkdown } from './report/summary.js';
import {
  comparisonLines,
  detailLines,
  finalLine,
  formatMs,
  requestsPerSecond,
  startLine,
} from './report/text.js';
import { stopOnSignals } from './signals.js';
import { noise } from './stats/noise.js';

export async function run(): Promise<void> {
  let settings: Settings;
  let saved: SavedBaseline | null;
  try {
    settings = readSettings((name) => core.getInput(name));
    checkWrittenFiles(settings);
    saved = settings.baselineFile
      ? readSavedBaseline(settings.baselineFile, settings.durationSec)
      : null;
  } catch (error) {
    core.setFailed(error instanceof InputError ? error.message : String(error));
    return;
  }
  for (const [, value] of settings.headers) if (value !== '') core.setSecret(value);

  // `http test running...` waits for its count on the same line; anything else printed meanwhile
  // (a crash) first ends that line, or the runner would not see a workflow command in it.
  let midLine = false;
  const endLine = () => {
    if (midLine) process.stdout.write('\n');
    midLine = false;
  };
  // A cancelled job gets SIGINT, then SIGTERM: stop, and still report what was measured.
  const stop = stopOnSignals();
  let outcome: CheckOutcome;
  try {
    const hooks: CheckHooks = {
      signal: stop.signal,
      stoppedBy: stop.stoppedBy,
      onReady: (ready) =>
        core.info(
          `Target answered (status ${ready.status}) after ${(ready.waitedMs / 1000).toFixed(1)} s`,
        ),
      onLoadStart: () => {
        process.stdout.write(startLine());
        midLine = true;
      },
    };
    outcome = await runChecks(settings, hooks, saved);
  } catch (error) {
    // A bug of ours, not a fault of the target: still leave outputs and a summary behind.
    const message = `http-load-check failed unexpectedly: ${(error as Error).stack ?? error}`;
    const verdict = { passed: false, outcome: 'failed' as const, message };
    outcome = { result: emptyResult(), verdict, loadStarted: false, samples: emptySamples() };
  } finally {
    stop.dispose();
  }
  if (outcome.loadStarted) {
    process.stdout.write(finalLine(outcome.result.requests));
    midLine = false;
  }
  endLine();
  await publish(settings, outcome);
}

function emptySamples(): CheckOutcome['samples'] {
  return { sampleSec: 0, rps: [] };
}

/** Log lines, warnings, files, outputs, summary and the verdict: once, each failure on its own. */
async function publish(settings: Settings, outcome: CheckOutcome): Promise<void> {
  const comparison = isComparison(outcome) ? outcome : null;
  const { result, verdict, loadStarted } = outcome;
  if (loadStarted) {
    for (const line of detailLines(result)) core.info(line);
    if (comparison) for (const line of comparisonLines(comparison)) core.info(line);
    const { warning } = noise(result.requests, settings.minRequests, result.perSecond);
    if (!comparison && warning)
      core.warning(warning, { title: 'min-requests is inside the noise' });
    for (const text of warnings(settings, result, comparison)) core.warning(text);
  }
  const written = writeFiles(settings, outcome, comparison);
  setOutputs(outcome, comparison, written);
  await writeSummary(settings, outcome, comparison);
  if (verdict.passed) {
    core.info(verdict.message);
  } else {
    core.setFailed(verdict.message);
  }
}

/**
 * The JSON report and the github-action-benchmark file. Returns the outputs naming the files that
 * were written; a file that cannot be written is a warning naming it.
 */
function writeFiles(
  settings: Settings,
  outcome: CheckOutcome,
  comparison: ComparisonOutcome | null,
): Record<string, string> {
  const files = [
    {
      input: 'report-file',
      output: 'report',
      path: settings.reportFile || defaultPath('http-load-check.json'),
      content: () => jsonReport(settings, outcome, comparison, runEnvironment()),
    },
    {
      input: 'benchmark-file',
      output: 'benchmark-file',
      path: settings.benchmarkFile || defaultPath('http-load-check-benchmark.json'),
      content: () => benchmarkEntries(settings, outcome, comparison),
    },
  ];
  const written: Record<string, string> = {};
  for (const file of files) {
    try {
      written[file.output] = writeJson(file.path, file.content());
    } catch (error) {
      core.warning(`Could not write ${file.input} ${file.path}: ${(error as Error).message}`);
    }
  }
  return written;
}

/** Every output, in one go: when GITHUB_OUTPUT cannot be written, one warning says so. */
function setOutputs(
  { result, verdict }: CheckOutcome,
  comparison: ComparisonOutcome | null,
  written: Record<string, string>,
): void {
  const outputs: Record<string, string | number> = {
    requests: result.requests,
    rps: requestsPerSecond(result).toFixed(1),
    'unexpected-status': result.unexpectedStatus,
    errors: result.errors,
    timeouts: result.timeouts,
    duration: (result.windowMs / 1000).toFixed(3),
    'latency-p50-ms': formatMs(result.latency.p50Us),
    'latency-p90-ms': formatMs(result.latency.p90Us),
    'latency-p99-ms': formatMs(result.latency.p99Us),
    'latency-max-ms': formatMs(result.latency.maxUs),
    outcome: verdict.outcome,
    passed: String(verdict.passed),
    ...written,
  };
  if (comparison) {
    const { shift } = comparison;
    Object.assign(outputs, {
      'baseline-requests': comparison.baseline.requests,
      'change-percent': shift ? shift.changePct.toFixed(2) : '',
      'change-low': shift ? shift.lowPct.toFixed(2) : '',
      'change-high': shift ? shift.highPct.toFixed(2) : '',
      verdict: comparison.comparison ?? '',
    });
  }
  const path = process.env.GITHUB_OUTPUT;
  try {
    const unusable = path ? unusableRunnerFile(path) : null;
    if (unusable) throw new Error(unusable);
    for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
  } catch (error) {
    core.warning(
      `Could not write the step outputs to GITHUB_OUTPUT ${path ?? ''}: ${(error as Error).message}`,
    );
  }
}

/** The job summary, cut to GitHub's limit; skipped outside Actions (no GITHUB_STEP_SUMMARY). */
async function writeSummary(
  settings: Settings,
  outcome: CheckOutcome,
  comparison: ComparisonOutcome | null,
): Promise<void> {
  const path = process.env.GITHUB_STEP_SUMMARY;
  if (!path) return;
  try {
    const unusable = unusableRunnerFile(path);
    if (unusable) throw new Error(unusable);
    const extra = comparison ? comparisonMarkdown(settings, comparison) : '';
    const markdown = summaryMarkdown(settings, outcome.result, outcome.verdict) + extra;
    await core.summary.addRaw(fitSummary(markdown)).write();
  } catch (error) {
    core.warning(
      `Could not write the job summary to GITHUB_STEP_SUMMARY ${path}: ${(error as Error).message}`,
    );
  }
}
