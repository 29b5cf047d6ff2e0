/**
 * The action adapter: the only module that talks to `@actions/core`. Its sink sends the run's words
 * to the runner (log, annotations, masked secrets, outputs, job summary, the failed step); the run
 * itself is the session's (src/session.ts).
 */
import * as core from '@actions/core';
import { runSession, type Sink } from './session.js';
import { checkRunnerFile, defaultPath, writeTextFile } from './system/files.js';
import type { PostComment } from './system/pull-request.js';
import { stopOnSignals } from './system/signals.js';

export async function run(): Promise<void> {
  // A cancelled job gets SIGINT, then SIGTERM: stop, and still report what was measured.
  const stop = stopOnSignals();
  try {
    const end = await runSession({
      read: (name) => core.getInput(name),
      sink: actionSink(),
      defaultFiles: {
        report: defaultPath('http-load-check.json'),
        benchmark: defaultPath('http-load-check-benchmark.json'),
        benchmarkLatency: defaultPath('http-load-check-latency.json'),
      },
      signal: stop.signal,
      stoppedBy: stop.stoppedBy,
      postComment: postCommentLazily,
    });
    if (end.status === 'bad-input') core.setFailed(end.message);
  } finally {
    stop.dispose();
  }
}

/**
 * Loads `@actions/github` (octokit and its own undici) only when a comment is posted: it costs
 * every other run its load time.
 */
const postCommentLazily: PostComment = async (...args) =>
  (await import('./system/github.js')).postComment(...args);

function actionSink(): Sink {
  return {
    write: (text) => process.stdout.write(text),
    info: (line) => core.info(line),
    warn: (text, title) => core.warning(text, title ? { title } : undefined),
    notice: (text) => core.notice(text),
    secret: (value) => core.setSecret(value),
    setOutputs(outputs) {
      // Every output in one go: when GITHUB_OUTPUT cannot be written, one warning says so.
      const path = process.env.GITHUB_OUTPUT;
      try {
        if (path) checkRunnerFile(path);
        for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
      } catch (error) {
        core.warning(
          `Could not write the step outputs to GITHUB_OUTPUT ${path ?? ''}: ${(error as Error).message}`,
        );
      }
    },
    async summary(markdown) {
      // Outside Actions there is no GITHUB_STEP_SUMMARY: no summary.
      const path = process.env.GITHUB_STEP_SUMMARY;
      if (!path) return;
      try {
        checkRunnerFile(path);
        await core.summary.addRaw(markdown).write();
      } catch (error) {
        core.warning(
          `Could not write the job summary to GITHUB_STEP_SUMMARY ${path}: ${(error as Error).message}`,
        );
      }
    },
    writeFile: writeTextFile,
    fail: (message) => core.setFailed(message),
  };
}
