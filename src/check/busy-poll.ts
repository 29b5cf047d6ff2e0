/**
 * `busy-poll: auto`, decided by measurement. At 1 connection with 1 request in flight, spinning
 * notices each response at once instead of sleeping until the kernel wakes the process, which can
 * be worth much of the count against a fast service on a core of its own. But spinning keeps a
 * core busy, and where the service shares the cores with the generator (a hosted runner, a
 * service with several worker processes) that core is taken from the service, and the count falls
 * instead. Which one happens depends on the machine and the service, so `auto` tries both on the
 * connection the window then uses and keeps the faster; the numbers behind it are in
 * docs/engine.md.
 */
import { startLoad, type LoadPool, type LoadOptions } from '../engine/load.js';
import type { SavedBaseline } from '../model/check.js';
import { addAsWarmup, type BusyPollTrial, type LoadResult } from '../model/result.js';
import type { Settings } from '../model/settings.js';

/**
 * Load before the slices, counted by neither mode. The generator's first second is its slowest
 * (V8 compiles the hot path as it runs), and much slower at its very start: measured slices from
 * a cold start would decide for whichever mode went second (docs/engine.md).
 */
export const TRIAL_LEAD_IN_MS = 500;

/** Length of each of the trial's slices. */
export const TRIAL_SLICE_MS = 100;

/**
 * Not spinning, spinning, spinning, not; spinning, not, not, spinning (ABBA BAAB): a speed that
 * still drifts during the trial, as the generator warms up, falls on both modes alike (a linear or
 * quadratic drift cancels out).
 */
const TRIAL_ORDER = [false, true, true, false, true, false, false, true];

/** The trial's length in all. */
export const TRIAL_MS = TRIAL_LEAD_IN_MS + TRIAL_ORDER.length * TRIAL_SLICE_MS;

export interface TrialOutcome {
  trial: BusyPollTrial;
  /** The trial's runs, settled: their load is reported with the warm-up's. */
  settled: Promise<LoadResult[]>;
}

/**
 * Runs the trial on `pool` (left open for the window) and returns the mode to use: spinning only
 * when it answered more requests per second than not spinning. A target that answers nothing
 * (errors only) gets no spinning. Each slice counts what was answered by its deadline; what it
 * still has in flight settles during the next slice or the window, so a hung target costs the
 * trial no more than its slices.
 */
export async function runBusyPollTrial(
  load: Omit<LoadOptions, 'durationMs' | 'pool' | 'busyPoll'>,
  pool: LoadPool,
  start: typeof startLoad = startLoad,
): Promise<TrialOutcome> {
  const counted = { on: { requests: 0, ms: 0 }, off: { requests: 0, ms: 0 } };
  const results: Promise<LoadResult>[] = [];
  const slice = async (busyPoll: boolean, durationMs: number): Promise<number> => {
    const started = start({ ...load, warmupMs: 0, durationMs, busyPoll, pool, cutOff: false });
    results.push(started.result);
    return started.windowEnd;
  };
  if (!load.signal?.aborted) await slice(false, TRIAL_LEAD_IN_MS);
  for (const busyPoll of TRIAL_ORDER) {
    if (load.signal?.aborted) break;
    const mode = busyPoll ? counted.on : counted.off;
    mode.requests += await slice(busyPoll, TRIAL_SLICE_MS);
    mode.ms += TRIAL_SLICE_MS;
  }
  const perSec = ({ requests, ms }: { requests: number; ms: number }) =>
    ms > 0 ? (requests * 1000) / ms : 0;
  const onPerSec = perSec(counted.on);
  const offPerSec = perSec(counted.off);
  return {
    trial: { onPerSec, offPerSec, chosen: onPerSec > offPerSec },
    settled: Promise.all(results),
  };
}

/** Puts the trial in the result: its figures with the generator's, its load with the warm-up's. */
export async function recordTrial(result: LoadResult, outcome: TrialOutcome | null): Promise<void> {
  if (outcome === null) return;
  result.generator.busyPollTrial = outcome.trial;
  for (const run of await outcome.settled) addAsWarmup(result, run);
}

/**
 * Against a saved report, `auto` takes the mode the saved run used (its own trial's choice), so
 * that both sides of the comparison ran in the same mode; no trial runs.
 */
export function withSavedMode(settings: Settings, saved: SavedBaseline | null): Settings {
  if (saved === null || settings.busyPoll !== 'trial') return settings;
  return { ...settings, busyPoll: saved.result.generator.busyPoll };
}
