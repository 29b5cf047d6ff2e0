/** The gate: compares the measured count with `min-requests`, and words every outcome. Pure. */

export type Outcome = 'passed' | 'failed' | 'cancelled' | 'not-ready';

export interface Verdict {
  passed: boolean;
  outcome: Outcome;
  /** One sentence for the log and the failure annotation. */
  message: string;
}

export interface VerdictInput {
  requests: number;
  minRequests: number;
  /** The configured duration, in seconds (the window the user asked for). */
  durationSec: number;
}

export function judge({ requests, minRequests, durationSec }: VerdictInput): Verdict {
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
export function cancelled(input: VerdictInput & { signal: string; elapsedSec: number }): Verdict {
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
}): Verdict {
  return {
    passed: false,
    outcome: 'not-ready',
    message:
      `Target ${input.url} did not answer within ${formatSeconds(input.waitTimeoutSec)} s ` +
      `(wait-timeout)` +
      (input.lastError ? `; last error: ${input.lastError}` : ''),
  };
}

/**
 * Seconds without trailing zeros, to the millisecond: 5 -> "5", 0.25 -> "0.25", 5.0004 -> "5";
 * below a millisecond to 2 significant digits, so a short run never reads "0 s": 0.0001 -> "0.0001".
 */
export function formatSeconds(seconds: number): string {
  if (seconds > 0 && seconds < 0.0005) return String(Number(seconds.toPrecision(2)));
  return String(Math.round(seconds * 1000) / 1000);
}
