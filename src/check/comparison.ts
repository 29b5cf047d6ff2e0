/**
 * Head vs baseline: `paired` against a second service in this run (slices alternate between the
 * two), `saved` against the samples of a report saved by an earlier run (`baseline-file`). Both
 * end in the same statistics (src/stats/compare.ts) and the same decision (src/check/judge.ts).
 */
import { startLoad } from '../engine/load.js';
import {
  noiseAimPct,
  type AbsoluteCheck,
  type ComparisonCheck,
  type Decision,
  type Extension,
  type SavedBaseline,
  type Side,
  type Slice,
} from '../model/check.js';
import { addAsWarmup, emptyResult, type LoadResult, type RouteResult } from '../model/result.js';
import type { Settings } from '../model/settings.js';
import {
  BETWEEN_RUN_SPREAD_PCT,
  comparePairedRates,
  compareRates,
  detectableRegressionPct,
  widenForBetweenRuns,
} from '../stats/compare.js';
import { createLatencyRecorder } from '../stats/latency.js';
import { createRouteTally, routeFromTotals } from '../stats/routes.js';
import { sliceNoise } from '../stats/noise.js';
import {
  cancelledAfter,
  loadOptions,
  openPool,
  runAbsolute,
  waitFor,
  type CheckHooks,
} from './absolute.js';
import { recordTrial, runBusyPollTrial, withSavedMode, type TrialOutcome } from './busy-poll.js';
import { comparisonDecision, judge, notComparable, verdictOf } from './judge.js';

/** Uncounted load each side gets before a comparison's slices (or `warmup`, when longer). */
export const COMPARISON_WARMUP_MS = 1500;

/**
 * Head vs a saved report (`baseline-file`): the head runs as an absolute check, sampled at the
 * saved report's sample length, and its samples are compared with the saved ones by the same
 * statistics as a same-job comparison. Runs on different machines or at different times differ by
 * more than the interval covers; the summary says so.
 */
export async function runSaved(
  settings: Settings,
  saved: SavedBaseline,
  hooks: CheckHooks = {},
): Promise<ComparisonCheck> {
  const { sampleSec } = saved.samples;
  const headPart: HeadPart = await runAbsolute(withSavedMode(settings, saved), hooks, sampleSec);
  const asSlices = (side: Side, rates: number[]): Slice[] =>
    rates.map((rps) => ({ side, rps, requests: Math.round(rps * sampleSec) }));
  const slices = [
    ...asSlices('head', headPart.samples.rps),
    ...asSlices('baseline', saved.samples.rps),
  ];
  return decide(settings, hooks, headPart, saved.result, slices, {
    kind: 'saved',
    saved,
    extension: null,
  });
}

/**
 * The order of the slices: pairs alternate AB, BA, BA, AB (ABBA then BAAB), so that a drift in the
 * machine's speed during the run hits both sides alike.
 */
export function sliceOrder(rounds: number): Side[] {
  const order: Side[] = [];
  for (let pair = 0; pair < rounds; pair++) {
    const headFirst = ((pair + 1) >> 1) % 2 === 0;
    order.push(...((headFirst ? ['head', 'baseline'] : ['baseline', 'head']) as Side[]));
  }
  return order;
}

/**
 * Head vs baseline in the same job: both sides get `durationSec` in all, cut into `rounds` slices
 * each and run alternately on connections kept open to both services; then the shift of head vs
 * baseline in log req/s and its interval decide (src/stats/compare.ts). At `rounds: auto` a run
 * too noisy for its aim measures more pairs first (`extensionBatch`).
 */
