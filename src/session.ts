/**
 * One run of http-load-check, whichever adapter drives it: read the options, run the check, then
 * publish it (the standard line, details, warnings, files, outputs, summary, decision) through a
 * `Sink`. The action (src/main.ts) and the CLI (src/cli.ts) differ only in their sinks.
 *
 * Everything after the options is published once, on every path: pass, fail, target not ready,
 * cancelled, and a bug of ours. A file that cannot be written is a warning naming it; the decision
 * stands.
 */
import { readSavedBaseline } from './config/baseline-file.js';
import { withSavedMode } from './check/busy-poll.js';
import { COMPARISON_WARMUP_MS } from './check/comparison.js';
import { secretValues } from './config/secrets.js';
import { InputError, readSettings, type FileReader, type InputReader } from './config/settings.js';
import { checkWrittenFiles } from './config/written-files.js';
import { crashed } from './check/judge.js';
import { runCheck, type CheckHooks } from './check/run.js';
import type { Check, SavedBaseline } from './model/check.js';
import { emptyResult } from './model/result.js';
import type { Settings } from './model/settings.js';
import { benchmarkEntries, latencyEntries } from './present/benchmark.js';
import { jsonReport, jsonText, type JsonReport } from './present/json.js';
import { outputsOf } from './present/outputs.js';
import { commentMarkdown, commentMarker } from './present/comment.js';
import { summaryMarkdown } from './present/summary.js';
import {
  comparisonLines,
  detailLines,
  finalLine,
  readyLine,
  progressLogLine,
  startLine,
  type Progress,
} from './present/text.js';
import { warningsOf, type Warning } from './present/warnings.js';
import { runEnvironment } from './system/environment.js';
import { commentTarget, failureOf, type PostComment } from './system/pull-request.js';

/** Where a run's words and files go: the action's runner, a terminal, or a test. */
export interface Sink {
  /** Text as it is, no newline added: the pieces of the standard line. */
  write(text: string): void;
  /** One line of the log. */
  info(line: string): void;
  warn(text: string, title?: string): void;
  /** Worth a note, not a warning (the action's notice annotation). */
  notice(text: string): void;
  /** A value that must never be shown (a header value). */
  secret(value: string): void;
  /** Every output at once; a sink that cannot set them warns by itself. */
  setOutputs(outputs: Record<string, string>): void;
  /** The job summary (Markdown, within GitHub's limit); a sink without one ignores it. */
  summary(markdown: string): Promise<void>;
  /** Writes a file; returns its absolute path; throws when it cannot. */
  writeFile(path: string, text: string): string;
  /** The check failed: `message` says why. */
  fail(message: string): void;
}

/** The session passes these through to the check (src/check/absolute.ts). */
type PassedHooks = Pick<CheckHooks, 'signal' | 'stoppedBy'>;

/**
 * Loads of this length or longer (`duration` and the warm-up; both sides' in a comparison with a
 * service) log a progress line this often: a silent minute looks hung. Those lines come before
 * the standard line, whose two pieces are then written together at the end.
 */
export const PROGRESS_FROM_SEC = 10;
export const PROGRESS_EVERY_MS = 5000;

export interface SessionOptions extends PassedHooks {
  /** The raw text of each input ('' when not set). */
  read: InputReader;
  sink: Sink;
  /** Where the runner's variables come from. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Where `report-file` and the benchmark files go when they are not set; null: not written. */
  defaultFiles?: { report: string; benchmark: string; benchmarkLatency: string } | null;
  /** Reads the files inputs name; the CLI's also reads `-` (stdin). Default: regular files. */
  readFile?: FileReader;
  /**
   * Progress shown in place of the log's progress lines (a terminal overwrites the start line
   * with it): `show` is called every `everyMs` during the load.
   */
  progress?: { everyMs: number; show(progress: Progress): void };
  /** Posts the pull-request comment (the action's, src/system/github.ts); none: never posted. */
  postComment?: PostComment;
}

export type SessionEnd =
  /** An input is wrong: nothing was sent, nothing published. */
  | { status: 'bad-input'; message: string }
  | { status: 'done'; passed: boolean; check: Check; report: JsonReport };

export async function runSession(options: SessionOptions): Promise<SessionEnd> {
  const { sink } = options;
  const env = options.env ?? process.env;
  let settings: Settings;
  let saved: SavedBaseline | null;
  try {
    settings = readSettings(options.read, options.readFile);
    checkWrittenFiles(settings, env);
    saved = settings.baselineFile
      ? readSavedBaseline(settings.baselineFile, settings.durationSec)
      : null;
    // Resolved here so that the summary and the report say the mode the head runs in.
    settings = withSavedMode(settings, saved);
  } catch (error) {
    return {
      status: 'bad-input',
      message: error instanceof InputError ? error.message : String(error),
    };
  }
  for (const value of secretValues(settings)) sink.secret(value);

  let check: Check;
  const counter: CheckHooks['counter'] = { requests: 0, windowStartedAt: null };
  // A comparison with a service measures each side for `duration`, in turns, after both warm up.
  const paired = settings.baseline !== null;
  const loadSec = paired
    ? 2 * (settings.durationSec + Math.max(settings.warmupSec, COMPARISON_WARMUP_MS / 1000))
    : settings.durationSec + settings.warmupSec;
  const progress =
    options.progress ??
    (loadSec >= PROGRESS_FROM_SEC
      ? { everyMs: PROGRESS_EVERY_MS, show: (p: Progress) => sink.info(progressLogLine(p)) }
      : null);
  // Progress lines would land inside `http test running...`: it then waits for its count.
  const deferStart = progress !== null && options.progress === undefined;
  let stopProgress = () => {};
  // `http test running...` waits for its count on the same line; anything else printed meanwhile
  // (a crash) first ends that line, or the runner would not see a workflow command in it.
  let loadBegan = false;
  try {
    const hooks: CheckHooks = {
      signal: options.signal,
      stoppedBy: options.stoppedBy,
      onReady: (ready) => sink.info(readyLine(ready)),
      onLoadStart: () => {
        loadBegan = true;
        if (!deferStart) sink.write(startLine());
        // The head runs half the time of a comparison: its rate while it runs is twice its share.
        if (progress) stopProgress = showProgress(progress, counter, paired ? 2 : 1);
      },
      counter,
    };
    check = await runCheck(settings, hooks, saved);
  } catch (error) {
    // A bug of ours, not a fault of the target: still leave outputs and a summary behind.
    check = {
      kind: 'absolute',
      result: emptyResult(),
      decision: crashed(error),
      loadStarted: false,
      samples: { sampleSec: 0, rps: [] },
    };
  } finally {
    stopProgress();
  }
  if (check.loadStarted) {
    if (deferStart) sink.write(startLine());
    sink.write(finalLine(check.result.requests));
  } else if (loadBegan) {
    // A bug of ours ended the load: the start line says it began (written now when deferred).
    sink.write(deferStart ? `${startLine()}\n` : '\n');
  }
  return publish(settings, check, options, env);
}

