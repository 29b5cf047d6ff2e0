/**
 * Turns the raw text of the inputs into one typed, validated `Settings` object.
 *
 * It reads inputs through the `read` callback it is given (the action passes `core.getInput`) and
 * the files they name (`body-file`, `targets`, `ca-file`, `@file` bodies) through `readFile`, so the
 * action, the CLI and the tests share the same rules and messages. Every problem throws an
 * `InputError` that names the input, quotes the value and states the accepted range.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { dirname, resolve } from 'node:path';
import { requestProblem } from '../engine/request.js';
import {
  formatSeconds,
  origin,
  type Route,
  type Settings,
  type Target,
} from '../model/settings.js';
import { formatBytes, readBoundedFile } from '../system/files.js';
import { acceptedText, option, rangeOf } from './options.js';
import { isTargetsText, parseTargets, TargetsFormatError, type TargetEntry } from './targets.js';

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
/** `5`, `2.5`, `500ms`, `10s`, `2m`, `1h`: a decimal and an optional unit (seconds without). */
const DURATION = /^(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|m|h)?$/;
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$/;

/** Reads the bytes of a file an input names; throws (e.g. `UnreadableFileError`) when it cannot. */
export type FileReader = (path: string, limitBytes: number) => Buffer;

/** A request body (`body`, `body-file`, a target's `@file`) is at most this large. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** At most this many distinct requests in `targets`: each keeps its own latency histogram. */
export const MAX_ROUTES = 1000;
/** `targets` and `ca-file` are at most this large. */
const MAX_TEXT_FILE_BYTES = 10 * 1024 * 1024;

/** Where a target's origin and path come from, before its routes are built. */
type Endpoint = Omit<Target, 'routes'>;

