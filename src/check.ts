/**
 * One whole check, shared by the action and the CLI: wait for the target, run the load, judge.
 * Pure in the project's sense: settings in, a plain outcome out; printing and exit codes belong to
 * the adapters, which hear about the steps through the hooks.
 */
import { emptyResult, LoadPool, runLoad, startLoad, type LoadResult } from './engine/load.js';
import { waitUntilReady, type ReadyResult } from './engine/ready.js';
import { origin, targetUrl, type Settings } from './inputs.js';
import type { SavedBaseline } from './report/json.js';
import {
  comparePairedRates,
  compareRates,
  judgeShift,
  type ComparisonVerdict,
  type Shift,
} from './stats/compare.js';
import { createLatencyRecorder } from './stats/latency.js';
import { sliceNoise, type SliceNoise } from './stats/noise.js';
import { cancelled, formatSeconds, judge, notReady, type Verdict } from './verdict.js';

export interface CheckHooks {
  /** Aborting stops the check (e.g. on SIGTERM); the result so far is still judged. */
  signal?: AbortSignal;
  /** The name of what aborted the signal, for the message (e.g. `SIGTERM`). */
  stoppedBy?: () => string;
  /** The target answered after some waiting (not called when it answered the first probe). */
  onReady?: (ready: ReadyResult) => void;
  /** The load starts now (after the readiness wait). */
  onLoadStart?: () => void;
  /** Progress during the load, about every `progressIntervalMs`. */
  onProgress?: (progress: { elapsedMs: number; requests: number }) => void;
  progressIntervalMs?: number;
}

export interface CheckOutcome {
  result: LoadResult;
  verdict: Verdict;
  /** False when the load never started (target not ready, or cancelled while waiting). */
  loadStarted: boolean;
  /**
   * The head's req/s in consecutive windows of `sampleSec` (the slices of a comparison), what a
   * later run compares with when this run's report is its `baseline-file`.
   */
  samples: Samples;
}

export interface Samples {
  sampleSec: number;
  rps: number[];
}

/**
 * The absolute check: one continuous run, counted in samples of `durationSec / rounds` seconds (or
 * of `sampleSec` when given, to match a saved baseline).
 */
export async function runCheck(
  settings: Settings,
  hooks: CheckHooks = {},
  sampleSec = settings.durationSec / settings.rounds,
): Promise<CheckOutcome> {
  const notReadyVerdict = await waitFor(settings, hooks);
  if (notReadyVerdict) {
    return {
      result: emptyResult(hooks.signal?.aborted),
      verdict: notReadyVerdict,
      loadStarted: false,
      samples: { sampleSec, rps: [] },
    };
  }

  hooks.onLoadStart?.();
  const result = await runLoad({
    ...loadOptions(settings, hooks.signal),
    warmupMs: settings.warmupSec * 1000,
    durationMs: settings.durationSec * 1000,
    sampleMs: sampleSec * 1000,
    onProgress: hooks.onProgress,
    progressIntervalMs: hooks.progressIntervalMs,
  });
  const verdict = result.aborted
    ? cancelledAfter(settings, hooks, result.requests, result.windowMs / 1000)
    : judge(gate(settings, result.requests));
  const rps = result.aborted ? [] : result.samples.map((count) => count / sampleSec);
  return { result, verdict, loadStarted: true, samples: { sampleSec, rps } };
}

/**
 * Head vs a saved report (`baseline-file`): the head runs as an absolute check, sampled at the
 * saved report's sample length, and its samples are compared with the saved ones by the same
 * statistics as a same-job comparison. Runs on different machines or at different times differ by
 * more than the interval covers; the summary says so.
 */
export async function runFileComparison(
  settings: Settings,
  saved: SavedBaseline,
  hooks: CheckHooks = {},
): Promise<ComparisonOutcome> {
  const { sampleSec } = saved.samples;
  const check = await runCheck(settings, hooks, sampleSec);
  const asSlices = (side: Side, rates: number[]): Slice[] =>
    rates.map((rps) => ({ side, rps, requests: Math.round(rps * sampleSec) }));
  const slices = [
    ...asSlices('head', check.samples.rps),
    ...asSlices('baseline', saved.samples.rps),
  ];
  return decide(settings, hooks, check, saved.result, slices, { source: 'file', saved });
}

/** What runLoad needs from the settings, but the window. */
function loadOptions(settings: Settings, signal?: AbortSignal) {
  return {
    origin: origin(settings),
    path: settings.path,
    headers: settings.headers,
    connections: settings.connections,
    pipelining: settings.pipelining,
    busyPoll: settings.busyPoll,
    timeoutMs: settings.timeoutSec * 1000,
    expectedStatus: settings.expectedStatus,
    signal,
  };
}

