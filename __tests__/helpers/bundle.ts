/**
 * Runs the built bundles as their users do, for the tests of the runner contract (__tests__/bundle/):
 * the action as the runner runs it, `node dist/index.js` with INPUT_* variables (hyphens kept) and
 * real GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files in a temporary folder; the CLI as `node
 * dist/cli/index.js <args>`. Behaviour is tested in process instead (helpers/session.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
export const ACTION_BUNDLE = join(ROOT, 'dist', 'index.js');
export const CLI_BUNDLE = join(ROOT, 'dist', 'cli', 'index.js');

export interface ActionRun {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
  /** The whole GITHUB_OUTPUT file as written. */
  outputText: string;
  summary: string;
  /** Wall time of the process, in ms. */
  elapsedMs: number;
  /** The run's own folder, also its RUNNER_TEMP (where the report files go by default). */
  dir: string;
}

export interface StartedAction {
  child: ChildProcess;
  done: Promise<ActionRun>;
}

export interface ActionOptions {
  /** Variables to set (or, when undefined, to unset) after the runner's own. */
  env?: Record<string, string | undefined>;
  /** Node options before the bundle, e.g. `--import` of a fault to inject. */
  nodeArgs?: string[];
}

/** Starts the bundle asynchronously: the test's own servers must keep serving meanwhile. */
export function startAction(
  inputs: Record<string, string>,
  options: ActionOptions = {},
): StartedAction {
  const dir = mkdtempSync(join(tmpdir(), 'http-load-check-action-'));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary.md');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(INPUT_|GITHUB_|NODE_TEST)/.test(key)) env[key] = value;
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  env.GITHUB_OUTPUT = outputFile;
  env.GITHUB_STEP_SUMMARY = summaryFile;
  env.RUNNER_TEMP = dir;
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }

  const started = performance.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ACTION_BUNDLE], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const done = new Promise<ActionRun>((resolve) =>
    child.on('close', (code) =>
      resolve({
        code,
        stdout,
        outputs: parseOutputs(readIfThere(outputFile)),
        outputText: readIfThere(outputFile),
        summary: readIfThere(summaryFile),
        elapsedMs: performance.now() - started,
        dir,
      }),
    ),
  );
  return { child, done };
}

export function runAction(
  inputs: Record<string, string>,
  options: ActionOptions = {},
): Promise<ActionRun> {
  return startAction(inputs, options).done;
}

function readIfThere(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Parses the `name<<delimiter ... delimiter` blocks that core.setOutput appends. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const block = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(block)) outputs[match[1]] = match[3];
  return outputs;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI bundle (the package's `bin`) with `args`, stdout and stderr as pipes; `input`, when
 * given, is its stdin.
 */
export function runCli(args: string[], input?: string): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI_BUNDLE, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(input ?? '');
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