/** Reads and checks every input; throws `InputError` at the first bad one. */
export function readSettings(read: InputReader, readFile: FileReader = readBoundedFile): Settings {
  // An unset input takes its default from the options table (src/config/options.ts).
  const text = (name: string, fallback = option(name).default): string =>
    read(name).trim() || fallback;
  const given = (name: string) => read(name).trim() !== '';
  const file = (name: string, path: string, limit: number, expected: string): Buffer => {
    try {
      return readFile(path, limit);
    } catch (error) {
      throw new InputError(
        name,
        `Invalid ${name} '${path}': ${(error as Error).message}; expected ${expected}`,
      );
    }
  };

  const targets = readTargets(read('targets'), file);
  const head = endpoint(
    { url: 'url', port: 'port', host: 'host', path: 'path' },
    read,
    targets,
    null,
  );
  const minRequests = integerIn(
    'min-requests',
    text('min-requests'),
    'a whole number of requests, 0 or more',
  );
  const connections = integerIn('connections', text('connections'));
  const pipelining = integerIn('pipelining', text('pipelining'));
  const optional = (name: string, what: string, example = '') =>
    given(name) ? numberIn(name, text(name), what, example) : null;
  const rate = optional('rate', 'requests per second', ', e.g. 500');
  const busyPollMode = text('busy-poll');
  const busyPoll =
    busyPollMode === 'auto'
      ? // At a fixed rate the loop mostly waits for the next due send: spinning would only burn a core.
        connections === 1 && pipelining === 1 && rate === null
        ? ('trial' as const)
        : false
      : boolean('busy-poll', busyPollMode, acceptedText(option('busy-poll')));
  const minRps = optional('min-rps', 'requests per second');
  const maxErrorRatePct = numberIn('max-error-rate', text('max-error-rate'), 'a percentage');
  const maxP50Ms = optional('max-p50-ms', 'milliseconds', ', e.g. 50');
  const maxP95Ms = optional('max-p95-ms', 'milliseconds', ', e.g. 50');
  const maxP99Ms = optional('max-p99-ms', 'milliseconds', ', e.g. 50');
  const timeoutSec = secondsIn('timeout', text('timeout'));
  const waitTimeoutSec = secondsIn('wait-timeout', text('wait-timeout'));
  // At a fixed rate the generator's own start (connecting, cold code) would fall behind the
  // schedule, and the catching up would count as the service's latency (docs/engine.md).
  const warmupSec = secondsIn('warmup', text('warmup', rate !== null ? '1' : '0'));
  const expectedStatus = statusRanges(text('expected-status'));
  const secretLines = headerLines('secret-headers', read('secret-headers'));
  const headers = [...headerLines('headers', read('headers')), ...secretLines];
  const secretHeaders = [...new Set(secretLines.map(([name]) => name.toLowerCase()))];
  const request = requestInputs(read, text, file, readFile, headers);
  const baselineEndpoint =
    given('baseline-url') || given('baseline-port')
      ? endpoint(
          {
            url: 'baseline-url',
            port: 'baseline-port',
            host: 'baseline-host',
            path: 'baseline-path',
          },
          read,
          targets,
          head,
        )
      : null;
  const baselineFile = text('baseline-file');
  if (baselineFile !== '' && baselineEndpoint !== null) {
    const other = given('baseline-url') ? 'baseline-url' : 'baseline-port';
    throw new InputError(
      'baseline-file',
      `Invalid baseline-file '${baselineFile}': set either ${other} (a service measured now) ` +
        `or baseline-file (a saved report), not both`,
    );
  }
  const http2 = boolean('http2', text('http2'));
  for (const [name, side] of [
    [given('url') ? 'url' : given('port') ? 'port' : 'targets', head],
    ['baseline-url', baselineEndpoint],
  ] as const) {
    if (http2 && side !== null && side.scheme === 'http') {
      throw new InputError(
        'http2',
        `Invalid http2 'true': HTTP/2 is negotiated over TLS only, and ${name} is plain http ` +
          `(${origin(side)}); HTTP/2 without TLS (h2c) is not supported: use an https:// url or set http2: false`,
      );
    }
  }
  const caFile = text('ca-file');
  const tls = {
    insecure: boolean('insecure', text('insecure')),
    ca: caFile === '' ? null : certificates(caFile, file),
  };
  const routes = buildRoutes(head, targets, request, true);
  if (http2) refuseHttp1Headers(routes, targets !== null);
  const baseline =
    baselineEndpoint === null
      ? null
      : { ...baselineEndpoint, routes: buildRoutes(baselineEndpoint, targets, request, false) };
  const baselineInput = ['baseline-url', 'baseline-port', 'baseline-file'].find(given);
  if (rate !== null && baselineInput !== undefined) {
    throw new InputError(
      'rate',
      `Invalid rate '${text('rate')}': a comparison measures throughput, which a fixed rate sets; ` +
        `gate latency at a fixed rate without ${baselineInput}, or drop rate`,
    );
  }
  const durationSec = secondsIn(
    'duration',
    text('duration', defaultDuration(baseline !== null || baselineFile !== '', connections)),
  );
  if (rate !== null && rate * durationSec < 1) {
    throw new InputError(
      'rate',
      `Invalid rate '${text('rate')}': in a duration of ${formatSeconds(durationSec)} s it sends ` +
        `no request; give at least ${formatSeconds(1 / durationSec)} requests per second, or a ` +
        'longer duration',
    );
  }
  const roundsText = text('rounds');
  const rounds =
    roundsText === 'auto'
      ? // Capped like an explicit value: a report's samples must stay usable as a baseline-file.
        Math.min(LIMITS.maxRounds, Math.max(2, Math.round(durationSec / LIMITS.autoSliceSec)))
      : integerIn('rounds', roundsText, `auto or an integer from 2 to ${LIMITS.maxRounds}`);
  const maxRegressionPct = numberIn('max-regression', text('max-regression'), 'a percentage');
  const confidence = numberIn('confidence', text('confidence'), 'a number', ', e.g. 0.99');
  const comment = choice('comment', text('comment')) as Settings['comment'];
  const githubToken = readToken(read('github-token').trim(), comment);

  return {
    ...head,
    routes,
    http2,
    tls,
    caFile,
    targetsSource: targets?.source ?? '',
    durationSec,
    minRequests,
    minRps,
    maxErrorRatePct,
    maxP50Ms,
    maxP95Ms,
    maxP99Ms,
    rate,
    connections,
    pipelining,
    busyPoll,
    timeoutSec,
    waitTimeoutSec,
    warmupSec,
    expectedStatus,
    headers,
    secretHeaders,
    baseline,
    rounds,
    roundsAuto: roundsText === 'auto',
    maxRegressionPct,
    confidence,
    baselineFile,
    reportFile: text('report-file'),
    benchmarkFile: text('benchmark-file'),
    benchmarkLatencyFile: text('benchmark-latency-file'),
    comment,
    githubToken,
  };
}

