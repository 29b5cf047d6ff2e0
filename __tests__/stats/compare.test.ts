/**
 * src/stats/compare.ts, pure: the exact Mann-Whitney U distribution (against enumeration and the
 * published tables), the two-sample Hodges-Lehmann shift of log req/s with its interval (the order
 * statistics it takes, the confidence it really has, the normal approximation beyond 2,500 pairs),
 * and the paired Wilcoxon signed-rank estimate and interval.
 * The order in which a comparison runs its slices and pairs them is src/check/comparison.ts's
 * (__tests__/check/comparison.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import signrankCdf from '@stdlib/stats-base-dists-signrank-cdf';
import {
  comparePairedRates,
  compareRates,
  detectableRegressionPct,
  widenForBetweenRuns,
  exactCriticalValue,
  signedRankCriticalValue,
  mannWhitneyCounts,
} from '../../src/stats/compare.js';

/** U for every way of splitting 0..n+m-1 into n x's and m y's, by brute force. */
function bruteForceCounts(n: number, m: number): number[] {
  const counts = new Array<number>(n * m + 1).fill(0);
  const total = n + m;
  for (let mask = 0; mask < 1 << total; mask++) {
    let ones = 0;
    for (let b = 0; b < total; b++) ones += (mask >> b) & 1;
    if (ones !== n) continue;
    let u = 0;
    let ysBelow = 0;
    for (let b = 0; b < total; b++) {
      if ((mask >> b) & 1) u += ysBelow;
      else ysBelow++;
    }
    counts[u]++;
  }
  return counts;
}

describe('Mann-Whitney U distribution', () => {
  for (const [n, m] of [
    [1, 1],
    [3, 4],
    [5, 5],
    [6, 8],
  ]) {
    it(`equals brute-force enumeration for n=${n}, m=${m}`, () => {
      assert.deepEqual([...mannWhitneyCounts(n, m)], bruteForceCounts(n, m));
    });
  }

  it('gives the critical values of the published two-sided tables', () => {
    // Mann & Whitney tables (e.g. Siegel & Castellan, table J): n1 = n2 = 20.
    assert.equal(exactCriticalValue(20, 20, 0.05), 127);
    assert.equal(exactCriticalValue(20, 20, 0.01), 105);
    // n1 = n2 = 10.
    assert.equal(exactCriticalValue(10, 10, 0.05), 23);
    assert.equal(exactCriticalValue(10, 10, 0.01), 16);
  });
});

describe('Hodges-Lehmann shift of log req/s', () => {
  it('estimates the median pairwise ratio', () => {
    // Every head slice is exactly 10% below every baseline slice of the same rank.
    const base = [1000, 1010, 990, 1005, 995, 1002, 998, 1001, 999, 1003];
    const head = base.map((x) => x * 0.9);
    const shift = compareRates(head, base, 0.99);
    assert.ok(Math.abs(shift.changePct + 10) < 1.5, `${shift.changePct}`);
    assert.ok(shift.lowPct <= shift.changePct && shift.changePct <= shift.highPct);
    assert.equal(shift.method, 'exact');
    assert.ok(shift.achievedConfidence >= 0.99);
  });

  it('reports the confidence the discrete interval really has', () => {
    // n = m = 2: even the widest interval [d(1), d(4)] misses when all four differences share a
    // sign, P = 2 x 1/6; n = m = 10 at 95%: 1 - 2 P(U <= 23).
    assert.ok(
      Math.abs(compareRates([1, 2], [3, 4], 0.99).achievedConfidence - (1 - 2 / 6)) < 1e-12,
    );
    const counts = mannWhitneyCounts(10, 10);
    const total = counts.reduce((a, b) => a + b, 0);
    const tail = counts.slice(0, 24).reduce((a, b) => a + b, 0) / total;
    const ten = Array.from({ length: 10 }, (_, i) => 100 + i);
    const shift = compareRates(
      ten,
      ten.map((x) => x + 0.5),
      0.95,
    );
    assert.ok(Math.abs(shift.achievedConfidence - (1 - 2 * tail)) < 1e-12);
    assert.ok(shift.achievedConfidence >= 0.95);
  });

  it('takes the order statistics the exact U distribution names', () => {
    // n = m = 10 at 95%: the critical value is 23, so the interval is [d(24), d(77)].
    const base = Array.from({ length: 10 }, (_, i) => 100 + i);
    const head = Array.from({ length: 10 }, (_, i) => 103 + i * 1.5);
    const shift = compareRates(head, base, 0.95);
    const diffs = head
      .flatMap((x) => base.map((y) => Math.log(x) - Math.log(y)))
      .sort((a, b) => a - b);
    const pct = (d: number) => (Math.exp(d) - 1) * 100;
    assert.ok(Math.abs(shift.lowPct - pct(diffs[23])) < 1e-9);
    assert.ok(Math.abs(shift.highPct - pct(diffs[76])) < 1e-9);
  });

  it('uses the normal approximation beyond 2,500 pairs, close to the exact interval', () => {
    const base = Array.from({ length: 60 }, (_, i) => 1000 + ((i * 37) % 50));
    const head = base.map((x, i) => x * 0.95 + ((i * 13) % 7));
    const normal = compareRates(head, base, 0.99);
    assert.equal(normal.method, 'normal');
    const exact = compareRates(head.slice(0, 50), base.slice(0, 50), 0.99);
    assert.equal(exact.method, 'exact');
    assert.ok(Math.abs(normal.changePct - exact.changePct) < 1);
  });

  it('rejects too few slices and a bad confidence', () => {
    assert.throws(() => compareRates([1], [1, 2], 0.99), RangeError);
    assert.throws(() => compareRates([1, 2], [1, 2], 1), RangeError);
  });
});