/**
 * The pull-request comment, when `comment` asks for one: created or updated, or skipped with a
 * notice outside a pull request. `on-failure` after a pass only updates a comment that is there,
 * so that it no longer shows the failure. A refusal is a warning; the decision stands either way.
 * A cancelled check is not posted: it would replace the last real result.
 */
async function comment(
  settings: Settings,
  check: Check,
  warnings: Warning[],
  options: SessionOptions,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const { sink, postComment } = options;
  const { outcome, passed } = check.decision;
  if (settings.comment === 'off' || !postComment) return;
  const create = settings.comment === 'always' || !passed;
  if (outcome === 'cancelled') {
    sink.info('Pull request comment: not posted, the check was cancelled');
    return;
  }
  const target = commentTarget(env);
  if (target.kind === 'none') {
    if (create) sink.notice(`Pull request comment skipped: ${target.reason}.`);
    return;
  }
  const pr = `pull request #${target.number}`;
  try {
    const body = commentMarkdown(settings, check, warnings, target, target.runUrl);
    const posted = await postComment(target, settings.githubToken, commentMarker(target), body, {
      create,
      signal: options.signal,
    });
    if (posted.action !== 'none')
      sink.info(`Pull request comment ${posted.action} on ${pr}: ${posted.url}`);
  } catch (error) {
    sink.warn(`Could not comment on ${pr}: ${failureOf(error)}.`, 'Pull request comment');
  }
}

/**
 * Shows the count so far every `everyMs` from now; returns what stops it. The rate is over the
 * last interval, or over the counted part of it: the first counted window opens after the
 * busy-poll trial and the warm-up. The clock is the load's (`performance.now`), as
 * `windowStartedAt` is.
 */
function showProgress(
  { everyMs, show }: NonNullable<SessionOptions['progress']>,
  counter: NonNullable<CheckHooks['counter']>,
  timeShare: number,
): () => void {
  const start = performance.now();
  let last = { at: start, requests: 0 };
  const timer = setInterval(() => {
    const at = performance.now();
    const { requests, windowStartedAt } = counter;
    const from = windowStartedAt === null ? at : Math.max(last.at, windowStartedAt);
    const rps = (timeShare * (requests - last.requests) * 1000) / Math.max(1, at - from);
    last = { at, requests };
    show({ elapsedMs: at - start, requests, rps, warmingUp: windowStartedAt === null });
  }, everyMs);
  return () => clearInterval(timer);
}

/** Log lines, warnings, files, outputs, summary and the decision: once, each failure on its own. */
async function publish(
  settings: Settings,
  check: Check,
  options: SessionOptions,
  env: NodeJS.ProcessEnv,
): Promise<SessionEnd> {
  const { sink } = options;
  const warnings: Warning[] = warningsOf(settings, check);
  if (check.loadStarted) {
    for (const line of detailLines(check.result)) sink.info(line);
    if (check.kind !== 'absolute') for (const line of comparisonLines(check)) sink.info(line);
  }
  for (const warning of warnings) sink.warn(warning.text, warning.title);

  const report = jsonReport(settings, check, warnings, runEnvironment(env));
  const files = [
    {
      input: 'report-file',
      output: 'report',
      path: settings.reportFile || options.defaultFiles?.report,
      text: () => jsonText(report),
    },
    {
      input: 'benchmark-file',
      output: 'benchmark-file',
      path: settings.benchmarkFile || options.defaultFiles?.benchmark,
      text: () => jsonText(benchmarkEntries(settings, check)),
    },
    {
      input: 'benchmark-latency-file',
      output: 'benchmark-latency-file',
      path: settings.benchmarkLatencyFile || options.defaultFiles?.benchmarkLatency,
      text: () => jsonText(latencyEntries(settings, check)),
    },
  ];
  const written: Record<string, string> = {};
  for (const file of files) {
    if (!file.path) continue;
    try {
      written[file.output] = sink.writeFile(file.path, file.text());
    } catch (error) {
      sink.warn(`Could not write ${file.input} ${file.path}: ${(error as Error).message}`);
    }
  }
  sink.setOutputs(outputsOf(check, written));
  await sink.summary(summaryMarkdown(settings, check, warnings));
  await comment(settings, check, warnings, options, env);

  const { decision } = check;
  if (decision.passed) sink.info(decision.message);
  else sink.fail(decision.message);
  return { status: 'done', passed: decision.passed, check, report };
}