function gate(settings: Settings, requests: number) {
  return { requests, minRequests: settings.minRequests, durationSec: settings.durationSec };
}

function cancelledAfter(
  settings: Settings,
  hooks: CheckHooks,
  requests: number,
  elapsedSec: number,
): Verdict {
  const signal = hooks.stoppedBy?.() || 'abort';
  return cancelled({ ...gate(settings, requests), signal, elapsedSec });
}

export type Side = 'head' | 'baseline';

/** Uncounted load each side gets before a comparison's slices (or `warmup`, when longer). */
export const COMPARISON_WARMUP_MS = 1500;

export interface Slice {
  side: Side;
  requests: number;
  rps: number;
  /** Far from its side's median (a burst from elsewhere, most likely); see `sliceNoise`. */
  outlier?: boolean;
}

export interface ComparisonOutcome extends CheckOutcome {
  /** `service`: a second service measured in this run; `file`: a saved report (`baseline-file`). */
  source: 'service' | 'file';
  /** The saved report compared with, when `source` is `file`. */
  saved?: SavedBaseline;
  /** Everything the baseline answered, over all its slices (`result` is the head's). */
  baseline: LoadResult;
  /** In the order they ran (a saved baseline's come after the head's). */
  slices: Slice[];
  /** Variation and outliers of each side's slices. */
  noise: Record<Side, SliceNoise>;
  shift: Shift | null;
  comparison: ComparisonVerdict | null;
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
 * baseline in log req/s and its interval decide (src/stats/compare.ts).
 */
export async function runComparison(
  settings: Settings,
  hooks: CheckHooks = {},
): Promise<ComparisonOutcome> {
  const baselineTarget = settings.baseline;
  if (baselineTarget === null) throw new Error('runComparison needs settings.baseline');
  const baselineSettings = { ...settings, ...baselineTarget };
  const sliceSec = settings.durationSec / settings.rounds;
  const empty = (verdict: Verdict): ComparisonOutcome => ({
    result: emptyResult(hooks.signal?.aborted),
    baseline: emptyResult(hooks.signal?.aborted),
    verdict,
    loadStarted: false,
    samples: { sampleSec: sliceSec, rps: [] },
    source: 'service',
    slices: [],
    noise: { head: sliceNoise([]), baseline: sliceNoise([]) },
    shift: null,
    comparison: null,
  });

  for (const side of [settings, baselineSettings]) {
    const notReadyVerdict = await waitFor(side, hooks);
    if (notReadyVerdict) return empty(notReadyVerdict);
  }

  const sides = {
    head: {
      settings,
      pool: pool(settings),
      latency: createLatencyRecorder(),
      runs: [] as LoadResult[],
      warmups: [] as LoadResult[],
    },
    baseline: {
      settings: baselineSettings,
      pool: pool(baselineSettings),
      latency: createLatencyRecorder(),
      runs: [] as LoadResult[],
      warmups: [] as LoadResult[],
    },
  };
  const sliceMs = sliceSec * 1000;
  const order = sliceOrder(settings.rounds);
  // Each slice's result, in the order the slices ran; filled in as each slice's requests settle.
  const results: (LoadResult | undefined)[] = new Array(order.length);
  const settling: Promise<unknown>[] = [];
  const lastSlice = { head: order.lastIndexOf('head'), baseline: order.lastIndexOf('baseline') };
  hooks.onLoadStart?.();
  try {
    // A slice ends at its deadline: the requests it still has in flight finish (or time out) while
    // the next slice runs, and count for the slice that sent them. So a side that hangs or answers
    // slowly costs no more than its slices plus one timeout at the end, instead of a timeout per
    // slice.
    const run = (side: Side, durationMs: number, index = -1) => {
      const { settings: s, pool: p, latency } = sides[side];
      const started = startLoad({
        ...loadOptions(s, hooks.signal),
        durationMs,
        pool: p,
        latency: index >= 0 ? latency : undefined,
        // A slice's rate is its answers within its own window over the window (as a saved
        // baseline's samples are): the tail finishes while the other side's slice runs, and its
        // timing then depends on how the two services share the CPU, not on their speed.
        sampleMs: index >= 0 ? durationMs : undefined,
        // A side's last slice is the pool's backstop: `timeout` + 0.5 s after its deadline it
        // cancels whatever the pool still has in flight, from any of the side's slices.
        cutOff: index === lastSlice[side],
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
    // slices, at least COMPARISON_WARMUP_MS each: on these machines the first 2-3 s of a run were
    // 5-25% slower than the rest, and slices from that ramp widened the interval for nothing.
    const warmupMs = Math.max(settings.warmupSec * 1000, COMPARISON_WARMUP_MS);
    const warmupSlices = Math.max(1, Math.ceil(warmupMs / sliceMs - 1e-9));
    for (let i = 0; i < warmupSlices && !hooks.signal?.aborted; i++) {
      for (const side of ['head', 'baseline'] as Side[]) await run(side, warmupMs / warmupSlices);
    }
    for (let i = 0; i < order.length && !hooks.signal?.aborted; i++)
      await run(order[i], sliceMs, i);
    // The last tails get one timeout: the pools' sweep gives up each request by then.
    await Promise.all(settling);
  } finally {
    await Promise.all([sides.head.pool.close(), sides.baseline.pool.close()]);
  }
  const slices: Slice[] = [];
  order.forEach((side, i) => {
    const result = results[i];
    if (result === undefined) return;
    sides[side].runs.push(result);
    if (!result.aborted) {
      const inWindow = result.samples[0] ?? 0;
      slices.push({ side, requests: inWindow, rps: inWindow / sliceSec });
    }
  });

  const head = combine(sides.head.runs, sides.head.latency.summary(), sides.head.warmups);
  const baseline = combine(
    sides.baseline.runs,
    sides.baseline.latency.summary(),
    sides.baseline.warmups,
  );
  sides.head.latency.destroy();
  sides.baseline.latency.destroy();
  const check: CheckOutcome = {
    result: head,
    verdict: judge(gate(settings, head.requests)),
    loadStarted: true,
    samples: {
      sampleSec: sliceSec,
      rps: slices.filter((s) => s.side === 'head').map((s) => s.rps),
    },
  };
  return decide(settings, hooks, check, baseline, slices, { source: 'service' });
}

/** The shift, its verdict and the slices' noise, from the slices of both sides. */
function decide(
  settings: Settings,
  hooks: CheckHooks,
  check: CheckOutcome,
  baseline: LoadResult,
  slices: Slice[],
  from: Pick<ComparisonOutcome, 'source' | 'saved'>,
): ComparisonOutcome {
  const head = check.result;
  const own = (side: Side) => slices.filter((s) => s.side === side);
  const bySide = { head: own('head'), baseline: own('baseline') };
  const headRates = bySide.head.map((s) => s.rps);
  const baseRates = bySide.baseline.map((s) => s.rps);
  const noise = { head: sliceNoise(headRates), baseline: sliceNoise(baseRates) };
  for (const side of ['head', 'baseline'] as Side[]) {
    for (const i of noise[side].outliers) bySide[side][i].outlier = true;
  }
  const outcome = { ...check, ...from, baseline, slices, noise, shift: null, comparison: null };
  if (!check.loadStarted) return outcome;
  const aborted = hooks.signal?.aborted === true || head.aborted;
  if (aborted) {
    const verdict = cancelledAfter(settings, hooks, head.requests, head.windowMs / 1000);
    return { ...outcome, verdict };
  }
  const silent = silentSides(settings, { head, baseline }, bySide, from.source);
  if (silent.length > 0) {
    const verdict: Verdict = {
      passed: false,
      outcome: 'failed',
      message: `Throughput comparison failed: ${silent.join('; ')}`,
    };
    return { ...outcome, verdict };
  }
  // Slices of a same-job comparison run in adjacent head/baseline pairs: compare within pairs. A
  // saved baseline's samples pair with nothing: compare the two sets.
  const shift =
    from.source === 'service'
      ? comparePairedRates(pairsOf(slices), settings.confidence)
      : compareRates(headRates, baseRates, settings.confidence);
  const comparison = judgeShift(shift, settings.maxRegressionPct);
  // Not aborted here, so the check's own verdict is the absolute gate (min-requests).
  const verdict = comparisonVerdict(shift, comparison, settings, check.verdict);
  return { ...outcome, verdict, shift, comparison };
}

/**
 * What each side that cannot be compared did: a side needs at least 2 slices, each with requests.
 * Says why in the side's own counts, e.g. `the baseline answered no request in 4 of 4 slices (0
 * requests; unexpected status 0, errors 0, timeouts 3 at timeout 2 s)`.
 */
function silentSides(
  settings: Settings,
  results: Record<Side, LoadResult>,
  slices: Record<Side, Slice[]>,
  source: ComparisonOutcome['source'],
): string[] {
  const reasons: string[] = [];
  for (const side of ['head', 'baseline'] as Side[]) {
    const own = slices[side];
    const empty = own.filter((s) => !(s.rps > 0)).length;
    if (own.length >= 2 && empty === 0) continue;
    const r = results[side];
    const name =
      side === 'head' ? 'the head' : source === 'file' ? 'the saved baseline' : 'the baseline';
    const what =
      own.length < 2
        ? `had ${own.length} slice(s), at least 2 are needed`
        : `answered no request with an expected status in ${empty} of ${own.length} slices`;
    const { responses, failures } = r.warmup;
    reasons.push(
      `${name} ${what} (${r.requests} requests; unexpected status ${r.unexpectedStatus}, ` +
        `errors ${r.errors}, timeouts ${r.timeouts} at timeout ${formatSeconds(settings.timeoutSec)} s` +
        (responses + failures > 0
          ? `; in the warm-up ${responses} answers and ${failures} failed requests`
          : '') +
        ')',
    );
  }
  return reasons;
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

async function waitFor(settings: Settings, hooks: CheckHooks): Promise<Verdict | null> {
  if (settings.waitTimeoutSec <= 0) return null;
  const ready = await waitUntilReady({
    origin: origin(settings),
    path: settings.path,
    headers: settings.headers,
    signal: hooks.signal,
    waitMs: settings.waitTimeoutSec * 1000,
    probeTimeoutMs: settings.timeoutSec * 1000,
  });
  if (ready.ready) {
    if (ready.attempts > 1) hooks.onReady?.(ready);
    return null;
  }
  if (hooks.signal?.aborted) return cancelledAfter(settings, hooks, 0, 0);
  return notReady({
    url: targetUrl(settings),
    waitTimeoutSec: settings.waitTimeoutSec,
    lastError: ready.lastError,
  });
}

function pool(settings: Settings): LoadPool {
  const { connections, pipelining, timeoutSec } = settings;
  return new LoadPool(origin(settings), connections, pipelining, timeoutSec * 1000);
}

/**
 * One side's slices as one result: counts added up, the window is the sum of the slices, the
 * generator's use averaged over the slices' windows.
 */
function combine(
  runs: LoadResult[],
  latency: LoadResult['latency'],
  warmups: LoadResult[] = [],
): LoadResult {
  const total = emptyResult(runs.some((r) => r.aborted));
  let weight = 0;
  for (const r of runs) {
    const w = r.windowMs;
    weight += w;
    total.generator.cpuPct += r.generator.cpuPct * w;
    total.generator.utilization += r.generator.utilization * w;
    total.generator.busyPoll = r.generator.busyPoll;
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
  for (const r of warmups) {
    total.warmup.responses += r.requests + r.unexpectedStatus + r.warmup.responses;
    total.warmup.failures += r.errors + r.timeouts + r.cancelled + r.warmup.failures;
  }
  if (weight > 0) {
    total.generator.cpuPct /= weight;
    total.generator.utilization /= weight;
  }
  total.latency = latency;
  return total;
}

function comparisonVerdict(
  shift: Shift,
  comparison: ComparisonVerdict,
  settings: Settings,
  absolute: Verdict,
): Verdict {
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
  const interval =
    `${pct(shift.changePct)} (${Math.round(settings.confidence * 1000) / 10}% interval ` +
    `${pct(shift.lowPct)} to ${pct(shift.highPct)})`;
  if (comparison === 'regression') {
    return {
      passed: false,
      outcome: 'failed',
      message:
        `Throughput regression: head vs baseline ${interval}, the whole interval below ` +
        `-${settings.maxRegressionPct}% (max-regression)`,
    };
  }
  if (!absolute.passed) return absolute;
  const words: Record<Exclude<ComparisonVerdict, 'regression'>, string> = {
    faster: 'Head is faster than baseline',
    slower: `Head is slower than baseline, within max-regression ${settings.maxRegressionPct}%`,
    unchanged: 'No significant change between head and baseline',
  };
  return { passed: true, outcome: 'passed', message: `${words[comparison]}: ${interval}` };
}

/** The check the settings ask for: head vs a service, head vs a saved report, or absolute. */
export function runChecks(
  settings: Settings,
  hooks: CheckHooks,
  saved: SavedBaseline | null,
): Promise<CheckOutcome | ComparisonOutcome> {
  if (settings.baseline) return runComparison(settings, hooks);
  if (saved) return runFileComparison(settings, saved, hooks);
  return runCheck(settings, hooks);
}

export function isComparison(outcome: CheckOutcome): outcome is ComparisonOutcome {
  return 'slices' in outcome;
}
