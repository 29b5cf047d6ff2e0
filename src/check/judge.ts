/**
 * Every decision a check reaches, and its wording: the `min-requests` gate, a comparison's verdict,
 * a side that cannot be compared, a target that never answered, a cancelled run, a bug of ours.
 * Pure: plain values in, a `Decision` out.
 */
import type { Decision, Gate, GateName, Shift, Side, Slice, Verdict } from '../model/check.js';
import { errorRatePct, requestsPerSecond, requestsSent, type LoadResult } from '../model/result.js';
import { formatChange, formatConfidence, formatSeconds, type Settings } from '../model/settings.js';

/** What the gates of one service's result need from the settings. */
export type GateLimits = Pick<
  Settings,
  | 'minRequests'
  | 'minRps'
  | 'maxErrorRatePct'
  | 'maxP50Ms'
  | 'maxP95Ms'
  | 'maxP99Ms'
  | 'durationSec'
>;

/**
 * The gates a result is judged by, in a fixed order: min-requests and min-rps when set, the error
 * rate always, then each latency gate that is set.
 */
export function gatesOf(limits: GateLimits, result: LoadResult): Gate[] {
  const gates: Gate[] = [];
  const gate = (name: GateName, limit: number, value: number | null, passed: boolean) =>
    gates.push({ name, limit, value, passed });
  if (limits.minRequests > 0) {
    gate(
      'min-requests',
      limits.minRequests,
      result.requests,
      result.requests >= limits.minRequests,
    );
  }
  if (limits.minRps !== null) {
    const rps = requestsPerSecond(result);
    gate('min-rps', limits.minRps, rps, rps >= limits.minRps);
  }
  // Nothing sent in the window (every slot held by the warm-up, or the run's sends all dropped):
  // no rate to judge, and no sign the service works.
  if (requestsSent(result) === 0) {
    gate('max-error-rate', limits.maxErrorRatePct, null, false);
  } else {
    const errorRate = errorRatePct(result);
    gate('max-error-rate', limits.maxErrorRatePct, errorRate, errorRate <= limits.maxErrorRatePct);
  }
  const latency = [
    ['max-p50-ms', limits.maxP50Ms, result.latency.p50Us],
    ['max-p95-ms', limits.maxP95Ms, result.latency.p95Us],
    ['max-p99-ms', limits.maxP99Ms, result.latency.p99Us],
  ] as const;
  for (const [name, limit, us] of latency) {
    if (limit === null) continue;
    // No counted response, no latency: a gate on it cannot hold.
    if (result.latency.count === 0) gate(name, limit, null, false);
    else gate(name, limit, us / 1000, us / 1000 <= limit);
  }
  return gates;
}

/** One gate in words: `error rate 100.00%, above max-error-rate 1%`. */
export function gatePhrase(gate: Gate, durationSec: number): string {
  const { name, limit, value, passed } = gate;
  const v = value ?? NaN;
  switch (name) {
    case 'min-requests':
      return `${v} requests in ${formatSeconds(durationSec)} s, ${passed ? 'at or above' : 'below'} min-requests ${limit}`;
    case 'min-rps':
      return `${v.toFixed(1)} req/s, ${passed ? 'at or above' : 'below'} min-rps ${limit}`;
    case 'max-error-rate':
      return value === null
        ? 'no request was sent in the window (max-error-rate)'
        : `error rate ${v.toFixed(2)}%, ${passed ? 'within' : 'above'} max-error-rate ${limit}%`;
    case 'max-p50-ms':
    case 'max-p95-ms':
    case 'max-p99-ms':
      return value === null
        ? `no counted response to measure ${name.slice(4, 7)} latency on (${name} ${limit})`
        : `${name.slice(4, 7)} ${v.toFixed(3)} ms, ${passed ? 'within' : 'above'} ${name} ${limit}`;
    case 'max-regression':
      return value === null
        ? 'no interval of the change (max-regression)'
        : `the change's interval ends at ${formatChange(v)}, ${passed ? 'within' : 'below'} -${limit}% (max-regression)`;
  }
}

