/**
 * Head vs baseline throughput: the Hodges-Lehmann estimate of the shift in log req/s between two
 * sets of slices, with the distribution-free confidence interval that inverts the Mann-Whitney test
 * (Lehmann 1963; Hollander & Wolfe, Nonparametric Statistical Methods, section 4.3). Pure.
 *
 * Why this estimator: a rank method moves little when a burst from another process hits one slice,
 * where a mean-based (Welch) interval moves with it. bench/CALIBRATION.md judges the same trials
 * with it and with the paired interval.
 *
 * The exact null distribution of U is used up to 2,500 pairs (e.g. 50 slices a side), the normal
 * approximation (with continuity correction, quantile from @stdlib) above.
 */
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import signrankCdf from '@stdlib/stats-base-dists-signrank-cdf';
import type { Shift } from '../model/check.js';

/** Largest number of pairs for which the exact distribution of U is computed. */
const EXACT_MAX_PAIRS = 2500;
/** Largest number of slice pairs for which the exact signed-rank distribution is used. */
const EXACT_MAX_SIGNED_RANK = 50;

/**
 * Compares head and baseline slices run in adjacent pairs (one head and one baseline slice each,
 * in ABBA/BAAB order): the differences of log req/s within each pair cancel whatever the machine
 * did during that second, and the estimate is the median of their Walsh averages (the one-sample
 * Hodges-Lehmann estimator) with the interval that inverts the Wilcoxon signed-rank test
 * (Hollander & Wolfe, section 3.2). Exact distribution from @stdlib up to 50 pairs, normal above.
 * @param pairs `[head req/s, baseline req/s]` for each pair, all > 0
 */