/** One of the values the options table lists for input `name`. */
function choice(name: string, value: string): string {
  const spec = option(name);
  if (spec.type.kind !== 'choice') throw new Error(`input ${name} is not a choice`);
  if (!spec.type.values.includes(value))
    throw new InputError(name, `Invalid ${name} '${value}': expected ${acceptedText(spec)}`);
  return value;
}

/**
 * The token the comment is posted with. Its value is never quoted: an error names the input only.
 * A comment needs one; without a comment it is not used.
 */
function readToken(token: string, comment: Settings['comment']): string {
  // A header value must be printable ASCII: anything else (a pasted zero-width space) could never
  // be sent.
  if (!/^[\x21-\x7e]*$/.test(token)) {
    throw new InputError(
      'github-token',
      'Invalid github-token: it holds a space, a line break or a character outside printable ' +
        'ASCII; expected a GitHub token ' +
        "(the default is the job's own, ${{ github.token }})",
    );
  }
  if (token === '' && comment !== 'off') {
    throw new InputError(
      'github-token',
      `Invalid github-token '': comment: ${comment} posts with it; expected a token with ` +
        "pull-requests: write (the default is the job's own, ${{ github.token }})",
    );
  }
  return token;
}

/** Reads a file an input names, or throws an `InputError` naming the input and what it expects. */
type InputFile = (name: string, path: string, limit: number, expected: string) => Buffer;

/** The targets of the `targets` input, where they came from, and the folder of their `@file`s. */
interface Targets {
  entries: TargetEntry[];
  /** The file's path, or `inline`. */
  source: string;
  /** What `@file` lines are relative to: the targets file's folder, or the working directory. */
  folder: string;
  /** The input's name and the source, as errors quote them: `targets (api.txt)`. */
  label: string;
}

function readTargets(value: string, file: InputFile): Targets | null {
  if (value.trim() === '') return null;
  const expected =
    "targets in vegeta's HTTP format ('METHOD URL' lines, each followed by its 'Name: value' " +
    "headers and an optional '@body-file' line, with blank lines between targets), or a file holding them";
  const path = value.trim();
  // `-` (the CLI's `--targets -`): the text comes from stdin, and `@file`s are relative to the
  // working directory as for inline targets.
  const stdin = path === '-';
  const inline = !stdin && isTargetsText(value);
  const text = inline
    ? value
    : file('targets', path, MAX_TEXT_FILE_BYTES, expected).toString('utf8');
  const label = inline ? 'targets' : stdin ? 'targets (stdin)' : `targets (${path})`;
  if (text.trim() === '') {
    throw new InputError('targets', `Invalid ${label}: it is empty; expected ${expected}`);
  }
  try {
    const entries = parseTargets(text);
    return {
      entries,
      source: inline ? 'inline' : stdin ? 'stdin' : path,
      folder: inline || stdin ? '.' : dirname(path),
      label,
    };
  } catch (error) {
    if (!(error instanceof TargetsFormatError)) throw error;
    throw new InputError('targets', `Invalid ${label}: line ${error.line} ${error.message}`);
  }
}

/** The method, body and Content-Type every route without its own takes. */
interface RequestInputs {
  method: string;
  body: Buffer | null;
  contentType: string;
  /** The `headers` input. */
  headers: [string, string][];
  /** `@file` bodies by path, read once: a file named by several targets is one buffer. */
  bodies: Map<string, Buffer>;
  readFile: FileReader;
}

