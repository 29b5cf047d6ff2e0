// How often does a `baseline-file` comparison cry wolf across runs, and how much do runs differ?
//
// Each trial saves a baseline report in one process against a fresh server process, then, 1-30
// minutes later, runs the head in another process against another fresh server with
// `baseline-file`. A/A: both servers cost the same; A/B: the head's costs more, tuned so that a
// same-job comparison measures about -`--slow` percent. Trials overlap: while one waits for its
// head run, others save their baselines or run their heads, one process at a time, the head runs
// first when due. Every trial is appended to bench/out/calibration-saved.jsonl with both sides'
// samples and the actual gap; bench/CALIBRATION-saved.md is rewritten from it after each trial:
// the false alarms and detections of today's method, the between-run spread it estimates from the
// A/A trials, and the same trials judged with the interval widened by that spread. Not part of
// `npm test`. Other work on the machine: run it through bench/quiet.sh, as for calibrate.js.
//
//   node --import tsx bench/calibrate-saved.js                    300 A/A + 60 A/B, 4 connections,
//                                                                 5 s, gaps of 1-30 min
//   node --import tsx bench/calibrate-saved.js --aa 4 --ab 2 --gap 0.1:0.3 --minutes 5   a try
//   node --import tsx bench/calibrate-saved.js --report-only
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { appendFileSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, runBundle, startCalibrationServer, wilson, zeroUpper } from './lib.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    aa: { type: 'string', default: '300' },
    ab: { type: 'string', default: '60' },
    connections: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '5' },
    // Uncounted warm-up of every run, seconds: the saved-baseline example's. Without it the first
    // samples of a fresh server and action are slower in both runs alike, and the two-sample interval, which
    // takes every sample for exchangeable, grows wide enough to hide the spread between runs.
    warmup: { type: 'string', default: '1' },
    // Minutes between a trial's baseline and its head, drawn uniformly.
    gap: { type: 'string', default: '1:30' },
    // The A/B head's slowdown, percent, and its per-request cost (tuned when not given).
    slow: { type: 'string', default: '20' },
    cost: { type: 'string', default: '' },
    'base-cost-us': { type: 'string', default: '100' },
    minutes: { type: 'string', default: '0' },
    log: { type: 'string', default: join(root, 'bench', 'out', 'calibration-saved.jsonl') },
    out: { type: 'string', default: join(root, 'bench', 'CALIBRATION-saved.md') },
    'report-only': { type: 'boolean', default: false },
    // Keep the trial log and add to it (the same settings and cost).
    resume: { type: 'boolean', default: false },
    note: { type: 'string', default: '' },
    pause: { type: 'string', default: join(tmpdir(), 'http-load-check-calibrate.pause') },
  },
});
const {
  BETWEEN_RUN_SPREAD_PCT,
  compareRates,
  detectableRegressionPct,
  logInterval,
  widenForBetweenRuns,
} = await import('../src/stats/compare.ts');
const { verdictOf } = await import('../src/check/judge.ts');
const { default: normalQuantile } = await import('@stdlib/stats-base-dists-normal-quantile');
const CONNECTIONS = Number(args.connections);
const SECONDS = Number(args.seconds);
const WARMUP = Number(args.warmup);
const [GAP_MIN, GAP_MAX] = args.gap.split(':').map(Number);
const SLOW_PCT = Number(args.slow);
const BASE_COST_US = Number(args['base-cost-us']);
const CONFIDENCE = 0.95;
const MAX_REGRESSION = 5;
const STOP_AT = Number(args.minutes) > 0 ? Date.now() + Number(args.minutes) * 60_000 : Infinity;
const log = (...parts) => console.error('[calibrate-saved]', ...parts);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Holds the next run while the pause file exists (bench/quiet.sh); `<pause>.held` says so. */
async function waitWhilePaused() {
  if (!existsSync(args.pause)) return;
  log('paused');
  writeFileSync(`${args.pause}.held`, '');
  while (existsSync(args.pause)) await sleep(500);
  rmSync(`${args.pause}.held`, { force: true });
  await sleep(2000);
  log('resumed');
}

let work;
let bundle;

