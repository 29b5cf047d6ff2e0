/**
 * Is the gate set inside the noise of its own measurement? Pure.
 *
 * A count that swings from second to second, or from run to run, will cross a threshold set close to
 * it now and then: the gate flaps. Separate runs on a shared CI machine differ by more than the
 * seconds of one run show (bench/RESULTS.md, min-max of each cell), so the band is at least
 * `MIN_BAND`.
 */

import type { SliceNoise } from '../model/check.js';
import type { GeneratorUsage } from '../model/result.js';

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

/** A slice is an outlier when its robust z-score (Iglewicz-Hoaglin) exceeds this. */
export const OUTLIER_Z = 3.5;
/** ...and it lies at least this far (as a fraction) from its side's median. */
export const OUTLIER_MIN_DEVIATION = 0.03;

/**
 * How steady one side's slices were, and which slices stand out. Works on log req/s: the modified
 * z-score 0.6745 x (x - median) / MAD (Iglewicz and Hoaglin, 1993) above `OUTLIER_Z`, and at least
 * `OUTLIER_MIN_DEVIATION` from the median so that very quiet runs do not flag tiny wobbles.
 */
export function sliceNoise(rates: number[]): SliceNoise {
  const cv = coefficientOfVariation(rates);
  const logs = rates.filter((r) => r > 0).map(Math.log);
  if (logs.length < 3) return { cv, outliers: [] };
  const centre = median(logs);
  const mad = median(logs.map((x) => Math.abs(x - centre)));
  const outliers: number[] = [];
  rates.forEach((rate, i) => {
    const deviation = rate > 0 ? Math.log(rate) - centre : -Infinity;
    const far = Math.abs(Math.expm1(deviation)) >= OUTLIER_MIN_DEVIATION;
    const z = mad > 0 ? (0.6745 * Math.abs(deviation)) / mad : Infinity;
    if (far && z > OUTLIER_Z) outliers.push(i);
  });
  return { cv, outliers };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The generator counts as saturated from this share of one core (or of its event loop). */
export const CLIENT_BOUND_UTILIZATION = 0.9;

/**
 * A warning when the load generator itself was the bottleneck, else null. With busy-poll the
 * process always uses a whole core, so only the share of loop time spent on responses counts.
 */
export function clientBound(generator: {
  cpuPct: number;
  utilization: number;
  busyPoll: boolean;
}): string | null {
  const load = generator.busyPoll
    ? generator.utilization
    : Math.max(generator.utilization, generator.cpuPct / 100);
  if (!(load >= CLIENT_BOUND_UTILIZATION)) return null;
  const what = generator.busyPoll
    ? `its busy-poll loop was handling responses ${(100 * generator.utilization).toFixed(0)}% of the time`
    : `it used ${generator.cpuPct.toFixed(0)}% of a CPU core, event loop busy ` +
      `${(100 * generator.utilization).toFixed(0)}% of the time`;
  return (
    `The load generator was saturated (${what}): the count is limited by http-load-check on this ` +
    `runner as much as by the service, so gains above it cannot show and the gate partly measures ` +
    `the runner. Use a runner with more cores, or compare with a baseline (baseline-port), which ` +
    `cancels the runner's speed out.`
  );
}

/**
 * The generator's share of the machine from which it warns that it took CPU the service could not
 * spare: half a core on a 2-core runner. On 4 cores and more a single-threaded generator stays
 * below it.
 */
export const GENERATOR_SHARE_PCT = 25;

/**
 * A warning when the generator's work took a large share of the machine's cores, else null. With
 * busy-poll the spin itself is left out (its share is the loop time spent on responses): whether
 * spinning costs the service is busy-poll's own question (docs/engine.md).
 */
export function generatorShare(generator: GeneratorUsage): string | null {
  const { cores, cpuUsPerRequest } = generator;
  const workPct = generator.busyPoll ? 100 * generator.utilization : generator.cpuPct;
  if (!(cores > 0) || !(workPct / cores > GENERATOR_SHARE_PCT)) return null;
  const what = generator.busyPoll
    ? `The load generator's busy-poll loop was handling responses ${workPct.toFixed(0)}% of the time`
    : `The load generator used ${workPct.toFixed(0)}% of a CPU core`;
  return (
    `${what} (${cpuUsPerRequest.toFixed(0)} µs of CPU per request), ` +
    `${(workPct / cores).toFixed(0)}% of this machine's ${cores} cores: where the service shares ` +
    `these cores, as on a hosted runner, that CPU was taken from it, so its req/s are understated ` +
    `and its latency overstated. Fewer connections, or a runner with more cores, leave it more.`
  );
}
