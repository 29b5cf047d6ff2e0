/**
 * Turns the raw text of the inputs into one typed, validated `Settings` object.
 *
 * Pure: it reads inputs through the `read` callback it is given (the action passes `core.getInput`),
 * so the action, a CLI and the tests share the same rules and messages. Every problem throws an
 * `InputError` that names the input, quotes the value and states the accepted range.
 */
import { isIPv6 } from 'node:net';
import { requestProblem } from '../engine/request.js';
import type { Settings } from '../model/settings.js';
import { acceptedText, option, rangeOf } from './options.js';

/** Reads the raw (trimmed) text of one input; returns '' when it is not set. */
export type InputReader = (name: string) => string;

/** A problem with one input. The message is meant for the user as is. */
export class InputError extends Error {
  readonly input: string;
  constructor(input: string, message: string) {
    super(message);
    this.name = 'InputError';
    this.input = input;
  }
}

/** `duration` when the input is not set: 5 s (or 10 s per side in a comparison at 1 connection). */
const DEFAULT_DURATION_SEC = 5;

/**
 * `duration` when the input is not set: 10 s per side in a comparison (`baseline-port` or
 * `baseline-file`) at 1 connection, where a slice holds few requests and is noisy (the calibration
 * that chose it: bench/CALIBRATION.md); 5 s otherwise.
 */
function defaultDuration(comparison: boolean, connections: number): string {
  return String(comparison && connections === 1 ? 2 * DEFAULT_DURATION_SEC : DEFAULT_DURATION_SEC);
}

/** The upper ends of the ranges in the options table, by name. */
export const LIMITS = {
  maxDurationSec: rangeOf('duration').max,
  maxConnections: rangeOf('connections').max,
  maxPipelining: rangeOf('pipelining').max,
  maxTimeoutSec: rangeOf('timeout').max,
  maxWaitSec: rangeOf('wait-timeout').max,
  maxRounds: rangeOf('rounds').max,
  /** `rounds: auto` aims at slices of this length, as calibrated (bench/CALIBRATION.md). */
  autoSliceSec: 0.5,
} as const;

const INTEGER = /^\d+$/;
const DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$/;

/** Reads and checks every input; throws `InputError` at the first bad one. */
export function readSettings(read: InputReader): Settings {
  // An unset input takes its default from the options table (src/config/options.ts).
  const text = (name: string, fallback = option(name).default): string =>
    read(name).trim() || fallback;

  const port = integerIn('port', text('port'));
  const minRequests = integerIn(
    'min-requests',
    text('min-requests'),
    'a whole number of requests, 0 or more',
  );
  const connections = integerIn('connections', text('connections'));
  const pipelining = integerIn('pipelining', text('pipelining'));
  const busyPollMode = text('busy-poll');
  const busyPoll =
    busyPollMode === 'auto'
      ? connections === 1 && pipelining === 1
      : boolean('busy-poll', busyPollMode, acceptedText(option('busy-poll')));
  const timeoutSec = secondsIn('timeout', text('timeout'));
  const waitTimeoutSec = secondsIn('wait-timeout', text('wait-timeout'));
  const warmupSec = secondsIn('warmup', text('warmup'));
  const expectedStatus = statusRanges(text('expected-status'));
  const headers = headerLines(read('headers'));
  const host = checkHost(text('host'));
  const path = checkPath(text('path'));
  const baselinePort = text('baseline-port');
  const baseline =
    baselinePort === ''
      ? null
      : {
          port: integerIn('baseline-port', baselinePort),
          host: checkHost(text('baseline-host', host), 'baseline-host'),
          path: checkPath(text('baseline-path', path), 'baseline-path'),
        };
  const baselineFile = text('baseline-file');
  const durationSec = secondsIn(
    'duration',
    text('duration', defaultDuration(baseline !== null || baselineFile !== '', connections)),
  );
  const roundsText = text('rounds');
  const rounds =
    roundsText === 'auto'
      ? // Capped like an explicit value: a report's samples must stay usable as a baseline-file.
        Math.min(LIMITS.maxRounds, Math.max(2, Math.round(durationSec / LIMITS.autoSliceSec)))
      : integerIn('rounds', roundsText, `auto or an integer from 2 to ${LIMITS.maxRounds}`);
  const maxRegressionPct = numberIn('max-regression', text('max-regression'), 'a percentage');
  if (baselineFile !== '' && baseline !== null) {
    throw new InputError(
      'baseline-file',
      `Invalid baseline-file '${baselineFile}': set either baseline-port (a service measured now) ` +
        `or baseline-file (a saved report), not both`,
    );
  }
  const confidence = numberIn('confidence', text('confidence'), 'a number', ', e.g. 0.99');

  return {
    host,
    port,
    path,
    durationSec,
    minRequests,
    connections,
    pipelining,
    busyPoll,
    timeoutSec,
    waitTimeoutSec,
    warmupSec,
    expectedStatus,
    headers,
    baseline,
    rounds,
    maxRegressionPct,
    confidence,
    baselineFile,
    reportFile: text('report-file'),
    benchmarkFile: text('benchmark-file'),
  };
}

