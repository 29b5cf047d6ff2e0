/**
 * The CLI's command line, read with the options table (src/config/options.ts): the parser, the
 * raw text of each input as the action would read it, and the `--help` text. Pure.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CLI_OPTIONS, cliFlag } from './options.js';
import { readSettings } from './settings.js';

export type CommandLine =
  | { problem: string }
  | { help: boolean; version: boolean; json: boolean; inputs: Map<string, string> };

/** Reads `argv` (without node and the script); a problem is bad usage, before any input check. */
export function parseCommandLine(argv: string[]): CommandLine {
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: parserOptions(),
    }));
  } catch (error) {
    return { problem: (error as Error).message };
  }
  const help = values.help === true;
  const version = values.version === true;
  // --help and --version answer whatever else the line holds.
  if (!help && !version && positionals.length > 1) {
    return { problem: `Too many arguments: ${positionals.join(' ')}` };
  }
  return { help, version, json: values.json === true, inputs: inputsFrom(values, positionals) };
}

/** The options the CLI takes as flags (all but the positional port), with their flag. */
const FLAGS = CLI_OPTIONS.flatMap((spec) => {
  const flag = cliFlag(spec);
  return flag === null ? [] : [{ spec, flag }];
});

/** Help column where the descriptions start, and the width the lines wrap at. */
const HELP_INDENT = 28;
const HELP_WIDTH = 80;

/** The `--help` text, from the options table. */
export function usage(): string {
  // What a bare `http-load-check <port>` does, as the reader works it out.
  const plain = readSettings((name) => (name === 'port' ? '1' : ''));
  const lines = [
    'Usage: http-load-check <port | url> [options]',
    '',
    `Sends ${plain.routes[0].method} requests to http://${plain.host}:<port>${plain.path} (or to the URL) ` +
      `for ${plain.durationSec} s,`,
    'one at a time, and prints the standard line:',
    '  http test running... ok, N requests made',
    '',
    'Examples:',
    '  http-load-check 8080',
    '  http-load-check https://127.0.0.1:8443/api -k -c 4 -d 10s',
    `  http-load-check http://127.0.0.1:8080/orders -m POST -b '{"id":1}' \\`,
    '      --content-type application/json',
    '  http-load-check 8080 --targets routes.txt',
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
  for (const { spec, flag } of FLAGS) {
    const short = spec.cli.short ? `-${spec.cli.short}, ` : '';
    const fallback = spec.cli.defaultText ?? spec.cliDefault ?? spec.defaultText ?? spec.default;
    const shown = fallback === 'none' ? '' : fallback;
    const value = spec.cli.boolean ? '' : ` ${spec.cli.value}`;
    row(`${short}--${flag}${value}`, spec.cli.help, spec.cli.boolean ? '' : shown);
  }
  row('--json', 'print the JSON report instead of the text');
  row('-h, --help', 'print this help');
  row('-v, --version', 'print the version');
  lines.push(
    '',
    'Exit codes: 0 passed, 1 a gate failed (a regression included), 2 bad usage,',
    '3 the target never became ready, 130 interrupted.',
  );
  return lines.join('\n');
}

function parserOptions(): ParseArgsConfig['options'] {
  const options: NonNullable<ParseArgsConfig['options']> = {
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' },
  };
  for (const { spec, flag } of FLAGS) {
    options[flag] = {
      type: spec.cli.boolean ? 'boolean' : 'string',
      ...(spec.cli.short ? { short: spec.cli.short } : {}),
      ...(spec.cli.multiple ? { multiple: true } : {}),
    };
  }
  return options;
}

/** The raw text of each input, as the action would read it, from the parsed command line. */
function inputsFrom(values: Record<string, unknown>, positionals: string[]): Map<string, string> {
  const raw = new Map<string, string>();
  const positional = CLI_OPTIONS.find((spec) => cliFlag(spec) === null);
  const first = positionals[0];
  // The first argument is a port, or anything else is a URL (which the reader checks as one).
  if (positional && first !== undefined)
    raw.set(/^\d+$/.test(first) ? positional.name : 'url', first);
  for (const { spec, flag } of FLAGS) {
    const value = values[flag];
    if (value === true) raw.set(spec.name, 'true');
    else if (typeof value === 'string') raw.set(spec.name, value);
    else if (Array.isArray(value)) raw.set(spec.name, value.join('\n'));
    else if (spec.cliDefault !== undefined) raw.set(spec.name, spec.cliDefault);
  }
  return raw;
}