/** One run of the bundle against a fresh server costing `costUs`; its outputs and report. */
async function runAgainst(costUs, inputs) {
  await waitWhilePaused();
  const server = await startCalibrationServer(costUs);
  try {
    const outputs = await runBundle(bundle, work, {
      port: server.port,
      duration: SECONDS,
      warmup: WARMUP,
      connections: CONNECTIONS,
      'min-requests': 0,
      'wait-timeout': 5,
      ...inputs,
    });
    return outputs;
  } finally {
    server.stop();
  }
}

/** The per-request cost that a same-job comparison measures as about -SLOW_PCT%. */
async function tuneSlowCost() {
  let cost = BASE_COST_US * (1 + (SLOW_PCT / 100) * 1.2);
  for (let i = 0; i < 6; i++) {
    const [base, slow] = [
      await startCalibrationServer(BASE_COST_US),
      await startCalibrationServer(cost),
    ];
    const out = await runBundle(bundle, work, {
      port: slow.port,
      'baseline-port': base.port,
      duration: SECONDS,
      connections: CONNECTIONS,
      'min-requests': 0,
    });
    base.stop();
    slow.stop();
    const change = Number(out['change-percent']);
    log(`cost ${cost.toFixed(1)} us -> ${change.toFixed(1)}%`);
    if (Math.abs(change + SLOW_PCT) <= 1.5) break;
    const ratio = Math.min(0.995, 1 + change / 100);
    const target = 1 / (1 - SLOW_PCT / 100) - 1;
    cost = BASE_COST_US + ((cost - BASE_COST_US) * target) / (1 / ratio - 1);
  }
  return cost;
}

/** Samples of a report file: req/s per sample. */
const samplesOf = (path) => JSON.parse(readFileSync(path, 'utf8')).samples.rps;

async function run() {
  work = mkdtempSync(join(tmpdir(), 'http-load-check-calibrate-saved-'));
  cpSync(join(root, 'dist'), join(work, 'dist'), { recursive: true });
  bundle = join(work, 'dist', 'index.js');
  if (existsSync(args.log) && !args.resume) rmSync(args.log);
  mkdirSync(dirname(args.log), { recursive: true });
  const slowCost = args.cost ? Number(args.cost) : (await waitWhilePaused(), await tuneSlowCost());
  // With --resume, only the trials the log still lacks of each kind.
  const logged = readTrials();
  const lacking = (kind, n) => Math.max(0, n - logged.filter((t) => t.kind === kind).length);
  const kinds = [
    ...Array(lacking('A/A', Number(args.aa))).fill('A/A'),
    ...Array(lacking('A/B', Number(args.ab))).fill('A/B'),
  ];
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
  }
  const waiting = [];
  let started = 0;
  let done = 0;
  while (done < kinds.length && Date.now() < STOP_AT) {
    waiting.sort((a, b) => a.dueAt - b.dueAt);
    const due = waiting[0]?.dueAt <= Date.now() ? waiting.shift() : null;
    if (due) {
      const headCost = due.kind === 'A/A' ? BASE_COST_US : slowCost;
      const reportPath = join(work, 'http-load-check.json');
      rmSync(reportPath, { force: true });
      const out = await runAgainst(headCost, { 'baseline-file': due.path });
      // A run that published nothing (bad input, a crash) is logged as such, never as a verdict.
      const report = existsSync(reportPath) ? JSON.parse(readFileSync(reportPath, 'utf8')) : null;
      const trial = {
        kind: due.kind,
        connections: CONNECTIONS,
        seconds: SECONDS,
        warmup: WARMUP,
        costUs: headCost,
        gapMin: (Date.now() - due.savedAt) / 60_000,
        verdict: out.verdict || 'none',
        outcome: out.outcome ?? 'nothing published',
        change: Number(out['change-percent']),
        low: Number(out['change-low']),
        high: Number(out['change-high']),
        head: report?.samples?.rps ?? [],
        baseline: due.samples,
        at: new Date().toISOString(),
      };
      appendFileSync(args.log, JSON.stringify(trial) + '\n');
      rmSync(due.path, { force: true });
      done++;
      log(
        `${trial.kind} after ${trial.gapMin.toFixed(1)} min: ${trial.verdict} ${trial.change}% [${trial.low}, ${trial.high}]`,
      );
      writeReport(slowCost, { final: false });
    } else if (started < kinds.length) {
      const path = join(work, `baseline-${started}.json`);
      await runAgainst(BASE_COST_US, { 'report-file': path });
      const gapMin = GAP_MIN + Math.random() * (GAP_MAX - GAP_MIN);
      waiting.push({
        kind: kinds[started],
        path,
        samples: samplesOf(path),
        savedAt: Date.now(),
        dueAt: Date.now() + gapMin * 60_000,
      });
      started++;
    } else {
      await sleep(Math.max(100, Math.min(5000, waiting[0].dueAt - Date.now())));
    }
  }
  rmSync(work, { recursive: true, force: true });
  writeReport(slowCost);
}