/**
 * An integer within the input's range in the options table; `expected` words the range when the
 * message should say more than `an integer from min to max`.
 */
function integerIn(name: string, value: string, expected?: string): number {
  const { min, max } = rangeOf(name);
  const accepted = expected ?? `an integer from ${min} to ${max}`;
  if (value === '') {
    throw new InputError(name, `Input '${name}' is required: expected ${accepted}`);
  }
  const n = INTEGER.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new InputError(name, `Invalid ${name} '${value}': expected ${accepted}`);
  }
  return n;
}

/** Seconds within the input's range: above 0 when the table says `above`, else from 0. */
function secondsIn(name: string, value: string): number {
  const type = option(name).type;
  if (type.kind !== 'seconds') throw new Error(`input ${name} is not in seconds`);
  const { min, max, above } = type;
  const n = DECIMAL.test(value) ? Number(value) : NaN;
  if (!(above ? n > min : n >= min) || n > max) {
    throw new InputError(
      name,
      `Invalid ${name} '${value}': expected a number of seconds ` +
        (above ? `greater than ${min} and at most ${max}` : `from ${min} to ${max}`),
    );
  }
  return n;
}

/** The YAML 1.2 core schema booleans, as `core.getBooleanInput` accepts them. */
function boolean(name: string, value: string, expected = 'true or false'): boolean {
  if (/^(true|True|TRUE)$/.test(value)) return true;
  if (/^(false|False|FALSE)$/.test(value)) return false;
  throw new InputError(name, `Invalid ${name} '${value}': expected ${expected}`);
}

/** A decimal number within the input's range: `${what} from min to max${example}`. */
function numberIn(name: string, value: string, what: string, example = ''): number {
  const { min, max } = rangeOf(name);
  const n = DECIMAL.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) {
    throw new InputError(
      name,
      `Invalid ${name} '${value}': expected ${what} from ${min} to ${max}${example}`,
    );
  }
  return n;
}