export async function runPaired(
  settings: Settings,
  hooks: CheckHooks = {},
): Promise<ComparisonCheck> {
  const baselineTarget = settings.baseline;
  if (baselineTarget === null) throw new Error('runPaired needs settings.baseline');
  const baselineSettings = { ...settings, ...baselineTarget };
  const sliceSec = settings.durationSec / settings.rounds;
  const empty = (decision: Decision): ComparisonCheck => ({
    kind: 'paired',
    result: emptyResult(hooks.signal?.aborted),
    baseline: emptyResult(hooks.signal?.aborted),
    decision,
    loadStarted: false,
    samples: { sampleSec: sliceSec, rps: [] },
    slices: [],
    noise: { head: sliceNoise([]), baseline: sliceNoise([]) },
    shift: null,
    verdict: null,
    detectableRegressionPct: null,
    extension: null,
  });

  for (const side of [settings, baselineSettings]) {
    const notReadyDecision = await waitFor(side, hooks);
    if (notReadyDecision) return empty(notReadyDecision);
  }

  // Each side's connections, latency and results, kept across its slices.
  const sideOf = (s: Settings) => ({
    settings: s,
    pool: openPool(s),
    latency: createLatencyRecorder(),
    routeTally: createRouteTally(),
    runs: [] as LoadResult[],
    warmups: [] as LoadResult[],
  });
  const sides = { head: sideOf(settings), baseline: sideOf(baselineSettings) };
  const sliceMs = sliceSec * 1000;
  // The order grows when a noisy comparison measures more pairs (`extensionBatch`); the pairs it
  // adds go on in the same pattern.
  let order = sliceOrder(settings.rounds);
  // Each slice's result, in the order the slices ran; filled in as each slice's requests settle.
  const results: (LoadResult | undefined)[] = [];
  const settling: Promise<unknown>[] = [];
  let extension: Extension | null = null;
  hooks.onLoadStart?.();
  // With `busy-poll: auto` at 1 connection, the trial on the head's connections decides the mode
  // of both sides: a comparison never runs its sides in different modes.
  let trial: TrialOutcome | null = null;
  try {
    if (settings.busyPoll === 'trial')
      trial = await runBusyPollTrial(loadOptions(settings, hooks.signal), sides.head.pool);
    const busyPoll = trial === null ? settings.busyPoll === true : trial.trial.chosen;
    // A slice ends at its deadline: the requests it still has in flight finish (or time out) while
    // the next slice runs, and count for the slice that sent them. So a side that hangs or answers
    // slowly costs no more than its slices plus one timeout at the end, instead of a timeout per
    // slice.
    const run = (side: Side, durationMs: number, index = -1, cutOff = false) => {
      const { settings: s, pool: p, latency, routeTally } = sides[side];
      const started = startLoad({
        ...loadOptions(s, hooks.signal),
        busyPoll,
        durationMs,
        pool: p,
        latency: index >= 0 ? latency : undefined,
        routeTally: index >= 0 ? routeTally : undefined,
        // The head's, as the standard line counts.
        counter: index >= 0 && side === 'head' ? hooks.counter : undefined,
        // A slice's rate is its answers within its own window over the window (as a saved
        // baseline's samples are): the tail finishes while the other side's slice runs, and its
        // timing then depends on how the two services share the CPU, not on their speed.
        sampleMs: index >= 0 ? durationMs : undefined,
        // A side's last slice of a batch is the pool's backstop: `timeout` + 0.5 s after its
        // deadline it cancels whatever the pool still has in flight, from any of the side's slices.
        // Its timer goes with the run, so once the batch has settled the next batch is safe.
        cutOff,
      });
      settling.push(
        started.result.then((result) => {
          if (index >= 0) results[index] = result;
          else sides[side].warmups.push(result);
        }),
      );
      return started.windowEnd;
    };
    // Both sides warm up (JIT, caches, connections, the generator itself) in alternating uncounted
    // slices, at least COMPARISON_WARMUP_MS each: the first seconds of a run are slower than the
    // rest, and slices from that ramp would widen the interval for nothing (docs/statistics.md).
    const warmupMs = Math.max(settings.warmupSec * 1000, COMPARISON_WARMUP_MS);
    const warmupSlices = Math.max(1, Math.ceil(warmupMs / sliceMs - 1e-9));
    for (let i = 0; i < warmupSlices && !hooks.signal?.aborted; i++) {
      for (const side of ['head', 'baseline'] as Side[]) await run(side, warmupMs / warmupSlices);
    }
    /** Runs slices [from, order.length), then waits for their tails. */
    const runBatch = async (from: number) => {
      const last = { head: order.lastIndexOf('head'), baseline: order.lastIndexOf('baseline') };
      for (let i = from; i < order.length && !hooks.signal?.aborted; i++)
        await run(order[i], sliceMs, i, i === last[order[i]]);
      // The last tails get one timeout: the pools' sweep gives up each request by then.
      await Promise.all(settling);
    };
    await runBatch(0);
    // A noisy run measures on (`rounds: auto` only) while its interval is too wide to catch
    // max-regression + EXTENSION_AIM_MARGIN_PCT: the stop looks at the width alone, never at the
    // change, so an A/A run is no likelier to end on a low estimate.
    for (;;) {
      const canGoOn =
        settings.roundsAuto &&
        !hooks.signal?.aborted &&
        !sides.head.pool.cancelled &&
        !sides.baseline.pool.cancelled &&
        // Timeouts are the service's own noise, which more pairs would not average away, and
        // each batch waits out its tails: such a run keeps its planned pairs.
        order.every((_, i) => {
          const result = results[i];
          return result !== undefined && !result.aborted && result.timeouts === 0;
        });
      if (!canGoOn) break;
      const pairs = pairsOf(slicesOf(order, results, sliceSec));
      if (pairs.length < 2 || !pairs.every(([h, b]) => h > 0 && b > 0)) break;
      const detectable = detectableRegressionPct(
        comparePairedRates(pairs, settings.confidence),
        settings.maxRegressionPct,
      );
      const batch = extensionBatch(
        settings.rounds,
        pairs.length,
        detectable,
        settings.maxRegressionPct,
      );
      if (batch === 0) break;
      extension ??= {
        plannedRounds: settings.rounds,
        rounds: settings.rounds,
        plannedDetectableRegressionPct: detectable,
        aimPct: noiseAimPct(settings.maxRegressionPct),
      };
      const from = order.length;
      order = sliceOrder(pairs.length + batch);
      await runBatch(from);
      // The pairs that ran to their end: all of them unless the job was cancelled meanwhile.
      extension.rounds = Math.floor(slicesOf(order, results, sliceSec).length / 2);
    }
  } finally {
    await Promise.all([sides.head.pool.close(), sides.baseline.pool.close()]);
  }
  const slices = slicesOf(order, results, sliceSec);
  order.forEach((side, i) => {
    const result = results[i];
    if (result !== undefined) sides[side].runs.push(result);
  });

  const combined = (side: Side) => {
    const own = sides[side];
    const result = combine(own.runs, own.latency.summary(), own.warmups, own.routeTally.results());
    own.latency.destroy();
    own.routeTally.destroy();
    return result;
  };
  const head = combined('head');
  const baseline = combined('baseline');
  await recordTrial(head, trial);
  // Measuring on gave each side more than `duration`: the decision's words (`N requests in 7.5 s`
  // for min-requests, which counts every slice) name the time its slices came to.
  const measured = extension
    ? { ...settings, durationSec: (settings.durationSec * extension.rounds) / settings.rounds }
    : settings;
  const headPart: HeadPart = {
    result: head,
    decision: judge(measured, head),
    loadStarted: true,
    samples: {
      sampleSec: sliceSec,
      rps: slices.filter((s) => s.side === 'head').map((s) => s.rps),
    },
  };
  return decide(measured, hooks, headPart, baseline, slices, { kind: 'paired', extension });
}

