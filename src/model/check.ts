/**
 * What a check found, as plain values: its kind, the decision, the loads' results and, for a
 * comparison, the slices and the change. The vocabulary (docs/architecture.md):
 * - a **result** is what one load measured (`LoadResult`);
 * - the **outcome** is how the check ended: `passed`, `failed`, `cancelled` or `not-ready`;
 * - the **decision** is the outcome with its pass/fail and the sentence that explains it;
 * - a **verdict** is a comparison's reading of the change: `faster`, `slower`, `unchanged`,
 *   `regression`;
 * - the **comparison** is the head-vs-baseline part of a check.
 */
import type { LoadResult } from './result.js';

export type Outcome = 'passed' | 'failed' | 'cancelled' | 'not-ready';

/** The inputs that gate a check; each names its gate in `failed-gates` and the report. */
export type GateName =
  | 'min-requests'
  | 'min-rps'
  | 'max-error-rate'
  | 'max-p50-ms'
  | 'max-p95-ms'
  | 'max-p99-ms'
  | 'max-regression';

/** One gate of the verdict: its limit, what was measured, and whether it held. */
export interface Gate {
  name: GateName;
  /** In the input's unit: requests, req/s, percent, ms; for max-regression the percent allowed. */
  limit: number;
  /**
   * Measured, in the same unit. For max-regression the upper end of the interval of the change
   * (it fails below -limit); null when it could not be measured (no interval).
   */
  value: number | null;
  passed: boolean;
}

/** What the step does, and why. */
export interface Decision {
  passed: boolean;
  outcome: Outcome;
  /** One sentence for the log and the failure annotation. */
  message: string;
  /** Every gate judged, in a fixed order; empty when the load did not run to its end. */
  gates: Gate[];
}

export interface Shift {
  /** Estimated change of head vs baseline, in percent (e.g. -7.2 = head 7.2% slower). */
  changePct: number;
  /** Confidence interval of the change, in percent. */
  lowPct: number;
  highPct: number;
  /**
   * The confidence asked for, e.g. 0.99, and the one the interval actually has (the statistic is
   * discrete): 1 - 2 P(T <= c - 1) for the interval [d(c), d(M + 1 - c)]. Below the asked one only
   * when there are too few slices for it (c = 1).
   */
  confidence: number;
  achievedConfidence: number;
  method: 'exact' | 'normal';
  /**
   * `signed-rank`: slices taken in adjacent head/baseline pairs (a same-job comparison), the
   * Hodges-Lehmann median of the Walsh averages of the pair differences with the Wilcoxon
   * signed-rank interval. `mann-whitney`: two independent sets (a saved baseline).
   */
  test: 'signed-rank' | 'mann-whitney';
  headSlices: number;
  baselineSlices: number;
  /**
   * The spread between runs (SD, percent of req/s) the interval was widened by: a saved baseline's
   * (`widenForBetweenRuns`). 0 when both sides ran in this run.
   */
  betweenRunSpreadPct: number;
}

/**
 * A comparison's reading of the change (the `verdict` output): `regression` when the whole interval
 * lies below -max-regression, `slower`/`faster` when it lies on one side of 0, else `unchanged`.
 */
export type Verdict = 'regression' | 'slower' | 'faster' | 'unchanged';

export interface SliceNoise {
  /** Coefficient of variation of the slices' req/s. */
  cv: number;
  /** Indices of the slices hit by a burst: far from the side's median by the MAD rule. */
  outliers: number[];
}

export type Side = 'head' | 'baseline';

export interface Slice {
  side: Side;
  /** Counted answers within the slice's window. */
  requests: number;
  rps: number;
  /** Far from its side's median (a burst from elsewhere, most likely); see `sliceNoise`. */
  outlier?: boolean;
}

/**
 * The head's req/s in consecutive windows of `sampleSec` (a comparison's head slices): what a later
 * run compares with when this run's report is its `baseline-file`.
 */
export interface Samples {
  sampleSec: number;
  rps: number[];
}

