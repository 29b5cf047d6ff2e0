/**
 * src/stats/noise.ts, pure: the coefficient of variation, the noise band around an absolute count
 * and its warning when min-requests lies inside it, the MAD rule that flags a comparison's slices
 * hit by a burst, and the warning that the load generator itself was saturated (with and without
 * busy-poll).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  clientBound,
  coefficientOfVariation,
  MIN_BAND,
  noise,
  sliceNoise,
} from '../../src/stats/noise.js';

describe('noise band', () => {
  it('computes the coefficient of variation with the sample standard deviation', () => {
    // mean 5, sample sd sqrt(10/3) (values 2, 4, 6, 8 around 5: 9 + 1 + 1 + 9 = 20, / 3)
    assert.ok(Math.abs(coefficientOfVariation([2, 4, 6, 8]) - Math.sqrt(20 / 3) / 5) < 1e-12);
    assert.equal(coefficientOfVariation([5]), 0);
    assert.equal(coefficientOfVariation([0, 0]), 0);
  });

  it('warns when min-requests lies inside the band, not when it is far below', () => {
    const steady = [1000, 1010, 990, 1000, 1000];
    assert.equal(noise(5000, 4700, steady).band, MIN_BAND);
    assert.match(
      noise(5000, 4700, steady).warning ?? '',
      /^min-requests 4700 is within 6% of the measured 5000, inside the noise band of ±10%/,
    );
    assert.equal(noise(5000, 4000, steady).warning, null);
    assert.equal(noise(5000, 0, steady).warning, null);
  });

  it('widens the band when the seconds swing', () => {
    const swinging = [600, 1400, 600, 1400];
    const n = noise(4000, 2700, swinging);
    assert.ok(n.band > 0.8, String(n.band));
    assert.notEqual(n.warning, null);
  });
});

describe('slice noise and outliers', () => {
  it('flags a slice hit by a burst by the MAD rule, and nothing in a steady run', () => {
    const steady = [1000, 1010, 990, 1005, 995, 1002, 998, 1001];
    assert.deepEqual(sliceNoise(steady).outliers, []);
    // One slice 25% low: median of logs ~ log(1000), MAD ~ 0.005, z = 0.6745 x 0.29 / 0.005 >> 3.5.
    const burst = [1000, 1010, 990, 1005, 750, 1002, 998, 1001];
    assert.deepEqual(sliceNoise(burst).outliers, [4]);
    assert.ok(Math.abs(sliceNoise(burst).cv - coefficientOfVariation(burst)) < 1e-12);
  });

  it('does not flag tiny wobbles of a very quiet run (at least 3% from the median)', () => {
    // MAD 0 (most slices equal): a 2% slice has an infinite z-score but is not a burst.
    assert.deepEqual(sliceNoise([1000, 1000, 1000, 1000, 980]).outliers, []);
    assert.deepEqual(sliceNoise([1000, 1000, 1000, 1000, 960]).outliers, [4]);
  });

  it('needs at least 3 slices to tell an outlier', () => {
    assert.deepEqual(sliceNoise([1000, 500]).outliers, []);
    assert.deepEqual(sliceNoise([]).outliers, []);
  });
});

describe('client-bound warning', () => {
  it('warns from 90% of a core or of the event loop, without busy-poll', () => {
    assert.equal(clientBound({ cpuPct: 89, utilization: 0.5, busyPoll: false }), null);
    assert.match(
      clientBound({ cpuPct: 95, utilization: 0.5, busyPoll: false }) ?? '',
      /^The load generator was saturated \(it used 95% of a CPU core, event loop busy 50% of the time\)/,
    );
    assert.ok(clientBound({ cpuPct: 60, utilization: 0.92, busyPoll: false }));
  });

  it('with busy-poll, ignores the CPU (100% by design) and reads the busy share of the loop', () => {
    assert.equal(clientBound({ cpuPct: 100, utilization: 0.6, busyPoll: true }), null);
    assert.match(
      clientBound({ cpuPct: 100, utilization: 0.95, busyPoll: true }) ?? '',
      /busy-poll loop was handling responses 95% of the time/,
    );
  });
});
