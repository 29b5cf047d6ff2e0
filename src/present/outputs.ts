/**
 * The step's outputs, as the names and text values the action sets (the names and their meaning:
 * OUTPUTS in src/config/options.ts), and the CLI's exit code for the same decision. Pure.
 */
import type { Check, Decision } from '../model/check.js';
import { errorRatePct, requestsPerSecond } from '../model/result.js';
import { formatMs } from './text.js';

/** `written` names the files written: `report` and `benchmark-file`, when they were. */
export function outputsOf(check: Check, written: Record<string, string>): Record<string, string> {
  const { result, decision } = check;
  const outputs: Record<string, string> = {
    requests: String(result.requests),
    rps: requestsPerSecond(result).toFixed(1),
    'unexpected-status': String(result.unexpectedStatus),
    errors: String(result.errors),
    timeouts: String(result.timeouts),
    duration: (result.windowMs / 1000).toFixed(3),
    'latency-p50-ms': formatMs(result.latency.p50Us),
    'latency-p90-ms': formatMs(result.latency.p90Us),
    'latency-p95-ms': formatMs(result.latency.p95Us),
    'latency-p99-ms': formatMs(result.latency.p99Us),
    'latency-max-ms': formatMs(result.latency.maxUs),
    'error-rate': errorRatePct(result).toFixed(2),
    dropped: String(result.schedule?.dropped ?? 0),
    outcome: decision.outcome,
    passed: String(decision.passed),
    'failed-gates': decision.gates
      .filter((g) => !g.passed)
      .map((g) => g.name)
      .join(','),
    ...written,
  };
  if (check.kind !== 'absolute') {
    const { shift } = check;
    Object.assign(outputs, {
      'baseline-requests': String(check.baseline.requests),
      'change-percent': shift ? shift.changePct.toFixed(2) : '',
      'change-low': shift ? shift.lowPct.toFixed(2) : '',
      'change-high': shift ? shift.highPct.toFixed(2) : '',
      verdict: check.verdict ?? '',
      'detectable-regression':
        check.detectableRegressionPct === null ? '' : check.detectableRegressionPct.toFixed(1),
    });
  }
  return outputs;
}

/**
 * The CLI's exit code for a decision: 0 passed, 1 a gate failed (a regression included), 3 the
 * target never became ready, 130 interrupted (as a shell reports SIGINT). 2, bad usage, comes
 * before any decision.
 */
export function exitCodeOf(decision: Decision): number {
  if (decision.passed) return 0;
  if (decision.outcome === 'not-ready') return 3;
  if (decision.outcome === 'cancelled') return 130;
  return 1;
}
