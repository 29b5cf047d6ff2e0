/**
 * The action adapter: the only module that talks to `@actions/core`. It reads the inputs, runs the
 * check (src/check.ts), prints the standard line, sets the outputs, writes the job summary and
 * applies the gate. Outputs and summary are written on every path that got past the inputs: pass,
 * fail, target not ready, cancelled.
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
import { defaultPath, readSavedBaseline, writeJson } from './files.js';
import { InputError, readSettings, type Settings } from './inputs.js';
import { benchmarkEntries, jsonReport, warnings, type SavedBaseline } from './report/json.js';
import { comparisonMarkdown, summaryMarkdown } from './report/summary.js';
import { detailLines, finalLine, formatMs, requestsPerSecond, startLine } from './report/text.js';
import { stopOnSignals } from './signals.js';
import { noise } from './stats/noise.js';

export async function run(): Promise<void> {
  let settings: Settings;
  let saved: SavedBaseline | null;
  try {
    settings = readSettings((name) => core.getInput(name));
    saved = settings.baselineFile ? readSavedBaseline(settings.baselineFile) : null;
  } catch (error) {
    core.setFailed(error instanceof InputError ? error.message : String(error));
    return;
  }
  for (const [, value] of settings.headers) if (value !== '') core.setSecret(value);

  // A cancelled job gets SIGINT, then SIGTERM: stop, and still report what was measured.
  const stop = stopOnSignals();
  try {
    const hooks: CheckHooks = {
      signal: stop.signal,
      stoppedBy: stop.stoppedBy,
      onReady: (ready) =>
        core.info(
          `Target answered (status ${ready.status}) after ${(ready.waitedMs / 1000).toFixed(1)} s`,
        ),
      onLoadStart: () => process.stdout.write(startLine()),
    };
    const outcome = await runChecks(settings, hooks, saved);
    const comparison = isComparison(outcome) ? outcome : null;
    const { result, loadStarted } = outcome;
    if (loadStarted) {
      process.stdout.write(finalLine(result.requests));
      for (const line of detailLines(result)) core.info(line);
    }
    if (comparison) setComparisonOutputs(comparison);
    const { warning } = noise(result.requests, settings.minRequests, result.perSecond);
    if (loadStarted && !comparison && warning) {
      core.warning(warning, { title: 'min-requests is inside the noise' });
    }
    if (loadStarted) {
      for (const text of warnings(settings, result, comparison)) core.warning(text);
    }
    writeFiles(settings, outcome, comparison);
    const extra = comparison ? comparisonMarkdown(settings, comparison) : '';
    await report(settings, outcome, extra);
  } catch (error) {
    // A bug of ours, not a fault of the target: still leave outputs and a summary behind.
    const message = `http-load-check failed unexpectedly: ${(error as Error).stack ?? error}`;
    const verdict = { passed: false, outcome: 'failed' as const, message };
    await report(settings, { result: emptyResult(), verdict }).catch(() => core.setFailed(message));
  } finally {
    stop.dispose();
  }
}

/** The outputs of a head vs baseline comparison. */
function setComparisonOutputs(outcome: ComparisonOutcome): void {
  const { shift, comparison, baseline } = outcome;
  core.setOutput('baseline-requests', baseline.requests);
  core.setOutput('change-percent', shift ? shift.changePct.toFixed(2) : '');
  core.setOutput('change-low', shift ? shift.lowPct.toFixed(2) : '');
  core.setOutput('change-high', shift ? shift.highPct.toFixed(2) : '');
  core.setOutput('verdict', comparison ?? '');
  if (shift) {
    core.info(
      `head vs baseline: ${shift.changePct.toFixed(1)}% (interval ${shift.lowPct.toFixed(1)}% to ` +
        `${shift.highPct.toFixed(1)}%), verdict ${comparison}; baseline ${baseline.requests} requests`,
    );
  }
}

/**
 * The JSON report and the github-action-benchmark file, and their outputs. A file that cannot be
 * written is a warning, not a failure: the check itself ran.
 */
function writeFiles(
  settings: Settings,
  outcome: CheckOutcome,
  comparison: ComparisonOutcome | null,
): void {
  const files = [
    {
      output: 'report',
      path: settings.reportFile || defaultPath('http-load-check.json'),
      content: () => jsonReport(settings, outcome, comparison, runEnvironment()),
    },
    {
      output: 'benchmark-file',
      path: settings.benchmarkFile || defaultPath('http-load-check-benchmark.json'),
      content: () => benchmarkEntries(settings, outcome, comparison),
    },
  ];
  for (const file of files) {
    try {
      core.setOutput(file.output, writeJson(file.path, file.content()));
    } catch (error) {
      core.warning(`Could not write ${file.output} to ${file.path}: ${(error as Error).message}`);
    }
  }
}

/** Outputs, summary and the verdict: the same on every path. */
async function report(
  settings: Settings,
  { result, verdict }: Pick<CheckOutcome, 'result' | 'verdict'>,
  extraSummary = '',
): Promise<void> {
  core.setOutput('requests', result.requests);
  core.setOutput('rps', requestsPerSecond(result).toFixed(1));
  core.setOutput('unexpected-status', result.unexpectedStatus);
  core.setOutput('errors', result.errors);
  core.setOutput('timeouts', result.timeouts);
  core.setOutput('duration', (result.windowMs / 1000).toFixed(3));
  core.setOutput('latency-p50-ms', formatMs(result.latency.p50Us));
  core.setOutput('latency-p90-ms', formatMs(result.latency.p90Us));
  core.setOutput('latency-p99-ms', formatMs(result.latency.p99Us));
  core.setOutput('latency-max-ms', formatMs(result.latency.maxUs));
  core.setOutput('outcome', verdict.outcome);
  core.setOutput('passed', String(verdict.passed));

  if (process.env.GITHUB_STEP_SUMMARY) {
    await core.summary.addRaw(summaryMarkdown(settings, result, verdict) + extraSummary).write();
  }
  if (verdict.passed) {
    core.info(verdict.message);
  } else {
    core.setFailed(verdict.message);
  }
}