function requestInputs(
  read: InputReader,
  text: (name: string) => string,
  file: InputFile,
  readFile: FileReader,
  headers: [string, string][],
): RequestInputs {
  const method = checkMethod(
    text('method'),
    (why) => new InputError('method', `Invalid method '${printable(text('method'))}': ${why}`),
  );
  const inlineBody = read('body');
  const bodyFile = text('body-file');
  if (inlineBody !== '' && bodyFile !== '') {
    throw new InputError(
      'body',
      `Invalid body: set either body (the text) or body-file (a file), not both`,
    );
  }
  let body: Buffer | null = null;
  if (inlineBody !== '') {
    body = Buffer.from(inlineBody, 'utf8');
    if (body.length > MAX_BODY_BYTES) {
      throw new InputError(
        'body',
        `Invalid body: it is larger than ${formatBytes(MAX_BODY_BYTES)}; expected at most that`,
      );
    }
  } else if (bodyFile !== '') {
    body = file(
      'body-file',
      bodyFile,
      MAX_BODY_BYTES,
      `a file of at most ${formatBytes(MAX_BODY_BYTES)}`,
    );
  }
  if (body !== null && body.length === 0) body = null;
  const contentType = text('content-type');
  if (contentType !== '') {
    const problem = headerProblem('Content-Type', contentType);
    if (problem)
      throw new InputError(
        'content-type',
        `Invalid content-type '${printable(contentType)}': ${problem}; expected a media type such as application/json`,
      );
    if (headers.some(([name]) => name.toLowerCase() === 'content-type')) {
      throw new InputError(
        'content-type',
        `Invalid content-type '${contentType}': headers sets Content-Type too; set it in one of them`,
      );
    }
  }
  return { method, body, contentType, headers, bodies: new Map(), readFile };
}

/**
 * The origin and path of one side: `url`, or `port` with `host` and `path` (the baseline's default
 * to the head's), or, for the head, the first absolute URL of the targets.
 */
function endpoint(
  names: { url: string; port: string; host: string; path: string },
  read: InputReader,
  targets: Targets | null,
  head: Endpoint | null,
): Endpoint {
  const given = (name: string) => read(name).trim() !== '';
  const urlText = read(names.url).trim();
  if (urlText !== '') {
    const also = [names.port, names.host, names.path].filter(given);
    if (also.length > 0) {
      throw new InputError(
        names.url,
        `Invalid ${names.url} '${printable(urlText)}': set either ${names.url} or ${names.port} (with ${names.host} and ${names.path}), not both; ${also.join(' and ')} ${also.length > 1 ? 'are' : 'is'} set too`,
      );
    }
    return parseUrl(names.url, urlText);
  }
  if (given(names.port)) {
    const host = read(names.host).trim();
    const path = read(names.path).trim();
    return {
      scheme: head?.scheme ?? 'http',
      host:
        host !== ''
          ? checkHost(host, names.host)
          : (head?.host ?? checkHost(option(names.host).default, names.host)),
      port: integerIn(names.port, read(names.port).trim()),
      path: path !== '' ? checkPath(path, names.path) : (head?.path ?? option(names.path).default),
    };
  }
  const first = targets?.entries.find((entry) => ABSOLUTE_URL.test(entry.url));
  if (head === null && targets !== null && first !== undefined) {
    const read = readUrl(first.url);
    if (typeof read === 'string') {
      throw new InputError(
        'targets',
        `Invalid ${targets.label}: line ${first.line} has URL '${printable(first.url)}': ${read}`,
      );
    }
    // The service is the first absolute target's; relative targets are taken against its root.
    return { ...read, path: '/' };
  }
  throw new InputError(
    'url',
    `Input 'url' or 'port' is required: expected a URL such as http://127.0.0.1:8080/health, or the port of a service on ${option('host').default}`,
  );
}

const ABSOLUTE_URL = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** An `http://` or `https://` URL with a host, as the HTTP client will send it. */
function parseUrl(name: string, value: string): Endpoint {
  const read = readUrl(value);
  if (typeof read !== 'string') return read;
  throw new InputError(
    name,
    `Invalid ${name} '${printable(value)}': ${read}; expected an http:// or https:// URL with a ` +
      `host name, IPv4 or [IPv6] address, an optional port, path and query, e.g. http://127.0.0.1:8080/health`,
  );
}

