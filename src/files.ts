/**
 * The files a run reads and writes: a saved baseline (`baseline-file`), the JSON report
 * (`report-file`) and the github-action-benchmark file (`benchmark-file`). Shared by the action and
 * the CLI; the contents come from src/report/json.ts.
 */
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  statSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { InputError } from './inputs.js';
import { MAX_BASELINE_FILE_BYTES, parseSavedBaseline, type SavedBaseline } from './report/json.js';

/**
 * Reads and checks `baseline-file` for a run of `durationSec`; throws an `InputError` naming it
 * when it is unusable. Only a regular file is read, and at most `MAX_BASELINE_FILE_BYTES` of it:
 * a FIFO would block the run and a device such as /dev/zero would never end.
 */
export function readSavedBaseline(path: string, durationSec: number): SavedBaseline {
  const fail = (why: string) =>
    new InputError(
      'baseline-file',
      `Invalid baseline-file '${path}': ${why}; expected the path of a report written by an ` +
        `earlier run (its report-file)`,
    );
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw fail(`cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw fail(`it is not a regular file (${fileKind(stats)})`);
    const limit = MAX_BASELINE_FILE_BYTES;
    const tooBig = () => fail(`it is larger than ${limit / (1024 * 1024)} MiB`);
    if (stats.size > limit) throw tooBig();
    // The file may grow after the check: read one byte past the limit to notice.
    const buffer = Buffer.alloc(Math.min(stats.size, limit) + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) {
      n = readSync(fd, buffer, length, buffer.length - length, null);
    }
    if (length > limit) throw tooBig();
    return parseSavedBaseline(buffer.toString('utf8', 0, length), path, durationSec);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw fail(`cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`);
  } finally {
    closeSync(fd);
  }
}

function fileKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}

/** The action's default location of a file: `$RUNNER_TEMP` (or the system's temp directory). */
export function defaultPath(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(env.RUNNER_TEMP || tmpdir(), name);
}

/**
 * Writes `value` as JSON (creating the folder); returns the absolute path. Opened non-blocking
 * first: a FIFO with no reader fails at once (ENXIO) instead of holding the run for ever. Anything
 * but a regular file is then opened again to write blocking, since a pipe's reader may be slower
 * than a write of more than the pipe's buffer (EAGAIN otherwise).
 */
export function writeJson(path: string, value: unknown): string {
  const absolute = resolve(path);
  mkdirSync(dirname(absolute), { recursive: true });
  const { O_WRONLY, O_CREAT, O_TRUNC, O_NONBLOCK } = constants;
  let fd = openSync(absolute, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) {
      const blocking = openSync(absolute, O_WRONLY);
      closeSync(fd);
      fd = blocking;
    }
    writeFileSync(fd, JSON.stringify(value, null, 2) + '\n');
  } finally {
    closeSync(fd);
  }
  return absolute;
}

/**
 * Why the runner's file at `path` cannot take what `@actions/core` appends, or null when it can: it
 * must be a regular file (core opens it blocking, and a FIFO would hold the run for ever).
 */
export function unusableRunnerFile(path: string): string | null {
  try {
    const stats = statSync(path);
    return stats.isFile() ? null : `it is not a regular file (${fileKind(stats)})`;
  } catch (error) {
    return `cannot use it (${(error as NodeJS.ErrnoException).code ?? error})`;
  }
}

/** The runner's own files; a report written over one of them would break the job. */
const RUNNER_FILES = [
  'GITHUB_OUTPUT',
  'GITHUB_STEP_SUMMARY',
  'GITHUB_ENV',
  'GITHUB_PATH',
  'GITHUB_STATE',
] as const;

/**
 * Refuses a `report-file` or `benchmark-file` that is one of the runner's own files (whose contents
 * it would replace) or the other of the two. Throws an `InputError` naming the input.
 */
export function checkWrittenFiles(
  settings: { reportFile: string; benchmarkFile: string },
  env: NodeJS.ProcessEnv = process.env,
): void {
  const files = [
    ['report-file', settings.reportFile],
    ['benchmark-file', settings.benchmarkFile],
  ] as const;
  for (const [input, path] of files) {
    if (path === '') continue;
    const clash = RUNNER_FILES.find((name) => env[name] && samePath(path, env[name]));
    if (clash) {
      throw new InputError(
        input,
        `Invalid ${input} '${path}': it is the runner's ${clash} file, which writing the report ` +
          `there would replace; expected a file of its own, e.g. \${{ runner.temp }}/http-load-check.json`,
      );
    }
  }
  if (settings.reportFile && settings.benchmarkFile) {
    if (samePath(settings.reportFile, settings.benchmarkFile)) {
      throw new InputError(
        'benchmark-file',
        `Invalid benchmark-file '${settings.benchmarkFile}': it is the same file as report-file; ` +
          `expected a file of its own`,
      );
    }
  }
}

/** The same file: the same absolute path, or (when both exist) the same file behind links. */
function samePath(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    // One file behind both names, through symbolic or hard links.
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}
