/**
 * The files a run reads and writes: a saved baseline (`baseline-file`), the JSON report
 * (`report-file`) and the github-action-benchmark file (`benchmark-file`). Shared by the action and
 * the CLI; the contents come from src/report/json.ts.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { InputError } from './inputs.js';
import { parseSavedBaseline, type SavedBaseline } from './report/json.js';

/** Reads and checks `baseline-file`; throws an `InputError` naming it when it is unusable. */
export function readSavedBaseline(path: string): SavedBaseline {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(
      'baseline-file',
      `Invalid baseline-file '${path}': cannot read it (${(error as NodeJS.ErrnoException).code ?? error}); ` +
        `expected the path of a report written by an earlier run (its report-file)`,
    );
  }
  return parseSavedBaseline(text, path);
}

/** The action's default location of a file: `$RUNNER_TEMP` (or the system's temp directory). */
export function defaultPath(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(env.RUNNER_TEMP || tmpdir(), name);
}

/** Writes `value` as JSON (creating the folder); returns the absolute path. */
export function writeJson(path: string, value: unknown): string {
  const absolute = resolve(path);
  mkdirSync(dirname(absolute), { recursive: true });
  writeFileSync(absolute, JSON.stringify(value, null, 2) + '\n');
  return absolute;
}