/** The endpoint of an absolute URL, or why it cannot be one. */
function readUrl(value: string): Endpoint | string {
  if (/\s/.test(value) || hasControl(value)) return 'it holds spaces or control characters';
  // The URL parser forgives `http:/host`, `http:///host` and backslashes, which are typos here.
  if (/^https?:/i.test(value) && !/^https?:\/\/[^/\\]/i.test(value)) {
    return "it does not start with 'http://' or 'https://' and a host";
  }
  if (value.includes('\\')) return 'it holds a backslash';
  // `localhost:8080/x` parses as the scheme `localhost:`.
  if (/^[A-Za-z0-9.-]+:[0-9]+(\/|$)/.test(value)) return `it has no scheme: write http://${value}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return ABSOLUTE_URL.test(value) ? 'it is not a valid URL' : 'it has no scheme';
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== 'http' && scheme !== 'https') return `its scheme is ${scheme}:`;
  if (url.username !== '' || url.password !== '') {
    return 'it carries a user name or password (send an Authorization header in headers instead)';
  }
  if (value.includes('#')) return "it has a fragment ('#'), which is never sent";
  if (url.hostname === '') return 'it has no host';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port === '' ? (scheme === 'https' ? 443 : 80) : Number(url.port);
  if (port === 0) return 'port 0 cannot be connected to';
  const path = `${url.pathname}${url.search}`;
  const problem = requestProblem(`${scheme}://${url.host}`, { path, method: 'GET', headers: [] });
  if (problem) return `the HTTP client refuses it (${problem})`;
  return { scheme, host, port, path };
}

/** An HTTP method token, upper-cased when it is a standard one given in lower case. */
function checkMethod(value: string, fail: (why: string) => Error): string {
  if (!TOKEN.test(value))
    throw fail('expected an HTTP method, e.g. GET, POST, PUT, DELETE or HEAD');
  const upper = value.toUpperCase();
  const method = STANDARD_METHODS.has(upper) ? upper : value;
  if (method === 'CONNECT')
    throw fail(
      'CONNECT opens a tunnel, it is not a request to load; expected a method such as GET or POST',
    );
  return method;
}

const STANDARD_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
  'QUERY',
]);

/** The PEM text of `ca-file`: one certificate at least. */
function certificates(path: string, file: InputFile): string {
  const expected = 'a PEM file of CA certificates (-----BEGIN CERTIFICATE-----)';
  const text = file('ca-file', path, MAX_TEXT_FILE_BYTES, expected).toString('utf8');
  const fail = (why: string) =>
    new InputError('ca-file', `Invalid ca-file '${path}': ${why}; expected ${expected}`);
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw fail('it holds no certificate');
  // TLS would drop a block it cannot parse without a word: read each one here.
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch {
      throw fail(`certificate ${i + 1} of ${blocks.length} cannot be read`);
    }
  });
  return text;
}

/**
 * The routes of one side: one (`method` to the side's path) without `targets`, else one per target,
 * relative URLs taken against the side's URL. The head's absolute targets must go to the head's
 * origin; the baseline sends the same paths to its own. Identical requests share one route object
 * (and so one name, and one body buffer).
 */
