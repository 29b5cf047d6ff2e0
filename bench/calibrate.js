// `npm run calibrate`: how often does the head-vs-baseline gate cry wolf, and how often does it catch
// a real 10% slowdown, on this machine, at the default settings?
//
// - A/A trials: two identical server processes; any `regression` verdict is a false alarm.
// - A/B trials: the head costs more CPU per request than the baseline, tuned so that the gate's own
//   paired, interleaved measurement shows about -10% (checked again by the median of the A/B trials);
//   a `regression` verdict is a detection.
// Each block of trials gets fresh server processes; which process plays head in A/A is random. Blocks of
// every kind and setting are interleaved in a shuffled order, so a run cut short by --minutes still holds
// every cell in proportion. Servers are pinned to CPU 1 and the action to CPU 0 when taskset is present.
// The action runs from a copy of dist/ taken at the start, so rebuilding during the run changes nothing.
// Every trial is appended to bench/out/calibration-trials.jsonl (raw data, one JSON object per line,
// kept out of git); bench/CALIBRATION.md is rewritten from it after every block. Not part of
// `npm test`.
//
//   npm run calibrate                                   300 A/A + 60 A/B per setting, at the default
//                                                       duration of a comparison (1 connection 10 s
//                                                       per side, 4 connections 5 s)
//   npm run calibrate -- --aa 40 --ab 20 --connections 1,4 --seconds 5 --minutes 30
//   npm run calibrate -- --connections 1 --seconds 1:10  seconds per side for each setting
//   npm run calibrate -- --report-only [--note <text>] rewrite CALIBRATION.md from the trial log
//   npm run calibrate -- --costs 1:114.4,4:114.1       skip the tuning (us per request of the A/B head)
//   npm run calibrate -- --resume --costs ...           add the trials the log still lacks
//   npm run calibrate -- --noise --costs 4:114.1 --connections 4
//                                                       the same beside a noisy neighbour
//                                                       (bench/noise-hog.js, not pinned), into
//                                                       bench/out/calibration-noise.jsonl and
//                                                       bench/CALIBRATION-noise.md
//
// While the file given by --pause exists, no new trial starts (`bench/quiet.sh <command>` waits for
// the running trial to end, runs the command and lets the calibration go on): other work on the
// machine during a trial widens its interval.
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  conditionsBlock,
  has,
  median,
  runBundle,
  startCalibrationServer,
  wilson,
  zeroUpper,
} from './lib.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    aa: { type: 'string', default: '300' },
    ab: { type: 'string', default: '60' },
    // Seconds per side: one number for every setting, or `<connections>:<seconds>,...`; a setting
    // not named runs at the action's default duration of a comparison (src/config/settings.ts).
    seconds: { type: 'string', default: '' },
    connections: { type: 'string', default: '1,4' },
    'base-cost-us': { type: 'string', default: '100' },
    block: { type: 'string', default: '10' },
    minutes: { type: 'string', default: '0' },
    log: { type: 'string', default: '' },
    out: { type: 'string', default: '' },
    // A CPU hog beside the trials (bench/noise-hog.js), started after the tuning: the tuned -10%
    // is measured on a quiet machine, the trials are judged beside the neighbour.
    noise: { type: 'boolean', default: false },
    'noise-seed': { type: 'string', default: '' },
    'report-only': { type: 'boolean', default: false },
    // A line about how the trials were run (commands, pauses), added to the report.
    note: { type: 'string', default: '' },
    resume: { type: 'boolean', default: false },
    costs: { type: 'string', default: '' },
    pause: { type: 'string', default: join(tmpdir(), 'http-load-check-calibrate.pause') },
  },
});
args.log ||= join(root, 'bench', 'out', `calibration-${args.noise ? 'noise' : 'trials'}.jsonl`);
args.out ||= join(root, 'bench', `CALIBRATION${args.noise ? '-noise' : ''}.md`);
/** The condition the trials run in, logged with each. */
const CONDITION = args.noise ? 'noise' : 'quiet';
const AA = Number(args.aa);
const AB = Number(args.ab);
// The action's statistics and defaults, from its source (the script runs under tsx).
const compareStats = await import('../src/stats/compare.ts');
const { verdictOf } = await import('../src/check/judge.ts');
const { tooNoisyToRuleOut } = await import('../src/model/check.ts');
const { default: normalCdf } = await import('@stdlib/stats-base-dists-normal-cdf');
const { option } = await import('../src/config/options.ts');
const { readSettings } = await import('../src/config/settings.ts');
const defaults = {
  confidence: Number(option('confidence').default),
  maxRegression: Number(option('max-regression').default),
};
/** The action's default `duration` of a comparison at `connections`, as its reader works it out. */
const comparisonDuration = (connections) =>
  readSettings(
    (name) =>
      ({ port: '1', 'min-requests': '0', 'baseline-port': '2', connections: String(connections) })[
        name
      ] ?? '',
  ).durationSec;
