/** The settings of one check, read and checked by src/config/settings.ts. Types and pure helpers. */

/** Everything one check needs, with units in the names. */
export interface Settings extends Target {
  /** Negotiate HTTP/2 by ALPN (https only); the server may still choose HTTP/1.1. */
  http2: boolean;
  /** Certificate checks of an https target. */
  tls: Tls;
  /** The `ca-file` input as given ('' = none), for the report; its text is in `tls.ca`. */
  caFile: string;
  /** Where the routes came from: '' (url/path, method, body), a file path, or `inline`. */
  targetsSource: string;
  /** The requested length of the measured window in seconds (the `duration` input). */
  durationSec: number;
  /** Gate: fewer counted requests than this fails the check. Integer >= 0; 0 = off. */
  minRequests: number;
  /** Gate: fewer counted requests per second of the window fails the check; null = off. */
  minRps: number | null;
  /** Gate: a larger share of failed requests (errors, timeouts, unexpected statuses), in percent. */
  maxErrorRatePct: number;
  /** Gates on latency percentiles of counted responses, in ms; null = off. */
  maxP50Ms: number | null;
  maxP95Ms: number | null;
  maxP99Ms: number | null;
  /** Open model: requests per second sent at fixed intervals; null = closed loop. */
  rate: number | null;
  /** Keep-alive connections. Integer 1-1000. */
  connections: number;
  /** Requests in flight on each connection. Integer 1-100; above 1 the requests are pipelined. */
  pipelining: number;
  /**
   * Keep the event loop spinning between responses (faster at 1 connection, burns a core). From the
   * `busy-poll` input: `auto` is `'trial'` at 1 connection with 1 request in flight in the closed
   * loop (a short trial of both modes before the window decides, src/check/busy-poll.ts), and false
   * otherwise.
   */
  busyPoll: boolean | 'trial';
  /** Per-request timeout in seconds: from sending the request to the end of the body. */
  timeoutSec: number;
  /** How long to wait for the target to answer before the load starts, in seconds; 0 = don't wait. */
  waitTimeoutSec: number;
  /** Load sent before the measured window and not counted, in seconds (0 = none). */
  warmupSec: number;
  /** Statuses that count as requests, as inclusive ranges, e.g. `[[200, 299]]`. */
  expectedStatus: [number, number][];
  /**
   * Extra request headers of every route, `[name, value]` (already in each route's `headers`):
   * the `headers` input, then `secret-headers`. Never print a value: the report and the summary
   * name headers only, and the log masks the values `secretValues` lists (src/config/secrets.ts).
   */
  headers: [string, string][];
  /** Names of the `secret-headers` input, lower case: their values are masked whatever the name. */
  secretHeaders: string[];
  /** A second service to compare with (head vs baseline), or null. */
  baseline: Target | null;
  /** Slices per side in a comparison (each side gets `durationSec` in all, unless it measures on). */
  rounds: number;
  /**
   * `rounds: auto`: a same-job comparison too noisy to catch max-regression + 5 points measures
   * more pairs, up to twice `rounds` (`extensionBatch`, src/check/comparison.ts). An explicit
   * `rounds` is kept as given.
   */
  roundsAuto: boolean;
  /** The comparison fails when the whole interval lies below -maxRegressionPct. */
  maxRegressionPct: number;
  /** Two-sided confidence of the comparison's interval. */
  confidence: number;
  /** A saved report to compare with (`baseline-file`), or '' for none. Exclusive with `baseline`. */
  baselineFile: string;
  /** Where to write the JSON report; '' = the adapter's default (the action: `$RUNNER_TEMP`). */
  reportFile: string;
  /** Where to write the github-action-benchmark file; '' = the adapter's default. */
  benchmarkFile: string;
  /** Where to write the github-action-benchmark latency file; '' = the adapter's default. */
  benchmarkLatencyFile: string;
  /** When to post the result on the pull request (src/system/github.ts). */
  comment: 'off' | 'always' | 'on-failure';
  /** What the comment is posted with; '' = none. A secret: never print it. */
  githubToken: string;
}