export function comparePairedRates(pairs: [number, number][], confidence: number): Shift {
  const n = pairs.length;
  if (n < 2) throw new RangeError('need at least 2 pairs of slices');
  if (!(confidence > 0 && confidence < 1)) throw new RangeError('confidence must be in (0, 1)');
  const d = pairs.map(([head, baseline]) => Math.log(head) - Math.log(baseline));
  const walsh = new Float64Array((n * (n + 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) walsh[k++] = (d[i] + d[j]) / 2;
  walsh.sort();

  const alpha = 1 - confidence;
  const exact = n <= EXACT_MAX_SIGNED_RANK;
  // [W(c), W(M + 1 - c)] (1-based, M Walsh averages) with c - 1 the largest t such that
  // P(T <= t) <= alpha / 2; c = 1 when even P(T = 0) is larger.
  const t = exact ? signedRankCriticalValue(n, alpha) : normalSignedRankCritical(n, alpha);
  const lowIndex = Math.max(0, Math.min(t, walsh.length - 1));
  return shiftFrom(walsh, lowIndex, {
    confidence,
    achievedConfidence: exact ? 1 - 2 * signrankCdf(lowIndex, n) : confidence,
    method: exact ? 'exact' : 'normal',
    test: 'signed-rank',
    headSlices: n,
    baselineSlices: n,
    betweenRunSpreadPct: 0,
  });
}

/**
 * The estimate (the median) and the interval [sorted[lowIndex], its mirror from the top] of sorted
 * log ratios, as percent changes.
 */
function shiftFrom(
  sorted: Float64Array,
  lowIndex: number,
  rest: Omit<Shift, 'changePct' | 'lowPct' | 'highPct'>,
): Shift {
  const toPct = (logRatio: number) => (Math.exp(logRatio) - 1) * 100;
  return {
    changePct: toPct(median(sorted)),
    lowPct: toPct(sorted[lowIndex]),
    highPct: toPct(sorted[sorted.length - 1 - lowIndex]),
    ...rest,
  };
}

/** The largest t with P(T <= t) <= alpha / 2 for the signed-rank statistic of n pairs, or -1. */
export function signedRankCriticalValue(n: number, alpha: number): number {
  const max = (n * (n + 1)) / 2;
  let t = -1;
  while (t + 1 <= max && signrankCdf(t + 1, n) <= alpha / 2) t++;
  return t;
}

function normalSignedRankCritical(n: number, alpha: number): number {
  const mean = (n * (n + 1)) / 4;
  const sd = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24);
  return Math.floor(mean + normalQuantile(alpha / 2, 0, 1) * sd - 0.5);
}

/**
 * Compares per-slice rates (req/s, all > 0) of head and baseline.
 * @param confidence two-sided confidence of the interval, e.g. 0.99
 */
export function compareRates(head: number[], baseline: number[], confidence: number): Shift {
  const n = head.length;
  const m = baseline.length;
  if (n < 2 || m < 2) throw new RangeError('need at least 2 slices on each side');
  if (!(confidence > 0 && confidence < 1)) throw new RangeError('confidence must be in (0, 1)');
  const logHead = head.map(Math.log);
  const logBase = baseline.map(Math.log);
  const diffs = new Float64Array(n * m);
  let k = 0;
  for (const x of logHead) for (const y of logBase) diffs[k++] = x - y;
  diffs.sort();

  const alpha = 1 - confidence;
  const exact = n * m <= EXACT_MAX_PAIRS;
  // The interval is [d(c), d(nm + 1 - c)] (1-based) with c - 1 the largest u such that
  // P(U <= u) <= alpha / 2; c = 1 when even P(U = 0) is larger (the widest interval there is).
  const c = exact ? exactCriticalValue(n, m, alpha) + 1 : normalCriticalValue(n, m, alpha) + 1;
  const lowIndex = Math.max(0, Math.min(c - 1, n * m - 1));
  return shiftFrom(diffs, lowIndex, {
    confidence,
    achievedConfidence: exact ? 1 - 2 * lowerTail(mannWhitneyCounts(n, m), lowIndex) : confidence,
    method: exact ? 'exact' : 'normal',
    test: 'mann-whitney',
    headSlices: n,
    baselineSlices: m,
    betweenRunSpreadPct: 0,
  });
}

/**
 * How many of the C(n+m, n) orderings give each value of U = 0..n*m, when there are no ties.
 * Recurrence N(i, j, u) = N(i-1, j, u-j) + N(i, j-1, u), all additions (no cancellation).
 */
export function mannWhitneyCounts(n: number, m: number): Float64Array {
  // rows[j] holds N(i, j, .) for the current i.
  let rows: Float64Array[] = [];
  for (let j = 0; j <= m; j++) rows.push(Float64Array.of(1)); // N(0, j, 0) = 1
  for (let i = 1; i <= n; i++) {
    const next: Float64Array[] = [Float64Array.of(1)]; // N(i, 0, 0) = 1
    for (let j = 1; j <= m; j++) {
      const counts = new Float64Array(i * j + 1);
      const up = rows[j]; // N(i-1, j, .)
      const left = next[j - 1]; // N(i, j-1, .)
      for (let u = 0; u < left.length; u++) counts[u] += left[u];
      for (let u = 0; u < up.length; u++) counts[u + j] += up[u];
      next.push(counts);
    }
    rows = next;
  }
  return rows[m];
}

/** P(U <= u) from the counts; 0 for u < 0. */
function lowerTail(counts: Float64Array, u: number): number {
  let total = 0;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    total += counts[i];
    if (i <= u) below += counts[i];
  }
  return below / total;
}

/** The largest u with P(U <= u) <= alpha / 2 (two-sided), or -1 when there is none. */
export function exactCriticalValue(n: number, m: number, alpha: number): number {
  const counts = mannWhitneyCounts(n, m);
  let total = 0;
  for (const c of counts) total += c;
  let cumulative = 0;
  for (let u = 0; u < counts.length; u++) {
    cumulative += counts[u];
    if (cumulative / total > alpha / 2) return u - 1;
  }
  return counts.length - 1;
}