/** The head's side of a comparison: what an absolute check of it holds, but its kind. */
type HeadPart = Omit<AbsoluteCheck, 'kind'>;

/** The shift, its verdict, the decision and the slices' noise, from the slices of both sides. */
function decide(
  settings: Settings,
  hooks: CheckHooks,
  headPart: HeadPart,
  baseline: LoadResult,
  slices: Slice[],
  from:
    | { kind: 'paired'; extension: Extension | null }
    | { kind: 'saved'; saved: SavedBaseline; extension: null },
): ComparisonCheck {
  const head = headPart.result;
  const own = (side: Side) => slices.filter((s) => s.side === side);
  const bySide = { head: own('head'), baseline: own('baseline') };
  const headRates = bySide.head.map((s) => s.rps);
  const baseRates = bySide.baseline.map((s) => s.rps);
  const noise = { head: sliceNoise(headRates), baseline: sliceNoise(baseRates) };
  for (const side of ['head', 'baseline'] as Side[]) {
    for (const i of noise[side].outliers) bySide[side][i].outlier = true;
  }
  const check: ComparisonCheck = {
    ...headPart,
    ...from,
    baseline,
    slices,
    noise,
    shift: null,
    verdict: null,
    detectableRegressionPct: null,
  };
  if (!check.loadStarted) return check;
  const aborted = hooks.signal?.aborted === true || head.aborted;
  if (aborted) {
    const decision = cancelledAfter(settings, hooks, head.requests, head.windowMs / 1000);
    return { ...check, decision };
  }
  const sides = {
    head: { result: head, slices: bySide.head },
    baseline: { result: baseline, slices: bySide.baseline },
  };
  const cannot = notComparable(sides, from.kind, settings, headPart.decision);
  if (cannot) return { ...check, decision: cannot };
  // Slices of a same-job comparison run in adjacent head/baseline pairs: compare within pairs. A
  // saved baseline's samples pair with nothing: compare the two sets, and widen the interval for
  // what separates two runs, which neither set's spread shows.
  const shift =
    from.kind === 'paired'
      ? comparePairedRates(pairsOf(slices), settings.confidence)
      : widenForBetweenRuns(
          compareRates(headRates, baseRates, settings.confidence),
          BETWEEN_RUN_SPREAD_PCT,
        );
  const verdict = verdictOf(shift, settings.maxRegressionPct);
  const detectable = detectableRegressionPct(shift, settings.maxRegressionPct);
  // Not aborted here, so the head's own decision is its gates (min-requests, error rate, ...).
  const decision = comparisonDecision(shift, verdict, settings, headPart.decision);
  return { ...check, decision, shift, verdict, detectableRegressionPct: detectable };
}