function buildRoutes(
  side: Endpoint,
  targets: Targets | null,
  request: RequestInputs,
  isHead: boolean,
): Route[] {
  const sideOrigin = origin(side);
  if (targets === null) {
    const fail = (why: string) =>
      new InputError('method', `Invalid method '${request.method}': ${why}`);
    return [
      route(
        sideOrigin,
        request.method,
        side.path,
        request.headers,
        request.body,
        request.contentType,
        fail,
      ),
    ];
  }
  const routes: Route[] = [];
  // Identical requests share one route: found by a fingerprint of what is sent, so that a long
  // targets list is read in linear time.
  const byRequest = new Map<string, Route>();
  const sameName = new Map<string, number>();
  const bodyKeys = new Map<Uint8Array, string>();
  for (const entry of targets.entries) {
    const fail = (line: number, why: string) =>
      new InputError('targets', `Invalid ${targets.label}: line ${line} ${why}`);
    const method = checkMethod(entry.method, (why) =>
      fail(entry.line, `has method '${printable(entry.method)}': ${why}`),
    );
    let path: string;
    if (ABSOLUTE_URL.test(entry.url)) {
      const read = readUrl(entry.url);
      if (typeof read === 'string') {
        throw fail(entry.line, `has URL '${printable(entry.url)}': ${read}`);
      }
      // The head's absolute targets must go to the head; the baseline sends their paths to itself.
      if (isHead && origin(read) !== sideOrigin) {
        throw fail(
          entry.line,
          `goes to ${origin(read)}, but the service is ${sideOrigin}: every target goes to one ` +
            `service (write relative URLs, e.g. 'GET /users')`,
        );
      }
      path = read.path;
    } else {
      // `//host/x` would name another host, which the URL parser takes silently; a backslash is
      // read as `/`. Other references are resolved against the side's URL (`users` under `/api/`).
      if (entry.url.startsWith('//') || entry.url.includes('\\')) {
        throw fail(
          entry.line,
          `has URL '${printable(entry.url)}': expected a path such as /users, or an http:// or ` +
            `https:// URL of the service`,
        );
      }
      if (entry.url.includes('#'))
        throw fail(entry.line, `has a fragment ('#') in its URL, which is never sent`);
      let url: URL;
      try {
        url = new URL(entry.url, `${sideOrigin}${side.path}`);
      } catch {
        throw fail(entry.line, `has URL '${printable(entry.url)}', which is not a valid URL`);
      }
      path = `${url.pathname}${url.search}`;
    }
    const own: [string, string][] = [];
    for (const [name, value, line] of entry.headers) {
      const problem = headerProblem(name, value);
      if (problem) throw fail(line, `${problem}; the value is not shown because it may be secret`);
      own.push([name, value]);
    }
    const overridden = new Set(own.map(([name]) => name.toLowerCase()));
    const headers = [
      ...request.headers.filter(([name]) => !overridden.has(name.toLowerCase())),
      ...own,
    ];
    let body = request.body;
    if (entry.bodyFile !== '') {
      const file = resolve(targets.folder, entry.bodyFile);
      body = request.bodies.get(file) ?? null;
      if (body === null) {
        try {
          body = request.readFile(file, MAX_BODY_BYTES);
        } catch (error) {
          const where =
            targets.folder === '.' ? 'the working directory' : "the targets file's folder";
          throw fail(
            entry.bodyLine,
            `names the body file '${file}' (relative to ${where}): ${(error as Error).message}; ` +
              `expected a file of at most ${formatBytes(MAX_BODY_BYTES)}`,
          );
        }
        request.bodies.set(file, body);
      }
      if (body.length === 0) body = null;
    }
    const made = route(sideOrigin, method, path, headers, body, request.contentType, (why) =>
      fail(entry.line, why),
    );
    const key = fingerprint(made, bodyKeys);
    const twin = byRequest.get(key);
    if (twin) {
      routes.push(twin);
      continue;
    }
    if (byRequest.size === MAX_ROUTES) {
      throw fail(
        entry.line,
        `is past the limit of ${MAX_ROUTES} distinct requests (each has its own counts and ` +
          `latency histogram); repeat a target to weight it rather than vary it`,
      );
    }
    const named = (sameName.get(made.name) ?? 0) + 1;
    sameName.set(made.name, named);
    if (named > 1) made.name = `${made.name} #${named}`;
    byRequest.set(key, made);
    routes.push(made);
  }
  return routes;
}
/**
 * One route as the load sends it, checked by a dry run of the HTTP client; `contentType` is added
 * unless the headers set Content-Type.
 */
function route(
  to: string,
  method: string,
  path: string,
  headers: [string, string][],
  body: Buffer | null,
  contentType: string,
  fail: (why: string) => Error,
): Route {
  const all: [string, string][] =
    contentType !== '' && !headers.some(([name]) => name.toLowerCase() === 'content-type')
      ? [...headers, ['Content-Type', contentType]]
      : headers;
  if (method === 'HEAD' && body !== null) {
    throw fail('HEAD requests carry no body; drop body, body-file or the @file line');
  }
  const problem = requestProblem(to, {
    path,
    method,
    headers: all.flat(),
    body: body ?? undefined,
  });
  if (problem) throw fail(`the HTTP client refuses the request ${method} ${path} (${problem})`);
  return { name: `${method} ${path}`, method, path, headers: all, body };
}

/**
 * HTTP/2 forbids the headers that manage an HTTP/1.1 connection (RFC 9113, 8.2.2): a request that
 * carries one fails on every stream, so it is an input error here.
 */