/** Each trial's interval, computed once: reports are rewritten from the whole log after each trial. */
const intervals = new WeakMap();
const intervalOf = (trial) => {
  if (!intervals.has(trial)) intervals.set(trial, computeInterval(trial));
  return intervals.get(trial);
};

/** A trial's interval from its samples, as the action computes it, with se in log req/s. */
function computeInterval(trial) {
  const shift = compareRates(trial.head, trial.baseline, CONFIDENCE);
  return { shift, se: logInterval(shift).se, change: Math.log1p(shift.changePct / 100) };
}

/** Trials that ran and can be judged again: a verdict, and 2 samples or more a side. */
const judgeable = (t) => t.verdict !== 'none' && t.head.length >= 2 && t.baseline.length >= 2;

/** The judgeable trials of `kind` (A/A or A/B). */
const ofKind = (trials, kind) => trials.filter((t) => t.kind === kind && judgeable(t));

/**
 * The between-run spread τ (log req/s) from A/A trials: the robust spread of their changes about 0
 * (identical services: any offset between the saving and the judging process is part of it), less
 * the typical within-run variance their own intervals show. Robust both: a few wild trials move
 * neither. One machine's trials: between runners, τ is larger.
 */
function betweenRunSpread(trials) {
  const aa = ofKind(trials, 'A/A').map(intervalOf);
  const about0 = median(aa.map((x) => Math.abs(x.change))) * 1.4826;
  const within = Math.sqrt(median(aa.map((x) => x.se ** 2)));
  return {
    robust: Math.sqrt(Math.max(0, about0 ** 2 - within ** 2)),
    about0,
    within,
    median: tauFitting(aa, 0.5),
    tail: tauFitting(aa, 0.95),
    n: aa.length,
  };
}

/**
 * τ (log req/s) at which the A/A changes, each over its own se and τ, |change| / sqrt(se² + τ²),
 * have their `q` quantile where a normal's |z| has it: q 0.5 at 0.674 fits the bulk, q 0.95 at
 * 1.96 fits the tails, where false alarms come from, and is the coverage the action's interval
 * claims. Each trial keeps its own se, which a subtraction of typical variances does not. 0 when
 * the runs' own intervals already cover the changes; NaN with fewer than 10 trials.
 */
function tauFitting(aa, q) {
  if (aa.length < 10) return NaN;
  const target = normalQuantile(0.5 + q / 2, 0, 1);
  const quantileAt = (tau) => {
    const zs = aa.map((x) => Math.abs(x.change) / Math.sqrt(x.se ** 2 + tau ** 2));
    zs.sort((a, b) => a - b);
    return zs[Math.min(zs.length - 1, Math.floor(q * zs.length))];
  };
  if (quantileAt(0) <= target) return 0;
  let low = 0;
  let high = 1;
  for (let i = 0; i < 50; i++) {
    const mid = (low + high) / 2;
    if (quantileAt(mid) > target) low = mid;
    else high = mid;
  }
  return high;
}

/** A trial's shift from its samples with its interval widened by τ (log req/s), as the action does. */
const widened = (trial, tau) =>
  widenForBetweenRuns(intervalOf(trial).shift, Number.isFinite(tau) ? Math.expm1(tau) * 100 : 0);