function normalCriticalValue(n: number, m: number, alpha: number): number {
  const mean = (n * m) / 2;
  const sd = Math.sqrt((n * m * (n + m + 1)) / 12);
  return Math.floor(mean + normalQuantile(alpha / 2, 0, 1) * sd - 0.5);
}

function median(sorted: Float64Array): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * A shift's interval in log req/s: its ends, the normal quantile z of the confidence it achieved,
 * and se = half-width / z, the estimate's standard error that width stands for. What the widening
 * and the detectable regression read, and the calibration scripts with them.
 */
export function logInterval(shift: Shift): { low: number; high: number; z: number; se: number } {
  const low = Math.log1p(shift.lowPct / 100);
  const high = Math.log1p(shift.highPct / 100);
  const z = normalQuantile(1 - (1 - shift.achievedConfidence) / 2, 0, 1);
  return { low, high, z, se: (high - low) / 2 / z };
}

/**
 * The spread between runs, as an SD in percent of req/s, that a saved baseline's interval is
 * widened by: what separated two runs of the same service on the same machine, each in its own
 * process against its own server, minutes apart. bench/CALIBRATION-saved.md derives it.
 */
export const BETWEEN_RUN_SPREAD_PCT = 4.5;

/**
 * A two-sample interval widened for the spread between runs. A saved baseline was measured by
 * another process against another server, minutes or days earlier: its level is off from what
 * this run would have measured by an amount that the samples of either run cannot show. Taken as
 * an offset with an SD of `spreadPct` percent (log1p of it in log req/s), independent of both
 * runs' own noise, it adds in variance: the half-width z·se about the interval's middle becomes
 * z·sqrt(se² + spread²). An offset moves every head/baseline difference alike, so it moves the
 * estimate and both ends together: widening about the middle keeps the interval's own width in
 * it, and the new interval holds the old one, so it can only turn a verdict towards `unchanged`.
 * z is that of the confidence the interval achieved, so that too few samples for the confidence
 * asked (a wider-than-asked miss rate already) keep their own level, and `detectableRegressionPct`
 * reads sqrt(se² + spread²) back from the width.
 */
export function widenForBetweenRuns(shift: Shift, spreadPct: number): Shift {
  if (!(spreadPct >= 0)) throw new RangeError('spreadPct must be >= 0');
  if (!(shift.achievedConfidence > 0 && shift.achievedConfidence < 1)) {
    throw new RangeError('achievedConfidence must be in (0, 1)');
  }
  const { low, high, z, se } = logInterval(shift);
  const spread = Math.log1p(spreadPct / 100);
  const half = z * Math.sqrt(se ** 2 + spread ** 2);
  const middle = (low + high) / 2;
  return {
    ...shift,
    lowPct: Math.expm1(middle - half) * 100,
    highPct: Math.expm1(middle + half) * 100,
    betweenRunSpreadPct: spreadPct,
  };
}

/** Power at which `detectableRegressionPct` states the smallest slowdown caught. */
export const DETECTION_POWER = 0.95;

/**
 * The smallest slowdown, in percent, that a comparison as noisy as this one would have called a
 * regression with probability `power`. A regression needs the interval's upper end below
 * -maxRegressionPct. The interval's half-width in log req/s is z·se, with z the quantile of its
 * achieved confidence, so the run's own slices give se; the estimate itself varies by se from run
 * to run, so the upper end clears the line with probability `power` once the true shift lies
 * z_power·se further down: shift ≤ log(1 - m) - (z + z_power)·se.
 */
export function detectableRegressionPct(
  shift: Shift,
  maxRegressionPct: number,
  power = DETECTION_POWER,
): number {
  const { z, se } = logInterval(shift);
  const shiftLog = Math.log1p(-maxRegressionPct / 100) - (z + normalQuantile(power, 0, 1)) * se;
  return -Math.expm1(shiftLog) * 100;
}