// --seconds: `5` (every setting) or `1:10,4:5` (per setting).
const secondsPerSetting = {};
let secondsEvery = NaN;
for (const part of args.seconds.split(',').filter(Boolean)) {
  const [c, seconds] = part.includes(':') ? part.split(':').map(Number) : [NaN, Number(part)];
  if (Number.isNaN(c)) secondsEvery = seconds;
  else secondsPerSetting[c] = seconds;
}
/** Seconds per side at a setting: as --seconds says, else the action's default for a comparison. */
const secondsFor = (connections) =>
  secondsPerSetting[connections] ??
  (Number.isNaN(secondsEvery) ? comparisonDuration(connections) : secondsEvery);
const BLOCK = Number(args.block);
const BASE_COST_US = Number(args['base-cost-us']);
const STOP_AT = Number(args.minutes) > 0 ? Date.now() + Number(args.minutes) * 60_000 : Infinity;
const taskset = has('taskset');
const log = (...parts) => console.error('[calibrate]', ...parts);

let work;
let bundle;
/** The noisy neighbour's process, while it runs. */
let hog = null;

function startHog() {
  const seed = args['noise-seed'] || String(Date.now());
  log(`noisy neighbour: bench/noise-hog.js --seed ${seed}, not pinned`);
  hog = spawn(process.execPath, [join(root, 'bench', 'noise-hog.js'), '--seed', seed], {
    stdio: 'ignore',
  });
  process.on('exit', () => hog?.kill('SIGKILL'));
  for (const signal of ['SIGINT', 'SIGTERM'])
    process.on(signal, () => {
      hog?.kill('SIGKILL');
      process.exit(130);
    });
}

const startServer = (costUs) => startCalibrationServer(costUs);
const action = (inputs) => runBundle(bundle, work, inputs);

/** The report the last trial wrote (default report-file under RUNNER_TEMP), or null. */
function readReport() {
  try {
    return JSON.parse(readFileSync(join(work, 'http-load-check.json'), 'utf8'));
  } catch {
    return null;
  }
}

const compare = (head, baseline, connections) =>
  action({
    port: head.port,
    'baseline-port': baseline.port,
    duration: secondsFor(connections),
    'min-requests': 0,
    connections,
    'wait-timeout': 5,
  });

/**
 * Finds the per-request cost that makes a server ~10% slower than the baseline at this setting, as
 * the gate itself measures it (paired, interleaved), so the A/B trials test a real -10%.
 * Throughput ~ 1 / (overhead + cost), so 1/ratio - 1 grows linearly with the extra cost.
 */