/** A trial's verdict with its interval widened by τ: half-width z·sqrt(se² + τ²). */
const widenedVerdict = (trial, tau) => verdictOf(widened(trial, tau), MAX_REGRESSION);

/** A seeded generator (mulberry32): the bootstrap gives the same bound from the same log. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The tail fit of τ's 95% upper bound: its 95th percentile over bootstrap resamples of the A/A trials. */
function tauUpper(trials, rounds = 2000) {
  const aa = ofKind(trials, 'A/A');
  if (aa.length < 30) return NaN;
  const random = seeded(17);
  const taus = [];
  for (let r = 0; r < rounds; r++) {
    const pick = aa.map(() => aa[Math.floor(random() * aa.length)]);
    taus.push(tauFitting(pick.map(intervalOf), 0.95));
  }
  taus.sort((a, b) => a - b);
  return taus[Math.floor(0.95 * rounds)];
}

/**
 * Each trial judged with τ estimated from the other half of the A/A trials (two folds by order),
 * so that no A/A trial is judged by a spread fitted to itself.
 */
function crossValidated(trials) {
  const aa = ofKind(trials, 'A/A');
  const fold = new Map(aa.map((t, k) => [t, k % 2]));
  const tauOf = [0, 1].map((f) => betweenRunSpread(aa.filter((t) => fold.get(t) !== f)).tail);
  return (t) => widenedVerdict(t, tauOf[fold.get(t) ?? 0]);
}

