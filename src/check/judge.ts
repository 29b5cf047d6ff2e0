/**
 * Every decision a check reaches, and its wording: the `min-requests` gate, a comparison's verdict,
 * a side that cannot be compared, a target that never answered, a cancelled run, a bug of ours.
 * Pure: plain values in, a `Decision` out.
 */
import type { Decision, Shift, Side, Slice, Verdict } from '../model/check.js';
import type { LoadResult } from '../model/result.js';
import { formatChange, formatConfidence, formatSeconds } from '../model/settings.js';

interface GateInput {
  requests: number;
  minRequests: number;
  /** The configured duration, in seconds (the window the user asked for). */
  durationSec: number;
}

export function judge({ requests, minRequests, durationSec }: GateInput): Decision {
  const window = `${requests} requests in ${formatSeconds(durationSec)} s`;
  if (requests < minRequests) {
    return {
      passed: false,
      outcome: 'failed',
      message: `Throughput check failed: ${window}, below min-requests ${minRequests}`,
    };
  }
  return {
    passed: true,
    outcome: 'passed',
    message: `Throughput check passed: ${window}, at or above min-requests ${minRequests}`,
  };
}

/** The run was stopped by a signal (e.g. the job was cancelled): never a pass. */
export function cancelled(input: GateInput & { signal: string; elapsedSec: number }): Decision {
  return {
    passed: false,
    outcome: 'cancelled',
    message:
      `Throughput check cancelled by ${input.signal} after ${formatSeconds(input.elapsedSec)} s ` +
      `of ${formatSeconds(input.durationSec)} s: ${input.requests} requests counted so far ` +
      `(min-requests ${input.minRequests})`,
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
      message:
        `Target ${input.url} refused: its certificate is not trusted: ${input.lastError}. ` +
        certificateAdvice(input.lastErrorCode ?? '', input.caFile === true),
    };
  }
  return {
    passed: false,
    outcome: 'not-ready',
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
    message: `http-load-check failed unexpectedly: ${stack}`,
  };
}

/**
 * The decision of a comparison with an interval: a regression fails; otherwise the absolute gate
 * (`min-requests`) has the last word, and a pass names the verdict and the interval.
 */
export function comparisonDecision(
  shift: Shift,
  verdict: Verdict,
  limits: { confidence: number; maxRegressionPct: number },
  absolute: Decision,
): Decision {
  const interval =
    `${formatChange(shift.changePct)} (${formatConfidence(limits.confidence)} interval ` +
    `${formatChange(shift.lowPct)} to ${formatChange(shift.highPct)})`;
  if (verdict === 'regression') {
    return {
      passed: false,
      outcome: 'failed',
      message:
        `Throughput regression: head vs baseline ${interval}, the whole interval below ` +
        `-${limits.maxRegressionPct}% (max-regression)`,
    };
  }
  if (!absolute.passed) return absolute;
  const words: Record<Exclude<Verdict, 'regression'>, string> = {
    faster: 'Head is faster than baseline',
    slower: `Head is slower than baseline, within max-regression ${limits.maxRegressionPct}%`,
    unchanged: 'No significant change between head and baseline',
  };
  return { passed: true, outcome: 'passed', message: `${words[verdict]}: ${interval}` };
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
  timeoutSec: number,
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
        `errors ${r.errors}, timeouts ${r.timeouts} at timeout ${formatSeconds(timeoutSec)} s` +
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
    message: `Throughput comparison failed: ${reasons.join('; ')}`,
  };
}