async function tuneSlowCost(connections) {
  let cost = BASE_COST_US * 1.12;
  let change = 0;
  for (let i = 0; i < 6; i++) {
    const [base, slow] = [await startServer(BASE_COST_US), await startServer(cost)];
    const changes = [];
    for (let k = 0; k < 2; k++)
      changes.push(Number((await compare(slow, base, connections))['change-percent']));
    base.stop();
    slow.stop();
    change = (changes[0] + changes[1]) / 2;
    log(
      `connections ${connections}: cost ${cost.toFixed(1)} us -> ${change.toFixed(1)}% (${changes.join(', ')})`,
    );
    if (Math.abs(change + 10) <= 0.75) break;
    const ratio = Math.min(0.995, 1 + change / 100);
    cost = BASE_COST_US + ((cost - BASE_COST_US) * (1 / 0.9 - 1)) / (1 / ratio - 1);
  }
  return { costUs: cost, measuredChangePct: change };
}

async function block(kind, connections, slowCostUs, count) {
  const a = await startServer(BASE_COST_US);
  const b = await startServer(kind === 'A/A' ? BASE_COST_US : slowCostUs);
  try {
    for (let i = 0; i < count; i++) {
      await waitWhilePaused();
      const swap = kind === 'A/A' && Math.random() < 0.5;
      const [head, baseline] = kind === 'A/A' ? (swap ? [b, a] : [a, b]) : [b, a];
      const out = await compare(head, baseline, connections);
      const trial = {
        kind,
        condition: CONDITION,
        connections,
        seconds: secondsFor(connections),
        costUs: kind === 'A/A' ? BASE_COST_US : slowCostUs,
        verdict: out.verdict,
        change: Number(out['change-percent']),
        low: Number(out['change-low']),
        high: Number(out['change-high']),
        requests: Number(out.requests),
        baselineRequests: Number(out['baseline-requests']),
        // The raw slices (from the report), so other estimators can be judged on the same trials.
        slices: readReport()?.comparison?.slices?.map((x) => `${x.side[0]}${x.rps.toFixed(1)}`),
        confidence: readReport()?.settings?.confidence,
        // A noisy run's extra pairs (\`comparison.extension\`: null when it kept its planned ones).
        extension: readReport()?.comparison?.extension ?? null,
        at: new Date().toISOString(),
      };
      mkdirSync(dirname(args.log), { recursive: true });
      appendFileSync(args.log, JSON.stringify(trial) + '\n');
      log(
        `${kind} c=${connections}: ${trial.verdict} ${trial.change}% [${trial.low}, ${trial.high}]`,
      );
    }
  } finally {
    a.stop();
    b.stop();
  }
}

/** Holds the next trial while the pause file exists; `<pause>.held` tells that nothing runs. */
async function waitWhilePaused() {
  if (!existsSync(args.pause)) return;
  log('paused');
  // The neighbour sleeps too: the command run meanwhile should not pay for it.
  hog?.kill('SIGSTOP');
  writeFileSync(`${args.pause}.held`, '');
  while (existsSync(args.pause)) await new Promise((r) => setTimeout(r, 500));
  rmSync(`${args.pause}.held`, { force: true });
  hog?.kill('SIGCONT');
  await new Promise((r) => setTimeout(r, 2000));
  log('resumed');
}

const pct = (x) => `${(100 * x).toFixed(1)}%`;
const rate = (k, n) => {
  const [lo, hi] = wilson(k, n);
  return n ? `${pct(k / n)} (${pct(lo)}-${pct(hi)})` : 'none';
};

/**
 * The trials judged again from their raw slices by both estimators (src/stats/compare.ts): the paired
 * signed-rank interval the action uses, and the two-sample Mann-Whitney one.
 */
