/**
 * The action adapter: the only module that talks to `@actions/core`. It reads the inputs, runs the
 * load, prints the standard line, sets the outputs, writes the job summary and applies the gate.
 */
import * as core from '@actions/core';
import { runLoad } from './engine/load.js';
import { InputError, origin, readSettings, type Settings } from './inputs.js';
import { summaryMarkdown } from './report/summary.js';
import { detailLines, finalLine, formatMs, requestsPerSecond, startLine } from './report/text.js';
import { judge } from './verdict.js';

export async function run(): Promise<void> {
  let settings: Settings;
  try {
    settings = readSettings((name) => core.getInput(name));
  } catch (error) {
    core.setFailed(error instanceof InputError ? error.message : String(error));
    return;
  }

  try {
    process.stdout.write(startLine());
    const result = await runLoad({
      origin: origin(settings),
      path: settings.path,
      connections: settings.connections,
      pipelining: settings.pipelining,
      busyPoll: settings.busyPoll,
      durationMs: settings.durationSec * 1000,
      timeoutMs: settings.timeoutSec * 1000,
    });
    process.stdout.write(finalLine(result.requests));
    for (const line of detailLines(result)) core.info(line);

    const verdict = judge({
      requests: result.requests,
      minRequests: settings.minRequests,
      durationSec: settings.durationSec,
    });
    core.setOutput('requests', result.requests);
    core.setOutput('rps', requestsPerSecond(result).toFixed(1));
    core.setOutput('errors', result.errors);
    core.setOutput('timeouts', result.timeouts);
    core.setOutput('duration', (result.windowMs / 1000).toFixed(3));
    core.setOutput('latency-p50-ms', formatMs(result.latency.p50Us));
    core.setOutput('latency-p90-ms', formatMs(result.latency.p90Us));
    core.setOutput('latency-p99-ms', formatMs(result.latency.p99Us));
    core.setOutput('latency-max-ms', formatMs(result.latency.maxUs));
    core.setOutput('passed', String(verdict.passed));

    if (process.env.GITHUB_STEP_SUMMARY) {
      await core.summary.addRaw(summaryMarkdown(settings, result, verdict)).write();
    }
    if (verdict.passed) {
      core.info(verdict.message);
    } else {
      core.setFailed(verdict.message);
    }
  } catch (error) {
    core.setFailed(`http-load-check failed unexpectedly: ${(error as Error).stack ?? error}`);
  }
}
