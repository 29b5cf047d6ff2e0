/**
 * Plain values for the tests of src/present/ (and of the options table): settings read from
 * inputs as the action gets them, one result with a bit of everything, and checks of each kind
 * built by hand, so that what is printed can be checked against numbers known in advance.
 */
import { readSettings } from '../../src/config/settings.js';
import { comparisonDecision, judge } from '../../src/check/judge.js';
import type {
  Extension,
  AbsoluteCheck,
  ComparisonCheck,
  SavedBaseline,
  Shift,
  Slice,
} from '../../src/model/check.js';
import type { LoadResult } from '../../src/model/result.js';
import type { Settings } from '../../src/model/settings.js';
import { sliceNoise } from '../../src/stats/noise.js';

/** Settings as `readSettings` makes them from these inputs (port 8080, min-requests 0 unless set). */
export function settingsOf(inputs: Record<string, string> = {}): Settings {
  const all: Record<string, string> = { port: '8080', 'min-requests': '0', ...inputs };
  return readSettings((name) => all[name] ?? '');
}

/** 12340 requests in 5 s (2468 req/s), 5 unexpected, 2 resets, 1 timeout; nothing saturated. */
export const result: LoadResult = {
  schedule: null,
  protocol: 'http/1.1',
  routes: [],
  requests: 12340,
  unexpectedStatus: 5,
  statusCounts: { 200: 12340, 503: 5 },
  errors: 2,
  errorsByKind: { ECONNRESET: 2 },
  timeouts: 1,
  cancelled: 0,
  warmup: { responses: 0, failures: 0 },
  windowMs: 5000,
  perSecond: [2400, 2500, 2470, 2475, 2500],
  sampleCounts: [],
  // 2 s of CPU over the 12,348 requests sent: 162 µs each, 20% of a 2-core machine.
  generator: { cpuPct: 40, utilization: 0.35, busyPoll: false, cpuUsPerRequest: 162, cores: 2 },
  latency: {
    count: 12345,
    p50Us: 350,
    p90Us: 420,
    p95Us: 800,
    p99Us: 1200,
    maxUs: 15321,
    meanUs: 380.2,
  },
  aborted: false,
};

/** An absolute check of `result` (or of what is given), judged against the settings' gate. */
export function absoluteCheck(
  settings: Settings,
  overrides: Partial<AbsoluteCheck> = {},
): AbsoluteCheck {
  const own = overrides.result ?? result;
  return {
    kind: 'absolute',
    result: own,
    decision: judge(settings, own),
    loadStarted: true,
    samples: { sampleSec: 1, rps: own.perSecond },
    ...overrides,
  };
}

/** A shift of -7.5% (interval -10% to -5%), as the signed-rank interval reports it. */
export const shift: Shift = {
  changePct: -7.5,
  lowPct: -10,
  highPct: -5,
  confidence: 0.95,
  achievedConfidence: 0.96,
  method: 'exact',
  test: 'signed-rank',
  headSlices: 4,
  baselineSlices: 4,
  betweenRunSpreadPct: 0,
};

/** A signed-rank shift over 10 pairs at 99% with this interval (the estimate in the middle). */
export function shiftOf(
  lowPct: number,
  highPct: number,
  changePct = (lowPct + highPct) / 2,
): Shift {
  return {
    changePct,
    lowPct,
    highPct,
    confidence: 0.99,
    achievedConfidence: 0.99,
    method: 'exact',
    test: 'signed-rank',
    headSlices: 10,
    baselineSlices: 10,
    betweenRunSpreadPct: 0,
  };
}

/** Slices of these req/s, the head's first (as a saved comparison lists them), each `sliceSec` long. */
export function slicesOf(head: number[], baseline: number[], sliceSec = 0.5): Slice[] {
  const slice = (side: Slice['side'], rps: number): Slice => ({
    side,
    rps,
    requests: Math.round(rps * sliceSec),
  });
  return [...head.map((r) => slice('head', r)), ...baseline.map((r) => slice('baseline', r))];
}

/** A saved report measured at 1 connection on `/`, in commit 0123456789ab... */
export const saved: SavedBaseline = {
  path: 'main.json',
  createdAt: '2026-11-20T10:00:00.000Z',
  target: 'http://127.0.0.1:8080/',
  environment: { sha: '0123456789abcdef0123', ref: 'refs/heads/main' },
  settings: {
    connections: 1,
    pipelining: 1,
    path: '/',
    durationSec: 5,
    scheme: 'http',
    http2: false,
    requests: 'GET /',
  },
  samples: { sampleSec: 0.5, rps: [1000, 1004, 998, 1001] },
  result: { ...result, requests: 2000, windowMs: 2000 },
};

/** A noisy comparison's extension: 10 planned pairs could catch 11.2%, so it measured 5 more. */
export const extension: Extension = {
  plannedRounds: 10,
  rounds: 15,
  plannedDetectableRegressionPct: 11.2,
  aimPct: 10,
};

/** What a test may set of a comparison check (`saved` applies to a saved one). */
type ComparisonOverrides = Partial<Omit<ComparisonCheck, 'kind' | 'saved'>> & {
  saved?: SavedBaseline;
};

/** A comparison check of `kind`: `shift`, verdict slower, decided as the check would decide it. */
export function comparisonCheck(
  settings: Settings,
  kind: 'paired' | 'saved',
  { saved: savedReport = saved, ...overrides }: ComparisonOverrides = {},
): ComparisonCheck {
  const slices = slicesOf([900, 910, 905, 902], [1000, 1004, 998, 1001]);
  const rates = (side: Slice['side']) => slices.filter((s) => s.side === side).map((s) => s.rps);
  const head = absoluteCheck(settings);
  const from = kind === 'saved' ? { kind, saved: savedReport } : { kind };
  // A saved baseline's interval is two-sample and widened for the spread between runs.
  const own =
    kind === 'saved'
      ? { ...shift, test: 'mann-whitney' as const, betweenRunSpreadPct: 2.5 }
      : shift;
  return {
    ...head,
    decision: comparisonDecision(own, 'slower', settings, head.decision),
    ...from,
    baseline: { ...result, requests: 13000 },
    slices,
    noise: { head: sliceNoise(rates('head')), baseline: sliceNoise(rates('baseline')) },
    shift: own,
    verdict: 'slower',
    detectableRegressionPct: 7.6,
    extension: null,
    samples: { sampleSec: 0.5, rps: rates('head') },
    ...overrides,
  };
}
