#!/usr/bin/env node
/**
 * The terminal adapter: `http-load-check <port> [options]`. The only module that reads
 * `process.argv` and sets the exit code. The command line is read by src/config/command-line.ts
 * (each option is the action input of the same name); the run is the session's.
 */
// First: on a Node too old for undici, one line and exit 2 before undici's modules load.
import './system/node-version.js';
import { readFileSync } from 'node:fs';
import { parseCommandLine, usage } from './config/command-line.js';
import { exitCodeOf } from './present/outputs.js';
import { START_LINE, progressLine } from './present/text.js';
import { runSession, type Sink } from './session.js';
import {
  formatBytes,
  readBoundedFile,
  UnreadableFileError,
  writeTextFile,
} from './system/files.js';
import { stopOnSignals } from './system/signals.js';
import { VERSION } from './version.js';

async function main(argv: string[]): Promise<number> {
  const line = parseCommandLine(argv);
  if ('problem' in line) return badUsage(line.problem);
  if (line.help) {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  if (line.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const { json, inputs } = line;
  const tty = !json && process.stdout.isTTY === true;

  const stop = stopOnSignals();
  try {
    const end = await runSession({
      read: (name) => inputs.get(name) ?? '',
      readFile: readFileOrStdin,
      sink: terminalSink(json, tty),
      defaultFiles: null,
      signal: stop.signal,
      stoppedBy: stop.stoppedBy,
      // A terminal overwrites the start line with the time and rate; a log gets progress lines.
      progress: tty
        ? { everyMs: 500, show: (now) => process.stdout.write(progressLine(now)) }
        : undefined,
    });
    if (end.status === 'bad-input') return badUsage(end.message);
    if (json) process.stdout.write(`${JSON.stringify(end.report, null, 2)}\n`);
    return exitCodeOf(end.check.decision);
  } finally {
    stop.dispose();
  }
}

/**
 * `--targets -` reads the targets from stdin, whole, before anything is sent; every other path is
 * a regular file.
 */
function readFileOrStdin(path: string, limitBytes: number): Buffer {
  if (path !== '-') return readBoundedFile(path, limitBytes);
  let bytes: Buffer;
  try {
    bytes = readFileSync(0);
  } catch (error) {
    throw new UnreadableFileError(
      `cannot read stdin (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  if (bytes.length > limitBytes)
    throw new UnreadableFileError(`stdin holds more than ${formatBytes(limitBytes)}`);
  return bytes;
}

function badUsage(message: string): number {
  process.stderr.write(`http-load-check: ${message}\n`);
  process.stderr.write(`Run 'http-load-check --help' for the options.\n`);
  return 2;
}

/**
 * Text on stdout, warnings and failures on stderr. With --json only the report goes to stdout. On a
 * terminal the final line first clears the progress line it overwrites.
 */
function terminalSink(json: boolean, tty: boolean): Sink {
  const out = (text: string) => {
    if (!json) process.stdout.write(text);
  };
  return {
    write: (text) => out(tty && text.startsWith('\r') ? `\r\x1b[K${START_LINE}${text}` : text),
    info: (line) => out(`${line}\n`),
    warn: (text) => process.stderr.write(`warning: ${text}\n`),
    notice: (text) => process.stderr.write(`note: ${text}\n`),
    secret: () => {},
    setOutputs: () => {},
    summary: async () => {},
    writeFile: writeTextFile,
    fail: (message) => process.stderr.write(`${message}\n`),
  };
}

// A reader that goes away (`http-load-check 8080 | head -1`) is not a failure of the check: the
// rest of the text is dropped, as `console.log` would drop it, and the exit code stands.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(
      `http-load-check failed unexpectedly: ${(error as Error).stack ?? error}\n`,
    );
    process.exitCode = 1;
  },
);
