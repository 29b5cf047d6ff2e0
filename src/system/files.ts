/**
 * Writing the files a run leaves (the JSON report, the github-action-benchmark file) and checking
 * the runner's own files, for the adapters' sinks. The contents come from src/present/.
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

export function fileKind(stats: Stats): string {
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
 * Writes `text` to `path` (creating the folder); returns the absolute path. Opened non-blocking
 * first: a FIFO with no reader fails at once (ENXIO) instead of holding the run for ever. Anything
 * but a regular file is then opened again to write blocking, since a pipe's reader may be slower
 * than a write of more than the pipe's buffer (EAGAIN otherwise).
 */
export function writeTextFile(path: string, text: string): string {
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
    writeFileSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return absolute;
}

/**
 * Throws when the runner's file at `path` cannot take what `@actions/core` appends: it must be a
 * regular file (core opens it blocking, and a FIFO would hold the run for ever).
 */
export function checkRunnerFile(path: string): void {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    throw new Error(`cannot use it (${(error as NodeJS.ErrnoException).code ?? error})`, {
      cause: error,
    });
  }
  if (!stats.isFile()) throw new Error(`it is not a regular file (${fileKind(stats)})`);
}

/** Why a file given as an input could not be read: the words go into the input's error. */
export class UnreadableFileError extends Error {
  constructor(why: string) {
    super(why);
    this.name = 'UnreadableFileError';
  }
}

/**
 * The bytes of the regular file at `path`, at most `limitBytes` of them; throws
 * `UnreadableFileError` saying why not (`cannot read it (ENOENT)`, `it is a FIFO`, `it is larger
 * than 10 MiB`). Opened non-blocking and checked to be a regular file first: a FIFO would block the
 * run and a device such as /dev/zero would never end.
 */
export function readBoundedFile(path: string, limitBytes: number): Buffer {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new UnreadableFileError(
      `cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile())
      throw new UnreadableFileError(`it is not a regular file (${fileKind(stats)})`);
    const tooBig = () => new UnreadableFileError(`it is larger than ${formatBytes(limitBytes)}`);
    if (stats.size > limitBytes) throw tooBig();
    // The file may grow after the check: read one byte past the limit to notice.
    const buffer = Buffer.alloc(Math.min(stats.size, limitBytes) + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) {
      n = readSync(fd, buffer, length, buffer.length - length, null);
    }
    if (length > limitBytes) throw tooBig();
    return buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof UnreadableFileError) throw error;
    throw new UnreadableFileError(
      `cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  } finally {
    closeSync(fd);
  }
}

/** `10 MiB`, `64 KiB`, `100 bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