export type Scheme = 'http' | 'https';

/** Where requests go: one origin, and the routes sent to it in turn. */
export interface Target {
  scheme: Scheme;
  /** Host name or IP address, as typed (IPv6 without brackets). */
  host: string;
  /** TCP port, 1-65535. */
  port: number;
  /**
   * The path of `url` or `path`, as sent: starts with `/`, may carry a query, non-ASCII
   * percent-encoded as UTF-8. Relative targets are resolved against it.
   */
  path: string;
  /**
   * What is sent, in turn on each connection (round robin); at least one. A route listed twice is
   * sent twice as often. Without `targets`: one route, `method` to `path`.
   */
  routes: Route[];
}

/** One request as sent again and again. */
export interface Route {
  /**
   * `METHOD /path?query`: the key its counts are reported under. Routes with the same name are the
   * same request (the same headers and body); a different request to the same method and path gets
   * a suffix (`GET /a #2`).
   */
  name: string;
  /** An HTTP method token as sent, e.g. `GET`, `POST`. */
  method: string;
  /** Path and query as sent, starting with `/`. */
  path: string;
  /**
   * Every header of the request but those the HTTP client sets (Host, Content-Length): the
   * `headers` input, then the target's own, and Content-Type. Values are secrets.
   */
  headers: [string, string][];
  /** The body, sent with Content-Length; null = none. One buffer, reused for every request. */
  body: Uint8Array | null;
}

/** Each route once, in the order of first appearance, with the times it is listed (its weight). */
export function distinctRoutes(routes: Route[]): { route: Route; weight: number }[] {
  const seen = new Map<Route, { route: Route; weight: number }>();
  for (const route of routes) {
    const entry = seen.get(route);
    if (entry) entry.weight++;
    else seen.set(route, { route, weight: 1 });
  }
  return [...seen.values()];
}

/** The requests of `routes` in one line, with weights: `GET /users x2, POST /orders`. */
export function requestsOf(routes: { name: string; weight: number }[]): string {
  return routes.map(({ name, weight }) => (weight > 1 ? `${name} x${weight}` : name)).join(', ');
}

/** Certificate checks of an https target. */
export interface Tls {
  /** Accept any certificate (self-signed, expired, another name). */
  insecure: boolean;
  /** PEM text of the CAs to trust (from `ca-file`), besides Node's own; null = Node's only. */
  ca: string | null;
}

/** The URL of the target's first route (or of its path when it has none). */
export function targetUrl(
  target: Pick<Target, 'scheme' | 'host' | 'port' | 'path'> & { routes?: Route[] },
): string {
  return `${origin(target)}${target.routes?.[0]?.path ?? target.path}`;
}

/** `https://host:port`, with an IPv6 address in brackets. */
export function origin(target: Pick<Target, 'scheme' | 'host' | 'port'>): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `${target.scheme}://${host}:${target.port}`;
}

/** `[[200, 299], [304, 304]]` -> `200-299, 304` */
export function formatStatusRanges(ranges: [number, number][]): string {
  return ranges.map(([low, high]) => (low === high ? `${low}` : `${low}-${high}`)).join(', ');
}

/**
 * Seconds without trailing zeros, to the millisecond: 5 -> "5", 0.25 -> "0.25", 5.0004 -> "5";
 * below a millisecond to 2 significant digits, so a short run never reads "0 s": 0.0001 -> "0.0001".
 */
export function formatSeconds(seconds: number): string {
  if (seconds > 0 && seconds < 0.0005) return String(Number(seconds.toPrecision(2)));
  return String(Math.round(seconds * 1000) / 1000);
}

/** A confidence as a percentage, to 2 decimals without trailing zeros: 0.95 -> `95%`, 0.9999 -> `99.99%`. */
export function formatConfidence(confidence: number): string {
  return `${Number((confidence * 100).toFixed(2))}%`;
}

/** A change in percent with its sign, one decimal: 2.34 -> `+2.3%`, -7.5 -> `-7.5%`. */
export function formatChange(pct: number): string {
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
}