/** The trials of the log so far. */
function readTrials() {
  if (!existsSync(args.log)) return [];
  return readFileSync(args.log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/** The report; the bootstrap of τ's bound only at the end (`final`), as it takes a while. */
function writeReport(slowCost, { final = true } = {}) {
  const trials = readTrials();
  if (trials.length === 0) return;
  const pct = (x) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-');
  // A spread in log req/s as the percent the action takes (BETWEEN_RUN_SPREAD_PCT).
  const spreadPct = (tau) =>
    Number.isFinite(tau) ? `${(Math.expm1(tau) * 100).toFixed(2)}%` : '-';
  const fixed = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
  const rate = (k, n) => {
    const [lo, hi] = wilson(k, n);
    return n ? `${k} of ${n}: ${pct(k / n)} (${pct(lo)}-${pct(hi)})` : 'none';
  };
  const spread = betweenRunSpread(trials);
  const failed = trials.filter((t) => !judgeable(t));
  // A/A intervals that leave out 0 (`slower` or `faster`, or worse) show the tails where false
  // alarms come from, which a robust τ ignores: about 5% of them when the interval covers.
  const row = (name, judge) => {
    const aa = ofKind(trials, 'A/A');
    const ab = ofKind(trials, 'A/B');
    const fa = aa.filter((t) => judge(t) === 'regression').length;
    const off0 = aa.filter((t) => judge(t) !== 'unchanged').length;
    const det = ab.filter((t) => judge(t) === 'regression').length;
    return `| ${name} | ${rate(fa, aa.length)}${fa === 0 && aa.length ? `; ≤ ${pct(zeroUpper(aa.length))} one-sided` : ''} | ${rate(off0, aa.length)} | ${rate(det, ab.length)} |`;
  };
  const published = trials.filter(judgeable);
  const agree = published.filter(
    (t) => t.verdict === verdictOf(intervalOf(t).shift, MAX_REGRESSION),
  );
  const gaps = trials.map((t) => t.gapMin);
  const byGap = [
    [0, 10],
    [10, 20],
    [20, Infinity],
  ].map(([lo, hi]) => {
    const part = betweenRunSpread(trials.filter((t) => t.gapMin >= lo && t.gapMin < hi));
    return `${lo}-${hi === Infinity ? '' : hi} min: ${spreadPct(part.tail)} (${part.n} A/A)`;
  });
  const shipped = Math.log1p(BETWEEN_RUN_SPREAD_PCT / 100);
  const width = (tau) => (t) => {
    const { lowPct, highPct } = widened(t, tau);
    return highPct - lowPct;
  };
  const abStated = ofKind(trials, 'A/B').map((t) =>
    detectableRegressionPct(widened(t, shipped), MAX_REGRESSION),
  );
  const lines = [
    '# Calibration of `baseline-file` across runs',
    '',
    'Written by `node --import tsx bench/calibrate-saved.js` from its trial log (`bench/out/calibration-saved.jsonl`, not in git).',
    '',
    `- ${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, Linux ${release()}, Node ${process.version}; ${trials.length} trials from ${trials[0]?.at ?? '-'} to ${trials.at(-1)?.at ?? '-'}.`,
    ...(args.note ? [`- ${args.note}`] : []),
    `- Each trial: the bundle saves a report (\`report-file\`) against a fresh bench/calibration-server.js (${BASE_COST_US} us per request), in its own process; ${GAP_MIN}-${GAP_MAX} min later (actual gaps ${fixed(Math.min(...gaps))}-${fixed(Math.max(...gaps))} min, median ${fixed(median(gaps))}) another process runs the head with \`baseline-file\` against another fresh server: the same cost (A/A) or ${slowCost === null ? 'a costlier one' : `${Number(slowCost).toFixed(1)} us`} (A/B, tuned to about -${SLOW_PCT}% in a same-job comparison; median A/B change below). ${CONNECTIONS} connections, ${SECONDS} s, warm-up ${WARMUP} s.`,
    `- Between-run spread τ (an SD, as a percent of req/s) from ${spread.n} A/A changes, fitted so that the changes over their own se and τ have the normal's quantiles: ${spreadPct(spread.tail)} at the 95th percentile (the tails: what the action's interval must cover; the widening below), ${spreadPct(spread.median)} at the median. A robust SD of the changes about 0 less the typical own variance gives ${spreadPct(spread.robust)} (SD about 0 ${spreadPct(spread.about0)}, own ${spreadPct(spread.within)}). One machine's runs: between runners it is larger.`,
    `- The tail fit's 95% upper bound (bootstrap over the A/A trials, seeded): ${final ? spreadPct(tauUpper(trials)) : 'at the end of the run'}. τ by gap between the two runs: ${byGap.join('; ')}.`,
    `- Trials that published no verdict (left out below): ${failed.length}.`,
    '',
    `- Every row judged from the trials' samples at \`confidence\` 0.95 and \`max-regression\` ${MAX_REGRESSION}%. The verdicts the bundle published agree with the unwidened row in ${agree.length} of ${published.length} trials (a bundle built with the widening publishes its row instead).`,
    '',
    '| method | false alarms (A/A) | A/A intervals that leave out 0 | detected (A/B) |',
    '|---|---|---|---|',
    row('unwidened (two-sample Mann-Whitney interval, as before 1.1.0)', (t) =>
      verdictOf(intervalOf(t).shift, MAX_REGRESSION),
    ),
    row(
      'widened by the tail fit of τ from the other half of the A/A trials (out of sample)',
      crossValidated(trials),
    ),
    row(
      `widened by the action's \`BETWEEN_RUN_SPREAD_PCT\`, ${BETWEEN_RUN_SPREAD_PCT}% (chosen from these trials: in sample)`,
      (t) => widenedVerdict(t, shipped),
    ),
    '',
    `With the action's widening, the A/B trials stated they could catch slowdowns of ${abStated.length ? `${median(abStated).toFixed(1)}% or more (median; ${Math.min(...abStated).toFixed(1)}-${Math.max(...abStated).toFixed(1)}%)` : '-'}, against their slowdown of about ${SLOW_PCT}%.`,
    '',
    `Unwidened, judged from the samples: A/B median change ${fixed(median(ofKind(trials, 'A/B').map((t) => intervalOf(t).shift.changePct)))}%; A/A median change ${fixed(median(ofKind(trials, 'A/A').map((t) => intervalOf(t).shift.changePct)))}%, median interval width ${fixed(median(ofKind(trials, 'A/A').map(width(0))))} pts (${fixed(median(ofKind(trials, 'A/A').map(width(shipped))))} pts widened by the action's spread).`,
    '',
  ];
  writeFileSync(args.out, lines.join('\n'));
}

if (args['report-only']) writeReport(args.cost || null);
else await run();
