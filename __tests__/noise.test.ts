import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coefficientOfVariation, MIN_BAND, noise } from '../src/stats/noise.js';

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
