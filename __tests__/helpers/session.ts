/**
 * Runs a session (src/session.ts) in the test process with a recording sink: the same inputs as the
 * action's, and a run record shaped like the bundle's (`helpers/bundle.ts`), so a behaviour is
 * tested in process and only the runner contract needs the bundle. The log text mimics the
 * runner's: `::warning::` (with `title=` when the warning has one) and `::error::` lines for the
 * warnings and the failure, unencoded. Files go to a temporary folder of the run's own (its default
 * report and benchmark paths too).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitCodeOf } from '../../src/present/outputs.js';
import { runSession, type SessionEnd, type Sink } from '../../src/session.js';
import { writeTextFile } from '../../src/system/files.js';
import { postComment } from '../../src/system/github.js';
import type { PostComment } from '../../src/system/pull-request.js';

export interface SessionRun {
  /**
   * The CLI's exit code for the same end: 0 passed, 1 failed, 2 bad input, 3 not ready, 130
   * cancelled (the action's is 1 for all but 0).
   */
  code: number;
  /** Everything the sink was given, as the action's log would read it. */
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
  /** The warnings' texts, in order. */
  warnings: string[];
  notices: string[];
  secrets: string[];
  failure: string | null;
  end: SessionEnd;
  /** The run's own folder, where the report files go by default. */
  dir: string;
  elapsedMs: number;
}

export interface SessionTestOptions {
  signal?: AbortSignal;
  stoppedBy?: () => string;
  /** The runner's variables the session sees (GITHUB_OUTPUT, ...). Default: none. */
  env?: NodeJS.ProcessEnv;
  /** Replaces the real file writer (e.g. to make it fail). */
  writeFile?: Sink['writeFile'];
  /** What posts the pull-request comment. Default: the action's (src/system/github.ts). */
  postComment?: PostComment;
}

export async function runInProcess(
  inputs: Record<string, string>,
  options: SessionTestOptions = {},
): Promise<SessionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'http-load-check-session-'));
  let stdout = '';
  let outputs: Record<string, string> = {};
  let summary = '';
  const warnings: string[] = [];
  const notices: string[] = [];
  const secrets: string[] = [];
  let failure: string | null = null;
  const sink: Sink = {
    write: (text) => void (stdout += text),
    info: (line) => void (stdout += `${line}\n`),
    warn: (text, title) => {
      warnings.push(text);
      stdout += `::warning${title ? ` title=${title}` : ''}::${text}\n`;
    },
    notice: (text) => {
      notices.push(text);
      stdout += `::notice::${text}\n`;
    },
    secret: (value) => void secrets.push(value),
    setOutputs: (all) => void (outputs = { ...all }),
    summary: async (markdown) => void (summary = markdown),
    writeFile: options.writeFile ?? writeTextFile,
    fail: (message) => {
      failure = message;
      stdout += `::error::${message}\n`;
    },
  };
  const started = performance.now();
  const end = await runSession({
    read: (name) => inputs[name] ?? '',
    sink,
    env: options.env ?? {},
    defaultFiles: {
      report: join(dir, 'http-load-check.json'),
      benchmark: join(dir, 'http-load-check-benchmark.json'),
      benchmarkLatency: join(dir, 'http-load-check-latency.json'),
    },
    signal: options.signal,
    stoppedBy: options.stoppedBy,
    postComment: options.postComment ?? postComment,
  });
  if (end.status === 'bad-input') {
    failure = end.message;
    stdout += `::error::${end.message}\n`;
  }
  const code = end.status === 'bad-input' ? 2 : exitCodeOf(end.check.decision);
  return {
    code,
    stdout,
    outputs,
    summary,
    warnings,
    notices,
    secrets,
    failure,
    end,
    dir,
    elapsedMs: performance.now() - started,
  };
}

/** The session's end, when it ran (not a bad input). */
export function doneOf(run: SessionRun): Extract<SessionEnd, { status: 'done' }> {
  if (run.end.status !== 'done') throw new Error(`bad input: ${run.end.message}`);
  return run.end;
}

/** The JSON file at `path`, parsed. */
export function readJson(path: string) {
  return JSON.parse(readFileSync(path, 'utf8'));
}