/** `; <phrase>` for each gate that failed, to follow a sentence that names something else first. */
function failedPhrases(gates: Gate[], durationSec: number): string {
  return gates
    .filter((g) => !g.passed)
    .map((g) => `; ${gatePhrase(g, durationSec)}`)
    .join('');
}

/** The decision of one service's gates: passed when every gate held. */
export function judge(limits: GateLimits, result: LoadResult): Decision {
  const gates = gatesOf(limits, result);
  return fromGates(gates, limits.durationSec);
}

/** `Check passed: …` with every gate, or `Check failed: …` with the failed ones. */
function fromGates(gates: Gate[], durationSec: number, lead = ''): Decision {
  const failed = gates.filter((g) => !g.passed);
  const shown = (failed.length > 0 ? failed : gates).map((g) => gatePhrase(g, durationSec));
  const passed = failed.length === 0;
  return {
    passed,
    outcome: passed ? 'passed' : 'failed',
    message: `Check ${passed ? 'passed' : 'failed'}: ${lead}${shown.join('; ')}`,
    gates,
  };
}

/** The run was stopped by a signal (e.g. the job was cancelled): never a pass. */
export function cancelled(input: {
  signal: string;
  elapsedSec: number;
  durationSec: number;
  requests: number;
}): Decision {
  return {
    passed: false,
    outcome: 'cancelled',
    gates: [],
    message:
      `Check cancelled by ${input.signal} after ${formatSeconds(input.elapsedSec)} s ` +
      `of ${formatSeconds(input.durationSec)} s: ${input.requests} requests counted so far`,
  };
}

/** The target never answered within `wait-timeout`. */
export function notReady(input: {
  url: string;
  waitTimeoutSec: number;
  lastError?: string;
  /** The wait ended at once on a certificate that is not trusted. */
  certificate?: boolean;
  /** Its error code (e.g. DEPTH_ZERO_SELF_SIGNED_CERT), which decides the advice. */
  lastErrorCode?: string;
  /** ca-file was given: it did not trust the certificate, so asking for it again would not help. */
  caFile?: boolean;
  /** What may be wrong, e.g. that the other loopback family accepts connections. */
  hint?: string;
}): Decision {
  if (input.certificate) {
    return {
      passed: false,
      outcome: 'not-ready',
      gates: [],
      message:
        `Target ${input.url} refused: its certificate is not trusted: ${input.lastError}. ` +
        certificateAdvice(input.lastErrorCode ?? '', input.caFile === true),
    };
  }
  return {
    passed: false,
    outcome: 'not-ready',
    gates: [],
    message:
      `Target ${input.url} did not answer within ${formatSeconds(input.waitTimeoutSec)} s ` +
      `(wait-timeout)` +
      (input.lastError ? `; last error: ${input.lastError}` : '') +
      (input.hint ? `; ${input.hint}` : ''),
  };
}

/** What to do about a certificate refused with `code`. */
function certificateAdvice(code: string, caFile: boolean): string {
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') {
    return 'It does not name this host: use a host name or address it names, or set insecure: true';
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return 'It is outside its validity dates: renew it, or set insecure: true';
  }
  if (caFile) {
    return 'ca-file does not hold the CA that signed it: give that CA, or set insecure: true';
  }
  return (
    'For a local service with a self-signed certificate set insecure: true, or give its CA in ' +
    'ca-file'
  );
}

/**
 * The gate's rule: a regression only when the whole interval lies below `-maxRegressionPct`; slower
 * or faster when the whole interval lies on one side of 0; unchanged otherwise.
 */
export function verdictOf(shift: Shift, maxRegressionPct: number): Verdict {
  if (shift.highPct < -maxRegressionPct) return 'regression';
  if (shift.highPct < 0) return 'slower';
  if (shift.lowPct > 0) return 'faster';
  return 'unchanged';
}