function estimatorLines(trials) {
  const compare = compareStats;
  const withSlices = trials.filter((t) => Array.isArray(t.slices) && t.slices.length >= 4);
  const rows = [
    '| connections | seconds per side | kind | trials | paired signed-rank, 99% (the first default) | paired signed-rank, 95% (the default now) | two-sample Mann-Whitney, 99% | paired, 95%, burst pairs dropped (a candidate) |',
    '|---:|---:|---|---:|---|---|---|---|',
  ];
  for (const setting of settingsOf(withSlices)) {
    for (const kind of ['A/A', 'A/B']) {
      const ts = withSlices.filter((t) => at(setting)(t) && t.kind === kind);
      if (ts.length === 0) continue;
      const judged = { paired: [], paired95: [], mw: [], trimmed: [] };
      for (const t of ts) {
        const { pairs, head, baseline } = parseSlices(t);
        judged.paired.push(compare.comparePairedRates(pairs, 0.99));
        judged.paired95.push(compare.comparePairedRates(pairs, 0.95));
        judged.mw.push(compare.compareRates(head, baseline, 0.99));
        judged.trimmed.push(compare.comparePairedRates(withoutBurstPairs(pairs), 0.95));
      }
      const cell = (shifts) =>
        `${shifts.filter((x) => verdictOf(x, 5) === 'regression').length}, ` +
        `${median(shifts.map((x) => x.highPct - x.lowPct)).toFixed(1)} pts`;
      rows.push(
        `| ${setting.c} | ${setting.s} | ${kind} | ${ts.length} | ${cell(judged.paired)} | ${cell(judged.paired95)} | ${cell(judged.mw)} | ${cell(judged.trimmed)} |`,
      );
    }
  }
  return [
    '## The same trials, judged by both estimators',
    '',
    'Recomputed from the raw slices of each trial (max-regression 5%): the paired Wilcoxon signed-rank',
    'interval the action uses for same-job comparisons (at 99%, the first default, and at 95%), and the',
    'two-sample Mann-Whitney interval it uses for a saved baseline (and used for both before). Each',
    'cell: trials with a `regression` verdict (false alarms in A/A, detections in A/B), median width.',
    'The last column is a candidate, not what the action does: the pairs whose log ratio lies more',
    'than 3 robust SDs (1.4826 MAD) from the median dropped, as a burst that hit one slice of a pair',
    'would put it; when fewer than 5 would stay, none is dropped.',
    '',
    ...rows,
    '',
  ];
}

/** The pairs without those a burst seems to have hit (the estimator table); all if < 5 would stay. */
function withoutBurstPairs(pairs) {
  const d = pairs.map(([h, b]) => Math.log(h / b));
  const centre = median(d);
  const spread = median(d.map((x) => Math.abs(x - centre))) * 1.4826;
  const kept = pairs.filter((_, i) => spread === 0 || Math.abs(d[i] - centre) <= 3 * spread);
  return kept.length >= 5 ? kept : pairs;
}

/**
 * What each trial said it could catch (`detectable-regression`, from its own interval) against what
 * the trials caught. A trial whose interval has half-width z·se calls a true shift d a regression
 * with probability Φ((log(1 - m) - z·se - d) / se), so the A/B trials (d: their median change) and
 * the A/A ones (d = 0) each predict a number of regression verdicts, to be set beside the number
 * they gave.
 */
