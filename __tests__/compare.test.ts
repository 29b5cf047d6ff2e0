import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compareRates,
  exactCriticalValue,
  judgeShift,
  mannWhitneyCounts,
  type Shift,
} from '../src/stats/compare.js';

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

describe('the gate on a shift', () => {
  const shift = (lowPct: number, highPct: number): Shift => ({
    changePct: (lowPct + highPct) / 2,
    lowPct,
    highPct,
    confidence: 0.99,
    achievedConfidence: 0.99,
    method: 'exact',
    headSlices: 10,
    baselineSlices: 10,
  });
  it('fails only when the whole interval lies below -max-regression', () => {
    assert.equal(judgeShift(shift(-12, -6), 5), 'regression');
    assert.equal(judgeShift(shift(-12, -4), 5), 'slower');
    assert.equal(judgeShift(shift(-3, 2), 5), 'unchanged');
    assert.equal(judgeShift(shift(1, 4), 5), 'faster');
  });
});