/** P(T <= t) of the signed-rank statistic for n pairs, by enumerating all 2^n sign patterns. */
function bruteForceSignedRankCdf(n: number, t: number): number {
  let below = 0;
  for (let mask = 0; mask < 1 << n; mask++) {
    let sum = 0;
    for (let r = 1; r <= n; r++) if ((mask >> (r - 1)) & 1) sum += r;
    if (sum <= t) below++;
  }
  return below / 2 ** n;
}

describe('Wilcoxon signed-rank interval (same-job comparisons, paired slices)', () => {
  it("uses @stdlib's exact distribution, which matches its documented examples and enumeration", () => {
    assert.ok(Math.abs(signrankCdf(7, 9) - 0.037) < 0.001);
    assert.ok(Math.abs(signrankCdf(7, 6) - 0.281) < 0.001);
    for (const n of [5, 8, 12]) {
      for (let t = 0; t <= (n * (n + 1)) / 2; t += 3) {
        assert.ok(Math.abs(signrankCdf(t, n) - bruteForceSignedRankCdf(n, t)) < 1e-12, `${n} ${t}`);
      }
    }
  });

  it('has the critical values of the published tables', () => {
    // Two-sided Wilcoxon signed-rank table (reject when T <= value): n=10: 8 at 0.05, 3 at 0.01;
    // n=20: 52 at 0.05, 37 at 0.01; n=6: 0 at 0.05, none at 0.01.
    assert.equal(signedRankCriticalValue(10, 0.05), 8);
    assert.equal(signedRankCriticalValue(10, 0.01), 3);
    assert.equal(signedRankCriticalValue(20, 0.05), 52);
    assert.equal(signedRankCriticalValue(20, 0.01), 37);
    assert.equal(signedRankCriticalValue(6, 0.05), 0);
    assert.equal(signedRankCriticalValue(6, 0.01), -1);
  });

  it('estimates the median of the Walsh averages and takes the interval from their order statistics', () => {
    const ratios = [1.1, 0.95, 1.02, 1.2, 0.99, 1.05, 1.01, 0.9, 1.08, 1.03];
    const pairs = ratios.map((r): [number, number] => [1000 * r, 1000]);
    const d = ratios.map(Math.log);
    const walsh: number[] = [];
    for (let i = 0; i < d.length; i++)
      for (let j = i; j < d.length; j++) walsh.push((d[i] + d[j]) / 2);
    walsh.sort((a, b) => a - b);
    const pct = (x: number) => (Math.exp(x) - 1) * 100;
    const shift = comparePairedRates(pairs, 0.99);
    // 55 Walsh averages: the median is the 28th; at 0.99 the critical value for n = 10 is 3, so
    // the interval runs from the 4th to the 52nd.
    assert.ok(Math.abs(shift.changePct - pct(walsh[27])) < 1e-9);
    assert.ok(Math.abs(shift.lowPct - pct(walsh[3])) < 1e-9);
    assert.ok(Math.abs(shift.highPct - pct(walsh[51])) < 1e-9);
    assert.equal(shift.test, 'signed-rank');
    assert.equal(shift.headSlices, 10);
    assert.ok(
      Math.abs(shift.achievedConfidence - (1 - 2 * bruteForceSignedRankCdf(10, 3))) < 1e-12,
    );
  });

  it('cancels what hits both sides of a pair: a shared slowdown leaves the estimate and interval alone', () => {
    const steady: [number, number][] = Array.from({ length: 10 }, (_, i) => [
      900 + (i % 3),
      1000 - (i % 2),
    ]);
    const hit = steady.map(([h, b], i): [number, number] =>
      i === 4 ? [h * 0.7, b * 0.7] : [h, b],
    );
    const a = comparePairedRates(steady, 0.99);
    const b = comparePairedRates(hit, 0.99);
    assert.ok(Math.abs(a.changePct - b.changePct) < 1e-9);
    assert.ok(Math.abs(a.lowPct - b.lowPct) < 1e-9 && Math.abs(a.highPct - b.highPct) < 1e-9);
    // The two-sample interval is widened by the same burst.
    const unpaired = (p: [number, number][]) =>
      compareRates(
        p.map(([h]) => h),
        p.map(([, base]) => base),
        0.99,
      );
    assert.ok(unpaired(hit).highPct - unpaired(hit).lowPct > a.highPct - a.lowPct);
  });

  it('rejects too few pairs and a bad confidence', () => {
    assert.throws(() => comparePairedRates([[1, 1]], 0.99), RangeError);
    assert.throws(
      () =>
        comparePairedRates(
          [
            [1, 1],
            [2, 2],
          ],
          0,
        ),
      RangeError,
    );
  });
});

