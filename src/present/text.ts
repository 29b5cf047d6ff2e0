/**
 * The log. The first two pieces are the standard line (README), which other tooling parses, so
 * they stay byte for byte the same: `http test running...` when the load starts, then a carriage
 * return and `http test running... ok, N requests made` and a newline. Everything else goes on
 * later lines.
 */
import {
  EXTENSION_AIM_MARGIN_PCT,
  type ComparisonCheck,
  type Extension,
  type Shift,
} from '../model/check.js';
import {
  requestsPerSecond,
  type LatencySummary,
  type LoadResult,
  type RouteResult,
  type Schedule,
} from '../model/result.js';
import { formatSeconds } from '../model/settings.js';

export const START_LINE = 'http test running...';

/** Printed when the load starts, with no newline (the final line overwrites it). */
export function startLine(): string {
  return START_LINE;
}

/** Printed at the end: overwrites the start line. */
export function finalLine(requests: number): string {
  return `\r${START_LINE} ok, ${requests} requests made\n`;
}

/** The target answered the readiness probe only after some waiting. */
export function readyLine(ready: { status?: number; waitedMs: number }): string {
  return `Target answered (status ${ready.status}) after ${(ready.waitedMs / 1000).toFixed(1)} s`;
}

/** Where a running check stands: time since the load started, requests counted, req/s lately. */
export interface Progress {
  elapsedMs: number;
  requests: number;
  /** Counted requests per second since the last progress. */
  rps: number;
  /** No counted window has opened yet (the busy-poll trial, the warm-up). */
  warmingUp: boolean;
}

/** On a terminal, the running line with the time and the current rate (the final line overwrites it). */
export function progressLine({ elapsedMs, rps, warmingUp }: Progress): string {
  const rate = warmingUp ? 'warming up' : `${formatRate(rps)} req/s`;
  return `\r\x1b[K${START_LINE} ${(elapsedMs / 1000).toFixed(1)} s, ${rate}`;
}

/**
 * In a log, one line of its own: `progress: 10 s, 24690 requests, 2469.0 req/s`. The session logs
 * it before the standard line, never inside it (src/session.ts).
 */
export function progressLogLine({ elapsedMs, requests, rps, warmingUp }: Progress): string {
  const seconds = Math.round(elapsedMs / 1000);
  if (warmingUp) return `progress: ${seconds} s, warming up`;
  return `progress: ${seconds} s, ${requests} requests, ${formatRate(rps)} req/s`;
}

/** `500 req/s asked, 498.2 sent per second`: the open model's rate, asked and achieved. */
export function scheduleRate(schedule: Schedule): string {
  return `${schedule.ratePerSec} req/s asked, ${formatRate(schedule.achievedPerSec)} sent per second`;
}

/** Detail lines printed after the standard line (no trailing newline on each). */
export function detailLines(result: LoadResult): string[] {
  const lines = [countsLine(result)];
  const { schedule } = result;
  if (schedule !== null) {
    lines.push(
      `rate: ${scheduleRate(schedule)}, ${schedule.dropped} dropped; latency counts from each ` +
        `send's due time`,
    );
  }
  if (result.latency.count > 0) lines.push(`latency: ${formatLatency(result.latency)}`);
  const statuses = formatCounts(result.statusCounts);
  if (statuses) lines.push(`responses by status: ${statuses}`);
  const kinds = formatCounts(result.errorsByKind);
  if (kinds) lines.push(`errors by kind: ${kinds}`);
  if (result.cancelled > 0) lines.push(`cancelled in flight: ${result.cancelled}`);
  const { warmup } = result;
  if (warmup.responses + warmup.failures > 0) {
    lines.push(`warm-up (not counted): ${formatWarmup(warmup)}`);
  }
  if (result.protocol === 'h2') lines.push('protocol: h2');
  if (result.routes.length > 1) lines.push(...result.routes.map(routeLine));
  return lines;
}

/** `route GET /users: 1234 requests, unexpected status: 0, errors: 0, timeouts: 0, p50 0.1 ms, p99 0.4 ms` */
function routeLine(route: RouteResult): string {
  return (
    `route ${route.name}: ${route.requests} requests, unexpected status: ${route.unexpectedStatus}, ` +
    `errors: ${route.errors}, timeouts: ${route.timeouts}` +
    (route.latency.count > 0
      ? `, p50 ${formatMs(route.latency.p50Us)} ms, p99 ${formatMs(route.latency.p99Us)} ms`
      : '')
  );
}

/** `2469.0 req/s over 5 s; unexpected status: 0, errors: 0, timeouts: 0` */
function countsLine(result: LoadResult): string {
  return (
    `${formatRate(requestsPerSecond(result))} req/s over ${formatSeconds(result.windowMs / 1000)} s; ` +
    `unexpected status: ${result.unexpectedStatus}, errors: ${result.errors}, ` +
    `timeouts: ${result.timeouts}`
  );
}

/**
 * The lines a comparison adds after the head's: the baseline's own counts (a measured baseline's
 * faults show here), then the change when there is one.
 */