function detectableLines(trials) {
  const compare = compareStats;
  const m = defaults.maxRegression;
  const rows = [
    '| connections | seconds per side | kind | trials | detectable regression: median (10th-90th percentile) | trials stating ≤ the A/B change, caught of them | regressions predicted | regressions found |',
    '|---:|---:|---|---:|---|---|---:|---:|',
  ];
  const withSlices = trials.filter((t) => Array.isArray(t.slices) && t.slices.length >= 4);
  for (const setting of settingsOf(withSlices)) {
    const ab = withSlices.filter((t) => at(setting)(t) && t.kind === 'A/B');
    const abChange = median(ab.map((t) => t.change));
    for (const kind of ['A/A', 'A/B']) {
      const ts = withSlices.filter((t) => at(setting)(t) && t.kind === kind);
      if (ts.length === 0) continue;
      const trueShift = kind === 'A/A' ? 0 : Math.log1p(abChange / 100);
      let predicted = 0;
      const stated = [];
      for (const t of ts) {
        const shift = compare.comparePairedRates(parseSlices(t).pairs, defaults.confidence);
        stated.push(compare.detectableRegressionPct(shift, m));
        const { z, se } = compare.logInterval(shift);
        const margin = Math.log1p(-m / 100) - z * se - trueShift;
        // An interval of no width: the verdict is certain either way.
        predicted += se > 0 ? normalCdf(margin / se, 0, 1) : Number(margin > 0);
      }
      const sorted = [...stated].sort((x, y) => x - y);
      const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
      // The check of the statement: of the A/B trials that said they could catch the change, the
      // share that did.
      const sure = ts.filter((_, k) => Number.isFinite(abChange) && stated[k] <= -abChange);
      const caught = sure.filter((t) => t.verdict === 'regression').length;
      const within = kind === 'A/B' ? `${sure.length}, ${caught}` : '-';
      const found = ts.filter((t) => t.verdict === 'regression').length;
      rows.push(
        `| ${setting.c} | ${setting.s} | ${kind} | ${ts.length} | ${median(stated).toFixed(1)}% (${q(0.1).toFixed(1)}-${q(0.9).toFixed(1)}%) | ${within} | ${predicted.toFixed(1)} | ${found} |`,
      );
    }
  }
  return [
    '## What each run said it could catch',
    '',
    "Each trial's `detectable-regression` (the smallest slowdown it would call a regression about 95%",
    'of the time, from its own interval), recomputed from its raw slices at the defaults. Of the A/B',
    'trials that stated a figure at or below their change, the share caught should be about 95% or',
    "more. 'Regressions predicted' sums each trial's probability of a `regression` verdict given its",
    "interval and the true change (the A/B trials' median change; 0 for A/A); 'found' counts the",
    'verdicts.',
    '',
    ...rows,
    '',
  ];
}

/**
 * What measuring on did (\`rounds: auto\`, src/check/comparison.ts), for trials whose bundle logged
 * it: how many trials extended and by how much, and each trial judged twice at the defaults, from
 * its planned pairs alone (the method before: a fixed number of pairs) and from all its pairs (the
 * verdict). Nothing for logs from before the extension, so their reports stay as they were.
 */
function extensionLines(trials) {
  const logged = trials.filter((t) => 'extension' in t && Array.isArray(t.slices));
  if (logged.length === 0) return [];
  const rows = [
    '| connections | seconds per side | kind | trials | extended | pairs measured over planned: median, max | planned pairs only: regressions, median width | all pairs (the verdict): regressions, median width | warned too noisy (A/B: of the misses) |',
    '|---:|---:|---|---:|---|---|---|---|---|',
  ];
  for (const setting of settingsOf(logged)) {
    for (const kind of ['A/A', 'A/B']) {
      const ts = logged.filter((t) => at(setting)(t) && t.kind === kind);
      if (ts.length === 0) continue;
      const judged = (pairsOf) =>
        ts.map((t) => {
          const shift = compareStats.comparePairedRates(pairsOf(t), defaults.confidence);
          const verdict = verdictOf(shift, defaults.maxRegression);
          const detectable = compareStats.detectableRegressionPct(shift, defaults.maxRegression);
          return {
            width: shift.highPct - shift.lowPct,
            verdict,
            // The action's 'comparison too noisy' warning: on a pass (the trials' only gate is
            // the verdict).
            warned:
              verdict !== 'regression' &&
              tooNoisyToRuleOut(shift, detectable, defaults.maxRegression),
          };
        });
      const planned = judged((t) => {
        const { pairs } = parseSlices(t);
        return pairs.slice(0, t.extension?.plannedRounds ?? pairs.length);
      });
      const all = judged((t) => parseSlices(t).pairs);
      const cell = (js) =>
        `${js.filter((j) => j.verdict === 'regression').length}, ${median(js.map((j) => j.width)).toFixed(1)} pts`;
      const extended = ts.filter((t) => t.extension !== null);
      const ratio = ts.map((t) =>
        t.extension ? t.extension.rounds / t.extension.plannedRounds : 1,
      );
      const warned = all.filter((j) => j.warned).length;
      const misses = all.filter((j) => j.verdict !== 'regression');
      const warnedCell =
        kind === 'A/A'
          ? `${warned}`
          : `${warned} (${misses.filter((j) => j.warned).length} of ${misses.length})`;
      rows.push(
        `| ${setting.c} | ${setting.s} | ${kind} | ${ts.length} | ${extended.length} (${pct(extended.length / ts.length)}) | ` +
          `${median(ratio).toFixed(2)}x, ${Math.max(...ratio).toFixed(2)}x | ${cell(planned)} | ${cell(all)} | ${warnedCell} |`,
      );
    }
  }
  return [
    '## Noisy runs measure on',
    '',
    'At `rounds: auto`, a same-job comparison whose planned pairs could catch only slowdowns above',
    'max-regression + 5 points (10% at the defaults) measures half as many pairs again, then again,',
    'up to twice the planned pairs (src/check/comparison.ts). Each trial is judged here at the',
    'defaults from its planned pairs alone (a fixed run, the method before) and from all its pairs',
    '(its verdict): the same trials, so the two columns differ by what measuring on changed. The',
    "last column counts the runs the action warns about ('comparison too noisy'), worked out here",
    "from each trial's slices, whether or not its bundle had that warning: they passed with an",
    'interval reaching below -max-regression while they could still catch only slowdowns above',
    'that aim.',
    '',
    ...rows,
    '',
  ];
}

