/** The settings of one check, read and checked by src/config/settings.ts. Types and pure helpers. */

/** Everything one check needs, with units in the names. */
export interface Settings {
  /** Host name or IP address of the target, as typed (IPv6 without brackets). */
  host: string;
  /** TCP port of the target, 1-65535. */
  port: number;
  /** Request path as sent, starting with `/`; may carry a query string; non-ASCII percent-encoded as UTF-8. */
  path: string;
  /** The requested length of the measured window in seconds (the `duration` input). */
  durationSec: number;
  /** The gate: fewer requests than this fails the check. Integer >= 0. */
  minRequests: number;
  /** Keep-alive connections. Integer 1-1000. */
  connections: number;
  /** Requests in flight on each connection. Integer 1-100; above 1 the requests are pipelined. */
  pipelining: number;
  /**
   * Keep the event loop spinning between responses (faster at 1 connection, burns a core). Resolved
   * from the `busy-poll` input: `auto` turns it on for 1 connection with 1 request in flight only.
   */
  busyPoll: boolean;
  /** Per-request timeout in seconds: from sending the request to the end of the body. */
  timeoutSec: number;
  /** How long to wait for the target to answer before the load starts, in seconds; 0 = don't wait. */
  waitTimeoutSec: number;
  /** Load sent before the measured window and not counted, in seconds (0 = none). */
  warmupSec: number;
  /** Statuses that count as requests, as inclusive ranges, e.g. `[[200, 299]]`. */
  expectedStatus: [number, number][];
  /** Extra request headers, `[name, value]`. The values are secrets: never print them. */
  headers: [string, string][];
  /** A second service to compare with (head vs baseline), or null. */
  baseline: Target | null;
  /** Slices per side in a comparison (each side gets `durationSec` in all). */
  rounds: number;
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
}

/** Where requests go. */
export interface Target {
  host: string;
  port: number;
  path: string;
}

/** The URL the check sends its requests to. */
export function targetUrl(target: Target): string {
  return `${origin(target)}${target.path}`;
}

/** `http://host:port`, with an IPv6 address in brackets. */
export function origin(target: Pick<Target, 'host' | 'port'>): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `http://${host}:${target.port}`;
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