describe('the smallest regression a comparison could catch', () => {
  const shiftOf = (lowPct: number, highPct: number, achievedConfidence = 0.95) => ({
    changePct: (lowPct + highPct) / 2,
    lowPct,
    highPct,
    confidence: 0.95,
    achievedConfidence,
    method: 'exact' as const,
    test: 'signed-rank' as const,
    headSlices: 10,
    baselineSlices: 10,
    betweenRunSpreadPct: 0,
  });

  it('is max-regression itself for an interval of no width', () => {
    assert.ok(Math.abs(detectableRegressionPct(shiftOf(-3, -3), 5) - 5) < 1e-9);
  });

  it('adds the half-width, and the spread of the estimate at 95% power, in log req/s', () => {
    // Half-width ln(1.015/0.985)/2 = 1.96 se; the line ln(0.95) less (1.96 + 1.645) se.
    const se = Math.log(1.015 / 0.985) / 2 / 1.959964;
    const expected = (1 - Math.exp(Math.log(0.95) - (1.959964 + 1.644854) * se)) * 100;
    assert.ok(Math.abs(detectableRegressionPct(shiftOf(-1.5, 1.5), 5) - expected) < 1e-4);
    assert.ok(Math.abs(expected - 7.586) < 0.01);
  });

  it('grows with the width of the interval, and only with it: not with where it lies', () => {
    const widths = [0.5, 1, 2, 4, 8, 16].map((w) => detectableRegressionPct(shiftOf(-w, w), 5));
    for (let i = 1; i < widths.length; i++) assert.ok(widths[i] > widths[i - 1], String(widths));
    // The same width in log req/s: 0.88 to 0.92 is 1.1 to 1.15 scaled by 0.8.
    const pct = (ratio: number) => (ratio - 1) * 100;
    assert.ok(
      Math.abs(
        detectableRegressionPct(shiftOf(pct(0.88), pct(0.92)), 5) -
          detectableRegressionPct(shiftOf(pct(1.1), pct(1.15)), 5),
      ) < 1e-9,
    );
  });

  it('reads the width at the confidence the interval achieved', () => {
    // The same width at a higher achieved confidence means a smaller se.
    assert.ok(
      detectableRegressionPct(shiftOf(-2, 2, 0.99), 5) < detectableRegressionPct(shiftOf(-2, 2), 5),
    );
  });
});