/** Where and what the run ran on; the adapters fill it from the environment. */
export interface RunEnvironment {
  node: string;
  platform: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  /** GitHub Actions' variables when present (`RUNNER_OS`, `GITHUB_SHA`, ...), else null. */
  runnerOs: string | null;
  runnerName: string | null;
  repository: string | null;
  sha: string | null;
  ref: string | null;
  runId: string | null;
}

/** What `baseline-file` holds, once checked. */
export interface SavedBaseline {
  path: string;
  createdAt: string;
  target: string;
  environment: Partial<RunEnvironment>;
  settings: {
    connections: number;
    pipelining: number;
    path: string;
    durationSec: number;
    scheme: string;
    http2: boolean;
    /** Its requests and weights as `requestsOf` words them; null in reports older than routes. */
    requests: string | null;
  };
  samples: Samples;
  result: LoadResult;
}

interface CheckBase {
  /** The head's result (the only one of an absolute check). */
  result: LoadResult;
  decision: Decision;
  /** False when the load never started (target not ready, or cancelled while waiting). */
  loadStarted: boolean;
  samples: Samples;
}

/** One continuous run judged against `min-requests`. */
export interface AbsoluteCheck extends CheckBase {
  kind: 'absolute';
}

/** What both kinds of comparison hold. */
interface ComparisonBase extends CheckBase {
  /** Everything the baseline answered, over all its slices (`result` is the head's). */
  baseline: LoadResult;
  /** In the order they ran (a saved baseline's come after the head's). */
  slices: Slice[];
  /** Variation and outliers of each side's slices. */
  noise: Record<Side, SliceNoise>;
  shift: Shift | null;
  verdict: Verdict | null;
  /**
   * The smallest slowdown, in percent, this comparison would have called a regression with 95%
   * probability, from the width of its interval (src/stats/compare.ts): its own slices' spread,
   * and for a saved baseline the spread between runs it was widened by; null without a shift.
   */
  detectableRegressionPct: number | null;
  /** More pairs than planned, measured because the planned ones were too noisy; else null. */
  extension: Extension | null;
}

/**
 * A same-job comparison aims to catch a slowdown of max-regression plus this many points: a noisier
 * one measures more pairs (`extensionBatch`, src/check/comparison.ts), and one that still could not
 * is warned about (src/present/warnings.ts).
 */
export const EXTENSION_AIM_MARGIN_PCT = 5;

/** The slowdown, in percent, a same-job comparison aims to be able to catch. */
export function noiseAimPct(maxRegressionPct: number): number {
  return maxRegressionPct + EXTENSION_AIM_MARGIN_PCT;
}

/**
 * Whether a comparison's interval leaves a regression open (it reaches below -max-regression)
 * while the run could catch only slowdowns above `noiseAimPct`: a pass that rules out less than it
 * seems to (the warning of src/present/warnings.ts, counted by bench/calibrate.js).
 */
export function tooNoisyToRuleOut(
  shift: Shift,
  detectablePct: number,
  maxRegressionPct: number,
): boolean {
  return detectablePct > noiseAimPct(maxRegressionPct) && shift.lowPct < -maxRegressionPct;
}

/**
 * A same-job comparison (`rounds: auto`) whose planned pairs could not catch a slowdown of
 * max-regression + 5 points measured more, up to twice as many (src/check/comparison.ts).
 */
export interface Extension {
  /** The pairs planned (`rounds`) and the pairs measured in all. */
  plannedRounds: number;
  rounds: number;
  /** What the planned pairs alone could catch (`detectableRegressionPct` of their interval). */
  plannedDetectableRegressionPct: number;
  /** What the comparison aimed to catch: max-regression + 5 points. */
  aimPct: number;
}

/** Head vs a second service measured in this run, in alternating slices (`baseline-port`). */
export interface PairedCheck extends ComparisonBase {
  kind: 'paired';
}

/** Head vs the samples of a report saved by an earlier run (`baseline-file`). */
export interface SavedCheck extends ComparisonBase {
  kind: 'saved';
  saved: SavedBaseline;
}

export type ComparisonCheck = PairedCheck | SavedCheck;

export type Check = AbsoluteCheck | ComparisonCheck;

/** The version of the JSON report's layout (docs/report-schema.md). */
export const SCHEMA_VERSION = 3;