/** The settings (connections, seconds per side) the trials ran at, in order. */
function settingsOf(trials) {
  const keys = new Map();
  for (const t of trials)
    keys.set(`${t.connections}@${t.seconds}`, { c: t.connections, s: t.seconds });
  return [...keys.values()].sort((x, y) => x.c - y.c || x.s - y.s);
}
const at = (setting) => (t) => t.connections === setting.c && t.seconds === setting.s;

/** Pairs and per-side rates from a trial's raw slices (`h7234.5`, `b7190.0`, ... in run order). */
function parseSlices(trial) {
  const slices = trial.slices.map((x) => ({
    side: x[0] === 'h' ? 'head' : 'baseline',
    rps: Number(x.slice(1)),
  }));
  const pairs = [];
  for (let i = 0; i + 1 < slices.length; i += 2) {
    const [a, b] = [slices[i], slices[i + 1]];
    pairs.push(a.side === 'head' ? [a.rps, b.rps] : [b.rps, a.rps]);
  }
  const side = (name) => slices.filter((x) => x.side === name).map((x) => x.rps);
  return { pairs, head: side('head'), baseline: side('baseline') };
}

async function report(meta) {
  const logged = readFileSync(args.log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  // Every trial is judged again from its raw slices at the action's current defaults, so trials run
  // by bundles with another default confidence (the log's first trials ran at 0.99) are judged
  // alike; the recomputation at the confidence each trial ran with must give its logged verdict.
  const compare = compareStats;
  let agree = 0;
  const trials = logged.map((t) => {
    if (!Array.isArray(t.slices)) return t;
    const { pairs } = parseSlices(t);
    const ran = verdictOf(compare.comparePairedRates(pairs, t.confidence ?? 0.99), 5);
    if (ran === t.verdict) agree++;
    const shift = compare.comparePairedRates(pairs, defaults.confidence);
    const verdict = verdictOf(shift, defaults.maxRegression);
    const round = (x) => Math.round(x * 100) / 100;
    return { ...t, verdict, low: round(shift.lowPct), high: round(shift.highPct) };
  });
  const lines = [
    `# Calibration of the head-vs-baseline gate${CONDITION === 'noise' ? ': beside a noisy neighbour' : ''}`,
    '',
    `Written by \`npm run calibrate\` (bench/calibrate.js) from the raw trials in its \`--log\` file (here \`${relative(root, args.log)}\`, not in git).`,
    '',
    `- ${meta}`,
    ...(args.note ? [`- ${args.note}`] : []),
    `- ${trials.length} trials, from ${trials[0]?.at ?? '-'} to ${trials.at(-1)?.at ?? '-'}.`,
    '- Each trial runs the bundle with `baseline-port`, `duration` as in the table (seconds per side) and default `rounds` (one 0.5 s slice per side per round). ' +
      `Verdicts below: each trial judged from its raw slices at the action's defaults, \`confidence\` ${defaults.confidence} and \`max-regression\` ${defaults.maxRegression}%; judged at the confidence it ran with (0.99 unless logged), ${agree} of ${logged.length} trials give their logged verdict.`,
    `- Condition: ${CONDITION === 'noise' ? 'beside a noisy neighbour: bench/noise-hog.js, not pinned, burning CPU in bursts of 50-500 ms at a duty cycle drawn every 5 s from 0 to 60% of a core (about 30% on average), started after the tuning and stopped while paused' : 'a quiet machine'}.`,
    `- Servers: bench/calibration-server.js burning ${BASE_COST_US} us of CPU per request (baseline); fresh processes every ${BLOCK} trials; blocks of all cells interleaved in a shuffled order; ${taskset ? 'servers on CPU 1, the action on CPU 0' : 'no pinning (taskset missing)'}.`,
    '- A/B head: a per-request cost tuned until the gate itself measured about -10% against the baseline (paired, interleaved); the median change of the A/B trials below checks it.',
    '- False alarm: a `regression` verdict in an A/A trial. Detection: a `regression` verdict in an A/B trial. Rates with Wilson 95% intervals; with no event in n trials, the one-sided 95% upper bound is 1 - 0.05^(1/n).',
    '',
    '| connections | seconds per side | A/A trials | false alarms | rate (95% interval) | A/A verdicts | A/A median change, interval width | A/B trials | detected | rate (95% interval) | A/B median change, interval width |',
    '|---:|---:|---:|---:|---|---|---|---:|---:|---|---|',
  ];
  const tally = (ts) => {
    const counts = {};
    for (const t of ts) counts[t.verdict] = (counts[t.verdict] ?? 0) + 1;
    return Object.entries(counts)
      .map(([v, n]) => `${v} ${n}`)
      .join(', ');
  };
  for (const setting of settingsOf(trials)) {
    const aa = trials.filter((t) => at(setting)(t) && t.kind === 'A/A');
    const ab = trials.filter((t) => at(setting)(t) && t.kind === 'A/B');
    const fa = aa.filter((t) => t.verdict === 'regression').length;
    const det = ab.filter((t) => t.verdict === 'regression').length;
    const width = (ts) => median(ts.map((t) => t.high - t.low)).toFixed(1);
    lines.push(
      `| ${setting.c} | ${setting.s} | ${aa.length} | ${fa} | ${rate(fa, aa.length)}${fa === 0 && aa.length ? `; ≤ ${pct(zeroUpper(aa.length))} one-sided` : ''} | ${tally(aa)} | ` +
        `${median(aa.map((t) => t.change)).toFixed(1)}%, ${width(aa)} pts | ${ab.length} | ${det} | ${rate(det, ab.length)} | ` +
        `${median(ab.map((t) => t.change)).toFixed(1)}% (${ab[0]?.costUs.toFixed(0) ?? '-'} us/request), ${width(ab)} pts |`,
    );
  }
  const missed = trials.filter((t) => t.kind === 'A/B' && t.verdict !== 'regression');
  const alarms = trials.filter((t) => t.kind === 'A/A' && t.verdict === 'regression');
  lines.push('');
  for (const [title, ts] of [
    ['A/A trials that failed (false alarms)', alarms],
    ['A/B trials that passed (misses)', missed],
  ]) {
    lines.push(`${title}: ${ts.length ? '' : 'none.'}`);
    for (const t of ts)
      lines.push(
        `- c=${t.connections}, ${t.seconds} s: ${t.verdict} ${t.change}% [${t.low}, ${t.high}] at ${t.at}`,
      );
    lines.push('');
  }
  lines.push(...estimatorLines(trials));
  lines.push(...extensionLines(trials));
  lines.push(...detectableLines(trials));
  lines.push(
    'A claim of a false-alarm rate at or below 1% needs at least 300 A/A trials without a failure, and',
    'a detection rate of at least 95% needs about 60 A/B trials without a miss; fewer trials give the',
    'wider intervals above.',
    '',
  );
  const conditions = conditionsBlock(args.out);
  if (conditions) lines.splice(2, 0, conditions, '');
  writeFileSync(args.out, lines.join('\n'));
  return lines.join('\n');
}

const started = new Date();
const meta = () =>
  `Started ${started.toISOString()}; ${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, Linux ${release()}, Node ${process.version}.`;

if (args['report-only']) {
  console.log(
    await report(
      `Report rewritten from the trial log on ${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, Linux ${release()}, Node ${process.version}.`,
    ),
  );
} else {
  work = mkdtempSync(join(tmpdir(), 'http-load-check-calibrate-'));
  cpSync(join(root, 'dist'), join(work, 'dist'), { recursive: true });
  bundle = join(work, 'dist', 'index.js');
  // --resume: keep the trial log and run only what each cell still lacks (same bundle, same costs).
  const logged = {};
  if (args.resume && existsSync(args.log)) {
    for (const line of readFileSync(args.log, 'utf8').split('\n').filter(Boolean)) {
      const t = JSON.parse(line);
      const cell = `${t.kind}${t.connections}@${t.seconds}`;
      logged[cell] = (logged[cell] ?? 0) + 1;
    }
    log(`resuming: ${JSON.stringify(logged)}`);
  } else if (existsSync(args.log)) {
    rmSync(args.log);
  }
  const settings = args.connections.split(',').map(Number);
  const tuned = {};
  const given = Object.fromEntries(
    args.costs
      .split(',')
      .filter(Boolean)
      .map((pair) => pair.split(':').map(Number)),
  );
  for (const c of settings) {
    tuned[c] =
      given[c] !== undefined
        ? { costUs: given[c], measuredChangePct: NaN }
        : (await waitWhilePaused(), await tuneSlowCost(c));
  }
  if (args.noise) startHog();
  const blocks = [];
  for (const c of settings) {
    for (const [kind, wanted] of [
      ['A/A', AA],
      ['A/B', AB],
    ]) {
      for (let n = wanted - (logged[`${kind}${c}@${secondsFor(c)}`] ?? 0); n > 0; n -= BLOCK) {
        blocks.push({ kind, c, count: Math.min(BLOCK, n) });
      }
    }
  }
  // Shuffle, then order so that every cell advances in proportion (a stratified schedule).
  for (const b of blocks) b.key = Math.random();
  const seen = {};
  for (const b of blocks.sort((x, y) => x.key - y.key)) {
    const id = `${b.kind}${b.c}`;
    const total = blocks.filter((x) => `${x.kind}${x.c}` === id).length;
    seen[id] = (seen[id] ?? 0) + 1;
    b.order = (seen[id] - Math.random()) / total;
  }
  blocks.sort((x, y) => x.order - y.order);
  let done = 0;
  for (const b of blocks) {
    if (Date.now() >= STOP_AT) {
      log(`time limit reached after ${done} of ${blocks.length} blocks`);
      break;
    }
    await block(b.kind, b.c, tuned[b.c].costUs, b.count);
    done++;
    await report(
      `${meta()} ${done} of ${blocks.length} blocks done${done < blocks.length ? ' (run in progress or cut short by --minutes)' : ''}. Tuning: ${settings.map((c) => `c=${c} ${tuned[c].costUs.toFixed(1)} us${Number.isNaN(tuned[c].measuredChangePct) ? ' (given)' : ` → ${tuned[c].measuredChangePct.toFixed(1)}%`}`).join('; ')}.`,
    );
  }
  hog?.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
  console.log(readFileSync(args.out, 'utf8'));
}