/** `200-299`, `200,204`, `200-299 304` (commas, spaces or new lines between items); codes 100-599. */
function statusRanges(value: string): [number, number][] {
  const fail = () =>
    new InputError(
      'expected-status',
      `Invalid expected-status '${value}': expected status codes (100-599) or ranges ` +
        `separated by commas, e.g. 200-299 or 200,204,301-302`,
    );
  const ranges: [number, number][] = [];
  for (const item of value.split(/[\s,]+/).filter(Boolean)) {
    const m = /^(\d{3})(?:-(\d{3}))?$/.exec(item);
    if (!m) throw fail();
    const low = Number(m[1]);
    const high = Number(m[2] ?? m[1]);
    if (low < 100 || high > 599 || low > high) throw fail();
    ranges.push([low, high]);
  }
  if (ranges.length === 0) throw fail();
  return ranges;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Headers the action sets itself or undici refuses to take from the caller, and why. */
const OWN_HEADERS: Record<string, string> = {
  // undici takes it, then leaves it out of a request without a body: it would never be sent.
  'content-length': 'the requests carry no body, and the HTTP client would not send it',
};

/**
 * One `Name: value` per line; blank lines are skipped. Every header is also shown to undici (see
 * `requestProblem`), so a value it would refuse on every request is refused here, with its line.
 * The value is never quoted in an error.
 */
function headerLines(value: string): [string, string][] {
  const headers: [string, string][] = [];
  const lines = value.split(/\r?\n/);
  const fail = (line: number, why: string) =>
    new InputError(
      'headers',
      `Invalid headers: line ${line} ${why}; the value is not shown because it may be secret`,
    );
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    const headerValue = colon > 0 ? line.slice(colon + 1).trim() : '';
    if (!TOKEN.test(name) || /[\0\r\n]/.test(headerValue)) {
      throw fail(
        i + 1,
        `is not 'Name: value' (a header name of letters, digits and !#$%&'*+.^_\`|~- followed by a colon)`,
      );
    }
    const own = OWN_HEADERS[name.toLowerCase()];
    if (own) throw fail(i + 1, `sets ${name}, which cannot be set: ${own}`);
    // undici sends only its own Connection header: keep-alive, or close when asked for.
    if (name.toLowerCase() === 'connection' && !/^(close|keep-alive)$/i.test(headerValue)) {
      throw fail(
        i + 1,
        `sets Connection to something else than close or keep-alive, which the HTTP client would not send`,
      );
    }
    const problem = requestProblem('http://127.0.0.1', {
      path: '/',
      method: 'GET',
      headers: [name, headerValue],
    });
    if (problem) {
      throw fail(
        i + 1,
        `('${name}') is refused by the HTTP client (${problem}); header values must be printable ` +
          `Latin-1 text, and Expect, Transfer-Encoding, Upgrade and Keep-Alive cannot be set`,
      );
    }
    headers.push([name, headerValue]);
  }
  const problem = requestProblem('http://127.0.0.1', {
    path: '/',
    method: 'GET',
    headers: headers.flat(),
  });
  if (problem) {
    throw new InputError(
      'headers',
      `Invalid headers: the HTTP client refuses them together (${problem}), e.g. a header given twice that may appear once`,
    );
  }
  return headers;
}

function checkHost(value: string, name = 'host'): string {
  const bare = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  const fail = (why = '') =>
    new InputError(
      name,
      `Invalid ${name} '${value}': expected a host name or IP address without scheme or port, ` +
        `e.g. 127.0.0.1 or ::1${why}`,
    );
  const ipv6 = bare.includes(':');
  if (ipv6 ? !isIPv6(bare) : !HOST_NAME.test(bare)) throw fail();
  // The URL parser (which undici uses) has the last word: it refuses 999.1.1.1 and zone indexes
  // (fe80::1%eth0), and reads 1.2.3 or 0x7f.1 as other addresses than they seem.
  let hostname: string;
  try {
    hostname = new URL(`http://${ipv6 ? `[${bare}]` : bare}/`).hostname;
  } catch {
    throw fail(ipv6 && bare.includes('%') ? ' (a zone index such as %eth0 is not supported)' : '');
  }
  if (!ipv6 && hostname !== bare.toLowerCase()) {
    throw fail(` (URLs read it as ${hostname}; write that instead)`);
  }
  return bare;
}

/**
 * The path as sent: characters beyond ASCII are percent-encoded as UTF-8, as `new URL` writes them
 * (undici sends a path as it is given, and refuses what is not ASCII or Latin-1); control
 * characters, spaces and `#` are refused.
 */
function checkPath(value: string, name = 'path'): string {
  const fail = (why: string) =>
    new InputError(
      name,
      `Invalid ${name} '${printable(value)}': expected a path starting with '/' ${why}, e.g. /health`,
    );
  // Only the ASCII space here (tabs and line breaks are controls): other white space (U+00A0,
  // U+3000) is encoded below, as `new URL` does.
  if (!value.startsWith('/') || /[ #]/.test(value) || hasControl(value)) {
    throw fail(`and without spaces, control characters or '#'`);
  }
  let encoded: string;
  try {
    encoded = value.replace(/[^ -~]+/g, (text) => encodeURIComponent(text));
  } catch {
    throw fail('of valid Unicode text');
  }
  const problem = requestProblem('http://127.0.0.1', { path: encoded, method: 'GET', headers: [] });
  if (problem) throw fail(`that the HTTP client accepts (${problem})`);
  return encoded;
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** `text` with control characters shown as `\xNN`, for quoting in a message. */
function printable(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : char;
  }
  return out;
}