function refuseHttp1Headers(routes: Route[], fromTargets: boolean): void {
  for (const route of routes) {
    for (const [name, value] of route.headers) {
      const lower = name.toLowerCase();
      const forbidden =
        ['connection', 'keep-alive', 'proxy-connection', 'upgrade'].includes(lower) ||
        (lower === 'te' && value.toLowerCase() !== 'trailers');
      if (forbidden) {
        throw new InputError(
          fromTargets ? 'targets' : 'headers',
          `Invalid ${fromTargets ? 'targets' : 'headers'}: ${route.name} sets ${name}, which ` +
            `HTTP/2 forbids (a header of HTTP/1.1 connections); drop it, or set http2: false`,
        );
      }
    }
  }
}

/**
 * What a route sends, as a key: two routes with the same key send the same bytes. A body is keyed
 * by a digest of its bytes, computed once per buffer (`keys`).
 */
function fingerprint(route: Route, keys: Map<Uint8Array, string>): string {
  let body = '';
  if (route.body !== null) {
    body = keys.get(route.body) ?? createHash('sha256').update(route.body).digest('hex');
    keys.set(route.body, body);
  }
  return JSON.stringify([route.method, route.path, route.headers, body]);
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
  const match = DURATION.exec(value);
  const n = match ? Number(match[1]) * UNIT_SECONDS[match[2] || 's'] : NaN;
  if (!(above ? n > min : n >= min) || n > max) {
    throw new InputError(
      name,
      `Invalid ${name} '${value}': expected seconds, or a number with a unit (500ms, 10s, 2m), ` +
        (above ? `greater than ${min} and at most ${max} s` : `from ${min} to ${max} s`),
    );
  }
  // 0.1 s written as 100ms is 0.1, not 0.1000000000000000055.
  return Number(n.toPrecision(12));
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
  'content-length': 'the HTTP client sets it from the body',
};

/**
 * Why one header cannot be sent as given, or null: not `Name: value`, one the HTTP client sets
 * itself, or one it would refuse on every request (found by a dry run, see `requestProblem`). The
 * value is never quoted: it may be secret.
 */
function headerProblem(name: string, value: string): string | null {
  if (!TOKEN.test(name) || /[\0\r\n]/.test(value)) {
    return `is not 'Name: value' (a header name of letters, digits and !#$%&'*+.^_\`|~- followed by a colon)`;
  }
  const own = OWN_HEADERS[name.toLowerCase()];
  if (own) return `sets ${name}, which cannot be set: ${own}`;
  // undici sends only its own Connection header: keep-alive, or close when asked for.
  if (name.toLowerCase() === 'connection' && !/^(close|keep-alive)$/i.test(value)) {
    return `sets Connection to something else than close or keep-alive, which the HTTP client would not send`;
  }
  const problem = requestProblem('http://127.0.0.1', {
    path: '/',
    method: 'GET',
    headers: [name, value],
  });
  if (problem) {
    return (
      `('${name}') is refused by the HTTP client (${problem}); header values must be printable ` +
      `Latin-1 text, and Expect, Transfer-Encoding, Upgrade and Keep-Alive cannot be set`
    );
  }
  return null;
}

/**
 * One `Name: value` per line; blank lines are skipped. Every header is also shown to undici (see
 * `requestProblem`), so a value it would refuse on every request is refused here, with its line.
 * The value is never quoted in an error.
 */
function headerLines(input: 'headers' | 'secret-headers', value: string): [string, string][] {
  const headers: [string, string][] = [];
  const lines = value.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    const headerValue = colon > 0 ? line.slice(colon + 1).trim() : '';
    const problem = headerProblem(name, headerValue);
    if (problem) {
      throw new InputError(
        input,
        `Invalid ${input}: line ${i + 1} ${problem}; the value is not shown because it may be secret`,
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
      input,
      `Invalid ${input}: the HTTP client refuses them together (${problem}), e.g. a header given twice that may appear once`,
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

/**
 * `text` with control characters shown as `\xNN`, and the password of a URL's `user:password@`
 * as `***`, for quoting in a message.
 */
function printable(text: string): string {
  let out = '';
  const masked = text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#@:]*:)[^/?#]*@/, '$1***@');
  for (const char of masked) {
    const code = char.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : char;
  }
  return out;
}
