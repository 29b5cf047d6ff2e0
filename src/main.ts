/**
 * The action adapter: the only module that talks to `@actions/core`. It reads the inputs, waits for
 * the target, runs the load, prints the standard line, sets the outputs, writes the job summary and
 * applies the gate. Outputs and summary are written on every path that got past the inputs: pass,
 * fail, target not ready, cancelled.
 */
import * as core from '@actions/core';
import { emptyResult, runLoad, type LoadResult } from './engine/load.js';
import { waitUntilReady } from './engine/ready.js';
import { InputError, origin, readSettings, targetUrl, type Settings } from './inputs.js';
import { summaryMarkdown } from './report/summary.js';
import { detailLines, finalLine, formatMs, requestsPerSecond, startLine } from './report/text.js';
import { cancelled, judge, notReady, type Verdict } from './verdict.js';

export async function run(): Promise<void> {
  let settings: Settings;
  try {
    settings = readSettings((name) => core.getInput(name));
  } catch (error) {
    core.setFailed(error instanceof InputError ? error.message : String(error));
    return;
  }
  for (const [, value] of settings.headers) if (value !== '') core.setSecret(value);

  // A cancelled job gets SIGINT, then SIGTERM: stop, and still report what was measured.
  const stop = new AbortController();
  let stoppedBy = '';
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy ||= signal;
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const base = {
      origin: origin(settings),
      path: settings.path,
      headers: settings.headers,
      signal: stop.signal,
    };
    if (settings.waitTimeoutSec > 0) {
      const ready = await waitUntilReady({
        ...base,
        waitMs: settings.waitTimeoutSec * 1000,
        probeTimeoutMs: settings.timeoutSec * 1000,
      });
      if (!ready.ready) {
        const verdict = stoppedBy
          ? cancelled({ ...gateInput(settings, 0), signal: stoppedBy, elapsedSec: 0 })
          : notReady({
              url: targetUrl(settings),
              waitTimeoutSec: settings.waitTimeoutSec,
              lastError: ready.lastError,
            });
        await report(settings, emptyResult(stop.signal.aborted), verdict);
        return;
      }
      if (ready.attempts > 1) {
        core.info(
          `Target answered (status ${ready.status}) after ${(ready.waitedMs / 1000).toFixed(1)} s`,
        );
      }
    }

    process.stdout.write(startLine());
    const result = await runLoad({
      ...base,
      connections: settings.connections,
      pipelining: settings.pipelining,
      busyPoll: settings.busyPoll,
      warmupMs: settings.warmupSec * 1000,
      durationMs: settings.durationSec * 1000,
      timeoutMs: settings.timeoutSec * 1000,
      expectedStatus: settings.expectedStatus,
    });
    process.stdout.write(finalLine(result.requests));
    for (const line of detailLines(result)) core.info(line);

    const verdict = result.aborted
      ? cancelled({
          ...gateInput(settings, result.requests),
          signal: stoppedBy || 'abort',
          elapsedSec: result.windowMs / 1000,
        })
      : judge(gateInput(settings, result.requests));
    await report(settings, result, verdict);
  } catch (error) {
    // A bug of ours, not a fault of the target: still leave outputs and a summary behind.
    const message = `http-load-check failed unexpectedly: ${(error as Error).stack ?? error}`;
    await report(settings, emptyResult(), { passed: false, outcome: 'failed', message }).catch(() =>
      core.setFailed(message),
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function gateInput(settings: Settings, requests: number) {
  return { requests, minRequests: settings.minRequests, durationSec: settings.durationSec };
}

/** Outputs, summary and the verdict: the same on every path. */
async function report(settings: Settings, result: LoadResult, verdict: Verdict): Promise<void> {
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
    await core.summary.addRaw(summaryMarkdown(settings, result, verdict)).write();
  }
  if (verdict.passed) {
    core.info(verdict.message);
  } else {
    core.setFailed(verdict.message);
  }
}