describe("a saved baseline's interval widened for the spread between runs", () => {
  const head = [100, 102, 98, 101, 99, 100, 103, 97, 100, 101];
  const baseline = [101, 99, 100, 102, 98, 100, 100, 99, 101, 100];
  const logOf = (pct: number) => Math.log1p(pct / 100);
  // The exact interval's confidence is a little above the one asked: the quantile of the achieved.
  const zOf = (achieved: number) => normalQuantile(1 - (1 - achieved) / 2, 0, 1);

  it('adds the spread in variance to the half-width, about the middle, at the achieved confidence', () => {
    const own = compareRates(head, baseline, 0.95);
    const wide = widenForBetweenRuns(own, 3);
    const z = zOf(own.achievedConfidence);
    assert.ok(z > 1.96 && z < 2.2, String(z));
    const se = (logOf(own.highPct) - logOf(own.lowPct)) / 2 / z;
    const half = z * Math.sqrt(se ** 2 + Math.log1p(0.03) ** 2);
    const middle = (logOf(own.lowPct) + logOf(own.highPct)) / 2;
    assert.ok(Math.abs(logOf(wide.lowPct) - (middle - half)) < 1e-9);
    assert.ok(Math.abs(logOf(wide.highPct) - (middle + half)) < 1e-9);
    assert.equal(wide.changePct, own.changePct);
    assert.equal(wide.betweenRunSpreadPct, 3);
    assert.equal(own.betweenRunSpreadPct, 0);
  });

  it('leaves the interval alone at 0, and with a narrow own interval is about ±z·spread', () => {
    const own = compareRates(head, baseline, 0.95);
    const same = widenForBetweenRuns(own, 0);
    assert.ok(
      Math.abs(same.lowPct - own.lowPct) < 1e-9 && Math.abs(same.highPct - own.highPct) < 1e-9,
    );
    const flat = Array.from({ length: 20 }, () => 100);
    const tied = compareRates(flat, flat, 0.95);
    const wide = widenForBetweenRuns(tied, 4);
    const expected = zOf(tied.achievedConfidence) * Math.log1p(0.04);
    assert.ok(Math.abs(logOf(wide.highPct) - expected) < 1e-9, String(wide.highPct));
    assert.ok(Math.abs(logOf(wide.lowPct) + expected) < 1e-9, String(wide.lowPct));
  });

  it('turns a between-run offset that read as a regression into a hint, and raises what it could catch', () => {
    // Both runs steady, the head's 8% below: a regression by its own interval, not with a 5% spread.
    const slow = head.map((x) => x * 0.92);
    const own = compareRates(slow, baseline, 0.95);
    assert.ok(own.highPct < -5, String(own.highPct));
    const wide = widenForBetweenRuns(own, 5);
    assert.ok(wide.highPct > -5, String(wide.highPct));
    assert.ok(detectableRegressionPct(wide, 5) > detectableRegressionPct(own, 5) + 5);
  });

  it('covers a between-run offset of that SD: identical services leave out 0 about 5% of the time', () => {
    // Seeded (mulberry32 and Box-Muller), so the counts are the same on every run.
    let state = 7;
    const uniform = () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const normal = () =>
      Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
    const run = (offset: number) =>
      Array.from({ length: 10 }, () => 1000 * Math.exp(offset + 0.01 * normal()));
    const trials = 1000;
    let ownMisses = 0;
    let widenedMisses = 0;
    for (let i = 0; i < trials; i++) {
      // Each run 1% noisy within, its level off by an SD of 3% between runs.
      const own = compareRates(run(0.03 * normal()), run(0), 0.95);
      const wide = widenForBetweenRuns(own, Math.expm1(0.03) * 100);
      if (own.lowPct > 0 || own.highPct < 0) ownMisses++;
      if (wide.lowPct > 0 || wide.highPct < 0) widenedMisses++;
    }
    assert.ok(ownMisses > 0.5 * trials, `unwidened: ${ownMisses} of ${trials} leave out 0`);
    assert.ok(
      widenedMisses >= 0.02 * trials && widenedMisses <= 0.08 * trials,
      `widened: ${widenedMisses} of ${trials} leave out 0`,
    );
  });

  it('rejects a negative or missing spread', () => {
    const own = compareRates(head, baseline, 0.95);
    assert.throws(() => widenForBetweenRuns(own, -1), RangeError);
    assert.throws(() => widenForBetweenRuns(own, Number.NaN), RangeError);
    assert.throws(() => widenForBetweenRuns({ ...own, achievedConfidence: 1 }, 3), RangeError);
  });
});
