/** The gate: compares the measured count with `min-requests`. Pure. */

export interface Verdict {
  passed: boolean;
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
      message: `Throughput check failed: ${window}, below min-requests ${minRequests}`,
    };
  }
  return {
    passed: true,
    message: `Throughput check passed: ${window}, at or above min-requests ${minRequests}`,
  };
}

/** Seconds without trailing zeros: 5 -> "5", 0.25 -> "0.25", 5.0004 -> "5". */
export function formatSeconds(seconds: number): string {
  return String(Math.round(seconds * 1000) / 1000);
}