/**
 * How many pairs a same-job comparison adds after `measured` pairs whose interval could catch only
 * slowdowns of `detectablePct` or more (`detectableRegressionPct`): none once that is within
 * max-regression + EXTENSION_AIM_MARGIN_PCT, else half the planned rounds at a time, up to twice the
 * planned rounds in all, so a noisy runner costs at most twice the comparison's time
 * (docs/statistics.md, "Noisy runs measure on").
 */
export function extensionBatch(
  planned: number,
  measured: number,
  detectablePct: number,
  maxRegressionPct: number,
): number {
  if (!(detectablePct > noiseAimPct(maxRegressionPct))) return 0;
  return Math.max(0, Math.min(Math.ceil(planned / 2), 2 * planned - measured));
}

/** The slices that ran to their end, in order, from each slice's result (undefined: not run). */
function slicesOf(order: Side[], results: (LoadResult | undefined)[], sliceSec: number): Slice[] {
  const slices: Slice[] = [];
  order.forEach((side, i) => {
    const result = results[i];
    if (result === undefined || result.aborted) return;
    const inWindow = result.sampleCounts[0] ?? 0;
    slices.push({ side, requests: inWindow, rps: inWindow / sliceSec });
  });
  return slices;
}

/** `[head req/s, baseline req/s]` of each pair of adjacent slices (see `sliceOrder`). */
export function pairsOf(slices: Slice[]): [number, number][] {
  const pairs: [number, number][] = [];
  for (let i = 0; i + 1 < slices.length; i += 2) {
    const [a, b] = [slices[i], slices[i + 1]];
    if (a.side === b.side) throw new Error(`slices ${i} and ${i + 1} are not a head/baseline pair`);
    pairs.push(a.side === 'head' ? [a.rps, b.rps] : [b.rps, a.rps]);
  }
  return pairs;
}

/**
 * One side's slices as one result: counts added up, the window is the sum of the slices, the
 * generator's use averaged over the slices' windows.
 */
export function combine(
  runs: LoadResult[],
  latency: LoadResult['latency'],
  warmups: LoadResult[] = [],
  routes: RouteResult[] = [],
): LoadResult {
  const total = emptyResult(runs.some((r) => r.aborted));
  let weight = 0;
  for (const r of runs) {
    const w = r.windowMs;
    weight += w;
    total.generator.cpuPct += r.generator.cpuPct * w;
    total.generator.utilization += r.generator.utilization * w;
    total.generator.cpuUsPerRequest += r.generator.cpuUsPerRequest * w;
    total.generator.busyPoll = r.generator.busyPoll;
    total.generator.cores = Math.max(total.generator.cores, r.generator.cores);
    total.requests += r.requests;
    total.unexpectedStatus += r.unexpectedStatus;
    total.errors += r.errors;
    total.timeouts += r.timeouts;
    total.cancelled += r.cancelled;
    total.windowMs += r.windowMs;
    for (const [k, v] of Object.entries(r.statusCounts)) {
      total.statusCounts[Number(k)] = (total.statusCounts[Number(k)] ?? 0) + v;
    }
    for (const [k, v] of Object.entries(r.errorsByKind)) {
      total.errorsByKind[k] = (total.errorsByKind[k] ?? 0) + v;
    }
  }
  // What the warm-up slices got, answers and failures alike: a side that hangs may fail there only.
  // (A warm-up slice is a run of its own: what it counted is warm-up here.)
  for (const r of warmups) addAsWarmup(total, r);
  if (weight > 0) {
    total.generator.cpuPct /= weight;
    total.generator.utilization /= weight;
    total.generator.cpuUsPerRequest /= weight;
  }
  total.latency = latency;
  total.protocol = runs.find((r) => r.protocol !== '')?.protocol ?? '';
  // A side of several routes kept a tally across its slices; one of a single route kept none, and
  // its one entry is the side's totals, as in a single run.
  const single = runs.find((r) => r.routes.length === 1)?.routes[0].name;
  total.routes = routes.length > 0 ? routes : single ? [routeFromTotals(single, total)] : [];
  return total;
}