/** A bug of ours, not a fault of the target: the step fails with the stack. */
export function crashed(error: unknown): Decision {
  const stack = error instanceof Error ? (error.stack ?? String(error)) : String(error);
  return {
    passed: false,
    outcome: 'failed',
    gates: [],
    message: `http-load-check failed unexpectedly: ${stack}`,
  };
}

/**
 * The decision of a comparison with an interval: the head's own gates (`absolute`) and the
 * max-regression gate, which fails when the whole interval lies below -max-regression. A pass
 * names the verdict and the interval first.
 */
export function comparisonDecision(
  shift: Shift,
  verdict: Verdict,
  limits: { confidence: number; maxRegressionPct: number; durationSec: number },
  absolute: Decision,
): Decision {
  const interval =
    `${formatChange(shift.changePct)} (${formatConfidence(limits.confidence)} interval ` +
    `${formatChange(shift.lowPct)} to ${formatChange(shift.highPct)})`;
  const regression: Gate = {
    name: 'max-regression',
    limit: limits.maxRegressionPct,
    value: shift.highPct,
    passed: verdict !== 'regression',
  };
  const others = absolute.gates;
  if (verdict === 'regression') {
    return {
      passed: false,
      outcome: 'failed',
      gates: [...others, regression],
      message:
        `Check failed: throughput regression, head vs baseline ${interval}, the whole interval ` +
        `below -${limits.maxRegressionPct}% (max-regression)` +
        failedPhrases(others, limits.durationSec),
    };
  }
  const words: Record<Exclude<Verdict, 'regression'>, string> = {
    faster: 'head is faster than baseline',
    slower: `head is slower than baseline, within max-regression ${limits.maxRegressionPct}%`,
    unchanged: 'no significant change between head and baseline',
  };
  return fromGates([...others, regression], limits.durationSec, `${words[verdict]}: ${interval}; `);
}

/**
 * The comparison cannot be made when a side has fewer than 2 slices or a slice with no request:
 * the failure says why in each such side's own counts, e.g. `the baseline answered no request in 4
 * of 4 slices (0 requests; unexpected status 0, errors 0, timeouts 3 at timeout 2 s)`. Null when
 * both sides can be compared.
 */
export function notComparable(
  sides: Record<Side, { result: LoadResult; slices: Slice[] }>,
  kind: 'paired' | 'saved',
  limits: Pick<Settings, 'timeoutSec' | 'maxRegressionPct' | 'durationSec'>,
  /** The head's own gates, judged as they would be without the comparison. */
  absolute: Decision,
): Decision | null {
  const reasons: string[] = [];
  for (const side of ['head', 'baseline'] as Side[]) {
    const { result: r, slices: own } = sides[side];
    const empty = own.filter((s) => !(s.rps > 0)).length;
    if (own.length >= 2 && empty === 0) continue;
    const name =
      side === 'head' ? 'the head' : kind === 'saved' ? 'the saved baseline' : 'the baseline';
    const what =
      own.length < 2
        ? `had ${own.length} slice(s), at least 2 are needed`
        : `answered no request with an expected status in ${empty} of ${own.length} slices`;
    const { responses, failures } = r.warmup;
    reasons.push(
      `${name} ${what} (${r.requests} requests; unexpected status ${r.unexpectedStatus}, ` +
        `errors ${r.errors}, timeouts ${r.timeouts} at timeout ${formatSeconds(limits.timeoutSec)} s` +
        (responses + failures > 0
          ? `; in the warm-up ${responses} responses and ${failures} failures`
          : '') +
        ')',
    );
  }
  if (reasons.length === 0) return null;
  return {
    passed: false,
    outcome: 'failed',
    gates: [
      ...absolute.gates,
      { name: 'max-regression', limit: limits.maxRegressionPct, value: null, passed: false },
    ],
    message:
      `Check failed: the throughput comparison cannot be made: ${reasons.join('; ')}` +
      failedPhrases(absolute.gates, limits.durationSec),
  };
}