export function comparisonLines(
  comparison: Pick<
    ComparisonCheck,
    'baseline' | 'shift' | 'verdict' | 'kind' | 'detectableRegressionPct' | 'extension'
  >,
): string[] {
  const { baseline, shift } = comparison;
  const lines: string[] = [];
  if (comparison.kind === 'paired') {
    lines.push(`baseline: ${baseline.requests} requests, ${countsLine(baseline)}`);
    const kinds = formatCounts(baseline.errorsByKind);
    if (kinds) lines.push(`baseline errors by kind: ${kinds}`);
  } else {
    lines.push(
      `saved baseline: ${baseline.requests} requests, ${formatRate(requestsPerSecond(baseline))} req/s`,
    );
  }
  if (shift) {
    lines.push(
      `head vs baseline: ${shift.changePct.toFixed(1)}% (interval ${shift.lowPct.toFixed(1)}% to ` +
        `${shift.highPct.toFixed(1)}%), verdict ${comparison.verdict}`,
    );
  }
  if (comparison.extension) lines.push(`noisy run: ${extensionText(comparison.extension)}`);
  if (comparison.detectableRegressionPct !== null) {
    lines.push(
      `this run could catch slowdowns of ${detectableText(comparison.detectableRegressionPct, shift)}`,
    );
  }
  return lines;
}

/**
 * Why a same-job comparison measured more pairs than planned: the log's, the summary's and the
 * pull-request comment's words for an `Extension`.
 */
export function extensionText(extension: Extension): string {
  const { plannedRounds, rounds, plannedDetectableRegressionPct, aimPct } = extension;
  const added = rounds - plannedRounds;
  return (
    `its ${plannedRounds} planned slice pairs could catch only slowdowns of ` +
    `${plannedDetectableRegressionPct.toFixed(1)}% or more, above the ${aimPct.toFixed(1)}% aimed at ` +
    `(max-regression + ${EXTENSION_AIM_MARGIN_PCT} points), so it measured ${added} more ` +
    `pair${added === 1 ? '' : 's'} ` +
    `(at most ${plannedRounds} more)`
  );
}

/**
 * `7.8% or more (about 95% of the time, from its own noise)`: `detectableRegressionPct`, with the
 * noise it counts: a saved baseline's adds the spread between runs its interval was widened by.
 */
export function detectableText(pct: number, shift: Shift | null): string {
  const spread = shift?.betweenRunSpreadPct ?? 0;
  const from =
    spread > 0
      ? `from both runs' noise and the spread between runs on one machine`
      : 'from its own noise';
  return `${pct.toFixed(1)}% or more (about 95% of the time, ${from})`;
}

/**
 * Which noise a comparison's interval accounts for, and which it does not: the summary's and the
 * pull-request comment's.
 */
export function noiseAccountedFor(shift: Shift): string {
  if (shift.test === 'signed-rank') {
    return (
      'The interval accounts for the noise within this run: head and baseline ran in ' +
      'alternating slices on one machine, so what slowed the machine slowed both.'
    );
  }
  const between =
    shift.betweenRunSpreadPct > 0
      ? ' and for the spread between two runs on one machine up to 30 min apart ' +
        `(${shift.betweenRunSpreadPct.toFixed(1)}% of req/s as an SD, a calibrated upper bound)`
      : ', not for the spread between runs';
  return (
    `The baseline is a report saved by an earlier run. The interval accounts for both runs' own ` +
    `noise${between}. It does not account for runs hours or days apart, or on a different ` +
    'runner or host (often 10-25% apart), so read the verdict as a hint: measuring base and ' +
    'head in the same job (baseline-port or baseline-url) largely cancels that noise.'
  );
}

/** `12 responses, 3 failures`: what a warm-up got, counted nowhere else. */
export function formatWarmup(warmup: LoadResult['warmup']): string {
  return `${warmup.responses} responses, ${warmup.failures} failures`;
}

/** `p50 0.081 ms, p90 0.102 ms, p95 0.130 ms, p99 0.250 ms, max 3.100 ms` */
export function formatLatency(latency: LatencySummary): string {
  return (
    `p50 ${formatMs(latency.p50Us)} ms, p90 ${formatMs(latency.p90Us)} ms, ` +
    `p95 ${formatMs(latency.p95Us)} ms, p99 ${formatMs(latency.p99Us)} ms, ` +
    `max ${formatMs(latency.maxUs)} ms`
  );
}

/** Microseconds as milliseconds with 3 decimals: 81 -> `0.081`. */
export function formatMs(us: number): string {
  return (us / 1000).toFixed(3);
}

/** `1234.5` -> `1234.5`, `12345.678` -> `12345.7`: one decimal, no grouping (machine-friendly). */
export function formatRate(rps: number): string {
  return (Math.round(rps * 10) / 10).toFixed(1);
}

/** `{200: 10, 500: 2}` -> `200: 10, 500: 2`, ordered by key; '' when empty. */
export function formatCounts(counts: Record<string | number, number>): string {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([key, n]) => `${key}: ${n}`)
    .join(', ');
}
