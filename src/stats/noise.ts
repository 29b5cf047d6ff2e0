/**
 * Is the gate set inside the noise of its own measurement? Pure.
 *
 * A count that swings from second to second, or from run to run, will cross a threshold set close to
 * it now and then: the gate flaps. Runs on shared CI machines differ by 10-25% (shared/GUIDE.md
 * section 5), more than the seconds of one run show, so the band is at least `MIN_BAND`.
 */

/** The noise band never counts as narrower than this fraction of the count. */
export const MIN_BAND = 0.1;

/** Sample standard deviation over the mean; 0 for fewer than 2 values or a zero mean. */
export function coefficientOfVariation(values: number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (mean === 0) return 0;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return Math.sqrt(variance) / mean;
}

export interface Noise {
  /** CV of the per-second counts (0 when there are fewer than 2 seconds). */
  perSecondCv: number;
  /** Half-width of the band around the count, as a fraction: max(2 x CV, MIN_BAND). */
  band: number;
  /** A warning when `minRequests` lies inside the band, else null. */
  warning: string | null;
}

export function noise(requests: number, minRequests: number, perSecond: number[]): Noise {
  const perSecondCv = coefficientOfVariation(perSecond);
  const band = Math.max(2 * perSecondCv, MIN_BAND);
  const inside =
    requests > 0 && minRequests > 0 && Math.abs(requests - minRequests) < band * requests;
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  return {
    perSecondCv,
    band,
    warning: inside
      ? `min-requests ${minRequests} is within ${pct(Math.abs(requests - minRequests) / requests)} ` +
        `of the measured ${requests}, inside the noise band of ±${pct(band)} ` +
        `(per-second counts varied by ${pct(perSecondCv)}; runs on shared machines differ more): ` +
        `expect this gate to flap. Set min-requests further from what the service does, or compare ` +
        `with a baseline (baseline-port).`
      : null,
  };
}
