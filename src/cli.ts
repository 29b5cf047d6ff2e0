#!/usr/bin/env node
/**
 * The terminal adapter: `http-load-check <port> [options]`. The only module that reads
 * `process.argv` and sets the exit code. Its options and help come from the options table
 * (src/config/options.ts): each is the action input of the same name. The run is the session's.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { cliFlag, OPTIONS, type OptionSpec } from './config/options.js';
import { START_LINE, progressLine } from './present/text.js';
import { runSession, type Sink } from './session.js';
import { writeTextFile } from './system/files.js';
import { stopOnSignals } from './system/signals.js';
import { VERSION } from './version.js';

/** Help column where the descriptions start, and the width the lines wrap at. */
const HELP_INDENT = 28;
const HELP_WIDTH = 80;

function usage(): string {
  const lines = [
    'Usage: http-load-check <port> [options]',
    '',
    'Sends GET requests to http://127.0.0.1:<port>/ for 5 s, one at a time, and prints',
    '  http test running... ok, N requests made',
    '',
    'Options (each is the action input of the same name; defaults in brackets):',
  ];
  const row = (left: string, text: string, fallback = '') => {
    // The default in brackets stays on one line.
    const words = [...text.split(' '), ...(fallback ? [`[${fallback}]`] : [])];
    let line = `  ${left}`.padEnd(HELP_INDENT - 1);
    for (const word of words) {
      if (line.length + 1 + word.length > HELP_WIDTH && line.trim() !== '') {
        lines.push(line);
        line = ' '.repeat(HELP_INDENT - 1);
      }
      line += ` ${word}`;
    }
    lines.push(line);
  };
  for (const spec of OPTIONS) {
    const flag = cliFlag(spec);
    if (flag === null) continue;
    const short = spec.cli.short ? `-${spec.cli.short}, ` : '';
    const fallback = spec.cli.defaultText ?? spec.cliDefault ?? spec.defaultText ?? spec.default;
    const shown = fallback === 'none' ? '' : fallback;
    row(`${short}--${flag} ${spec.cli.value}`, spec.cli.help, shown);
  }
  row('--json', 'print the JSON report instead of the text');
  row('-h, --help', 'print this help');
  row('-v, --version', 'print the version');
  lines.push(
    '',
    'Exit codes: 0 passed, 1 failed (below --min-requests, a regression, target not ready, or',
    'interrupted), 2 bad usage.',
  );
  return lines.join('\n');
}

const FLAGS = OPTIONS.flatMap((spec) => {
  const flag = cliFlag(spec);
  return flag === null ? [] : [{ spec, flag }];
});

function parserOptions(): ParseArgsConfig['options'] {
  const options: NonNullable<ParseArgsConfig['options']> = {
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' },
  };
  for (const { spec, flag } of FLAGS) {
    options[flag] = {
      type: 'string',
      ...(spec.cli.short ? { short: spec.cli.short } : {}),
      ...(spec.cli.multiple ? { multiple: true } : {}),
    };
  }
  return options;
}

/** The raw text of each input, as the action would read it, from the parsed command line. */
function inputsFrom(values: Record<string, unknown>, positionals: string[]): Map<string, string> {
  const raw = new Map<string, string>();
  const positional = OPTIONS.find((spec: OptionSpec) => cliFlag(spec) === null);
  if (positional && positionals[0] !== undefined) raw.set(positional.name, positionals[0]);
  for (const { spec, flag } of FLAGS) {
    const value = values[flag];
    if (typeof value === 'string') raw.set(spec.name, value);
    else if (Array.isArray(value)) raw.set(spec.name, value.join('\n'));
    else if (spec.cliDefault !== undefined) raw.set(spec.name, spec.cliDefault);
  }
  return raw;
}

async function main(argv: string[]): Promise<number> {
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: parserOptions(),
    }));
  } catch (error) {
    return badUsage((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (positionals.length > 1) return badUsage(`Too many arguments: ${positionals.join(' ')}`);
  const json = values.json === true;
  const tty = !json && process.stdout.isTTY === true;
  const raw = inputsFrom(values, positionals);

  const stop = stopOnSignals();
  let last = { elapsedMs: 0, requests: 0 };
  try {
    const end = await runSession({
      read: (name) => raw.get(name) ?? '',
      sink: terminalSink(json, tty),
      defaultFiles: null,
      signal: stop.signal,
      stoppedBy: stop.stoppedBy,
      onProgress: tty
        ? (now) => {
            const rate =
              ((now.requests - last.requests) * 1000) / (now.elapsedMs - last.elapsedMs || 1);
            last = now;
            process.stdout.write(progressLine(now.elapsedMs, rate));
          }
        : undefined,
      progressIntervalMs: 500,
    });
    if (end.status === 'bad-input') return badUsage(end.message);
    if (json) process.stdout.write(`${JSON.stringify(end.report, null, 2)}\n`);
    return end.passed ? 0 : 1;
  } finally {
    stop.dispose();
  }
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
