/**
 * Head vs baseline, in this process against real loopback servers, at two layers: `runCheck`
 * (src/check/run.ts), which picks the check the settings ask for (absolute, paired with a service,
 * or against a saved report) and runs it with its hooks; and the session (src/session.ts, through
 * helpers/session.ts), whose verdicts, decision, log lines, outputs and summary a comparison ends
 * in. The services differ by margins no machine noise can bridge: whether the statistics catch a
 * 10% slowdown and stay quiet on identical services is measured by `npm run calibrate`
 * (bench/CALIBRATION.md) and tested on fixed samples in stats/compare.test.ts, not here; the slice
 * order and its pairing are check/comparison.test.ts. A comparison with a side that never answers
 * is session/faults.test.ts. No two loads run at once here: a comparison's statistics would see
 * the other's load.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { TRIAL_MS } from '../../src/check/busy-poll.js';
import { sliceOrder } from '../../src/check/comparison.js';
import { runCheck, type CheckHooks } from '../../src/check/run.js';
import { readSettings } from '../../src/config/settings.js';
import type { Check, ComparisonCheck, SavedBaseline } from '../../src/model/check.js';
import { emptyResult } from '../../src/model/result.js';
import { doneOf, runInProcess, type SessionRun } from '../helpers/session.js';
import { startServer, type Handler, type TestServer } from '../helpers/servers.js';

/** Answers after `ms` on a timer (at once for 0): its rate does not depend on the machine's load. */
function service(ms: number): Promise<TestServer> {
  const handler: Handler = (_req, res) =>
    ms > 0 ? void setTimeout(() => res.end('ok'), ms) : void res.end('ok');
  return startServer(handler);
}

/** Runs `runCheck` on the settings the inputs make; counts the hooks it calls. */
async function check(
  inputs: Record<string, string>,
  saved: SavedBaseline | null = null,
): Promise<{ check: Check; elapsedMs: number; loadStarts: number }> {
  const settings = readSettings((name) => inputs[name] ?? '');
  let loadStarts = 0;
  const hooks: CheckHooks = { onLoadStart: () => void loadStarts++ };
  const started = performance.now();
  const result = await runCheck(settings, hooks, saved);
  return { check: result, elapsedMs: performance.now() - started, loadStarts };
}

function comparison(value: Check): ComparisonCheck {
  assert.notEqual(value.kind, 'absolute');
  return value as ComparisonCheck;
}

describe('runCheck: the check the settings ask for', () => {
  it('no baseline: an absolute check that counts what the server served, the busy-poll trial apart', async () => {
    const target = await service(0);
    try {
      const { check: absolute, loadStarts } = await check({
        port: String(target.port),
        duration: '0.3',
        'min-requests': '1',
      });
      assert.equal(absolute.kind, 'absolute');
      assert.equal(loadStarts, 1);
      assert.equal(absolute.decision.outcome, 'passed');
      // busy-poll auto at 1 connection: the trial's answers are the warm-up's, counted nowhere else.
      const { warmup, generator } = absolute.result;
      assert.ok(generator.busyPollTrial !== undefined, 'a trial ran');
      assert.ok(warmup.responses > 0, 'the trial got answers');
      assert.equal(
        absolute.result.requests + warmup.responses,
        target.served() - 1 /* the readiness probe */,
      );
      assert.equal(absolute.samples.sampleSec, 0.3 / 2, 'rounds auto: at least 2 samples');
      assert.ok(!('baseline' in absolute));
    } finally {
      await target.close();
    }
  });

  it('a saved baseline: the head sampled at the saved sample length, compared as two sets', async () => {
    const saved: SavedBaseline = {
      path: 'saved.json',
      createdAt: '',
      target: 'http://127.0.0.1/',
      environment: {},
      settings: {
        connections: 1,
        pipelining: 1,
        path: '/',
        durationSec: 0.5,
        scheme: 'http',
        http2: false,
        requests: 'GET /',
      },
      // 100 req/s against thousands: the head is faster by far.
      samples: { sampleSec: 0.25, rps: [100, 100] },
      result: { ...emptyResult(), requests: 50, windowMs: 500 },
    };
    const target = await service(0);
    try {
      const { check: value, loadStarts } = await check(
        { port: String(target.port), duration: '1', 'min-requests': '0' },
        saved,
      );
      const saving = comparison(value);
      assert.equal(saving.kind, 'saved');
      assert.equal(loadStarts, 1);
      assert.equal(saving.saved, saved);
      assert.deepEqual(saving.baseline, saved.result);
      assert.equal(saving.samples.sampleSec, 0.25);
      assert.deepEqual(
        saving.slices.map((s) => `${s.side} ${s.side === 'baseline' ? s.rps : ''}`),
        ['head ', 'head ', 'head ', 'head ', 'baseline 100', 'baseline 100'],
      );
      assert.equal(saving.shift?.test, 'mann-whitney');
      assert.equal(saving.verdict, 'faster');
      assert.equal(saving.result.requests, target.served() - 1);
      // busy-poll auto takes the saved run's mode (off there): no trial, the same mode both sides.
      assert.equal(saving.result.generator.busyPoll, false);
      assert.equal(saving.result.generator.busyPollTrial, undefined);
      const spun = {
        ...saved,
        result: { ...saved.result, generator: { ...saved.result.generator, busyPoll: true } },
      };
      const again = comparison(
        (await check({ port: String(target.port), duration: '0.5', 'min-requests': '0' }, spun))
          .check,
      );
      assert.equal(again.result.generator.busyPoll, true);
      assert.equal(again.result.generator.busyPollTrial, undefined);
    } finally {
      await target.close();
    }
  });

  it('a baseline service: paired slices in ABBA order; a slow but working baseline is measured, not cut off', async () => {
    // duration 1 s per side in 4 slices of 0.25 s, after 1.5 s of warm-up per side. 100 ms per
    // answer against 0.25 s slices: tails cross into the next slice and still count.
    const head = await service(0);
    const baseline = await service(100);
    try {
      const { check: value, elapsedMs } = await check({
        port: String(head.port),
        'baseline-port': String(baseline.port),
        duration: '1',
        rounds: '4',
        timeout: '2',
        'min-requests': '0',
      });
      // 2 x duration + both sides' warm-up + the busy-poll trial + timeout + 1 s, plus timer slack
      // on a busy machine.
      const boundMs = 2 * 1000 + 2 * 1500 + TRIAL_MS + 2000 + 1000 + 500;
      assert.ok(elapsedMs < boundMs, `took ${Math.round(elapsedMs)} ms, bound ${boundMs} ms`);
      const paired = comparison(value);
      assert.equal(paired.kind, 'paired');
      assert.ok(!('saved' in paired), 'a paired check holds no saved report');
      assert.deepEqual(
        paired.slices.map((s) => s.side),
        sliceOrder(4),
      );
      assert.equal(paired.baseline.timeouts, 0);
      assert.equal(paired.baseline.cancelled, 0);
      assert.equal(paired.baseline.errors, 0);
      // A slice's rate is its answers within its window (1-2 here); the answers that come after
      // it, while the other side's slice runs, still count in the side's total.
      const slices = paired.slices.filter((s) => s.side === 'baseline');
      assert.equal(slices.length, 4);
      for (const slice of slices) assert.ok(slice.requests >= 1, JSON.stringify(slices));
      const inWindows = slices.reduce((sum, s) => sum + s.requests, 0);
      assert.ok(paired.baseline.requests >= inWindows + 3, `${paired.baseline.requests} counted`);
      assert.equal(paired.shift?.test, 'signed-rank');
      assert.equal(paired.verdict, 'faster', 'the head answers at once, the baseline in 100 ms');
      // busy-poll auto: one trial, on the head, sets the mode of both sides.
      const trial = paired.result.generator.busyPollTrial;
      assert.ok(trial !== undefined && trial.onPerSec > 0 && trial.offPerSec > 0);
      assert.equal(paired.result.generator.busyPoll, trial.chosen);
      assert.equal(paired.baseline.generator.busyPoll, trial.chosen);
      assert.equal(paired.baseline.generator.busyPollTrial, undefined);
    } finally {
      await Promise.all([head.close(), baseline.close()]);
    }
  });
});

/** Runs the session comparing a head and a baseline service that answer after the given delays. */
async function compare(
  t: TestContext,
  headMs: number,
  baselineMs: number,
  inputs: Record<string, string> = {},
): Promise<SessionRun> {
  const baseline = await service(baselineMs);
  const head = await service(headMs);
  try {
    const run = await runInProcess({
      port: String(head.port),
      'baseline-port': String(baseline.port),
      // 8 slices of 0.25 s a side: 8 pairs, enough for the default confidence.
      duration: '2',
      rounds: '8',
      'min-requests': '0',
      // The servers share this process (and its one thread) with the load.
      'busy-poll': 'false',
      ...inputs,
    });
    const o = run.outputs;
    t.diagnostic(`${o.verdict}: ${o['change-percent']}% [${o['change-low']}, ${o['change-high']}]`);
    return run;
  } finally {
    await Promise.all([baseline.close(), head.close()]);
  }
}

/**
 * Runs the session once per set of inputs, in turn, against a head that answers in 1 ms and a
 * baseline served by `handler`, without busy-polling (the servers share this process).
 */
async function againstBaseline(
  handler: Handler,
  ...runs: Record<string, string>[]
): Promise<SessionRun[]> {
  const baseline = await startServer(handler);
  const head = await service(1);
  try {
    const done: SessionRun[] = [];
    for (const inputs of runs) {
      done.push(
        await runInProcess({
          port: String(head.port),
          'baseline-port': String(baseline.port),
          'busy-poll': 'false',
          ...inputs,
        }),
      );
    }
    return done;
  } finally {
    await Promise.all([baseline.close(), head.close()]);
  }
}

describe('head vs baseline through the session (two real servers)', () => {
  it('a head far slower is a regression: the check fails, verdict regression, chart in the summary', async (t) => {
    // At most 500 req/s against thousands: every pair says the head is slower by far.
    const run = await compare(t, 2, 0);
    assert.equal(run.code, 1, run.stdout);
    assert.equal(run.outputs.verdict, 'regression');
    assert.equal(run.outputs.outcome, 'failed');
    assert.ok(Number(run.outputs['change-high']) < -50, run.outputs['change-high']);
    assert.ok(Number(run.outputs['baseline-requests']) > 0);
    assert.match(
      run.failure ?? '',
      /^Check failed: throughput regression, head vs baseline -\d+\.\d%/,
    );
    assert.match(
      run.stdout,
      /\nbaseline: \d+ requests, [\d.]+ req\/s over [\d.]+ s; unexpected status: 0, errors: 0, timeouts: 0\n/,
    );
    assert.match(
      run.stdout,
      /\nhead vs baseline: -\d+\.\d% \(interval -\d+\.\d% to -\d+\.\d%\), verdict regression\n/,
    );
    assert.match(run.summary, /### Head vs baseline/);
    assert.match(run.summary, /```mermaid\nxychart-beta\n/);
    assert.match(run.summary, /Verdict: \*\*regression\*\*/);
    const { check } = doneOf(run);
    assert.equal(check.kind, 'paired');
    assert.equal(check.kind === 'paired' && check.shift?.headSlices, 8);
  });

  it('states what it could have caught: a larger detectable regression when the slices are noisier', async (t) => {
    const quiet = await compare(t, 1, 1);
    // A baseline whose speed swings with the wall clock, 1 ms or 4 ms a request in turns of
    // 0.3 s: its slices differ by far more than the quiet ones do.
    const [noisy] = await againstBaseline(
      (_req, res) => {
        const slow = Math.floor(Date.now() / 300) % 2 === 0;
        setTimeout(() => res.end('ok'), slow ? 4 : 1);
      },
      { duration: '2', rounds: '8' },
    );
    const stated = (run: SessionRun) => Number(run.outputs['detectable-regression']);
    t.diagnostic(`quiet ${stated(quiet)}%, noisy ${stated(noisy)}%`);
    assert.ok(stated(quiet) >= 5, 'never below max-regression');
    assert.ok(stated(noisy) > stated(quiet) + 5, `${stated(noisy)} vs ${stated(quiet)}`);
    assert.match(
      noisy.stdout,
      /\nthis run could catch slowdowns of \d+\.\d% or more \(about 95% of the time, from its own noise\)\n/,
    );
    assert.match(noisy.summary, /This run could catch slowdowns of \*\*\d+\.\d% or more/);
    const reported = doneOf(noisy).report.comparison?.detectableRegressionPct;
    assert.equal(reported?.toFixed(1), noisy.outputs['detectable-regression']);
    // A same-job comparison is not widened for a spread between runs: both sides ran in this one.
    const shift = doneOf(noisy).report.comparison?.shift;
    assert.equal(shift?.betweenRunSpreadPct, 0);
    assert.equal(shift?.test, 'signed-rank');
    assert.doesNotMatch(noisy.summary, /spread between/);
  });

  it('a noisy comparison at rounds auto measures more pairs, at most twice as many; an explicit rounds stays', async (t) => {
    // A baseline whose speed changes every 0.1 s at random, 1 ms or 12 ms a request: its 0.5 s
    // slices differ by tens of percent, so no 4 pairs could catch a 10% slowdown (that would need
    // all 4 within a few percent of each other).
    const slowIn = new Map<number, boolean>();
    const inputs = { duration: '2', 'min-requests': '1' };
    const [auto, fixed] = await againstBaseline(
      (_req, res) => {
        const window = Math.floor(Date.now() / 100);
        if (!slowIn.has(window)) slowIn.set(window, Math.random() < 0.5);
        setTimeout(() => res.end('ok'), slowIn.get(window) === true ? 12 : 1);
      },
      inputs,
      { ...inputs, rounds: '4' },
    );
    const { check, report } = doneOf(auto);
    assert.equal(check.kind, 'paired');
    const extension = check.kind === 'paired' ? check.extension : null;
    t.diagnostic(JSON.stringify(extension));
    assert.ok(extension !== null, 'rounds auto: the noisy run measured on');
    assert.equal(extension.plannedRounds, 4, 'auto: 2 s / 0.5 s');
    assert.equal(extension.aimPct, 10);
    assert.ok(extension.plannedDetectableRegressionPct > 10);
    assert.ok(extension.rounds > 4 && extension.rounds <= 8, String(extension.rounds));
    // Every pair measured counts, in the same ABBA pattern, in the verdict and in the head's result.
    assert.deepEqual(
      check.slices.map((s) => s.side),
      sliceOrder(extension.rounds),
    );
    assert.equal(check.kind === 'paired' && check.shift?.headSlices, extension.rounds);
    const headSlices = check.slices.filter((s) => s.side === 'head');
    const inWindows = headSlices.reduce((sum, s) => sum + s.requests, 0);
    assert.ok(check.result.requests >= inWindows, `${check.result.requests} < ${inWindows}`);
    assert.ok(check.result.windowMs >= extension.rounds * 500 * 0.99, `${check.result.windowMs}`);
    assert.equal(check.samples.rps.length, extension.rounds, "a later run's baseline-file samples");
    // min-requests counts every slice, and says over how long.
    const seconds = (extension.rounds * 0.5).toString();
    assert.match(check.decision.message, new RegExp(` requests in ${seconds} s, at or above`));
    assert.deepEqual(report.comparison?.extension, extension);
    assert.equal(report.settings.roundsAuto, true);
    assert.match(
      auto.stdout,
      /\nnoisy run: its 4 planned slice pairs could catch only slowdowns of \d+\.\d% or more, above the 10\.0% aimed at \(max-regression \+ 5 points\), so it measured [24] more pairs \(at most 4 more\)\nthis run could catch/,
    );
    assert.match(auto.summary, /\nNoisy run: its 4 planned slice pairs could catch only/);
    // The same noise with rounds given: the run keeps its 4 pairs.
    const kept = doneOf(fixed).check;
    assert.equal(kept.kind === 'paired' && kept.extension, null);
    assert.equal(kept.kind === 'paired' && kept.slices.length, 8);
    assert.ok(Number(fixed.outputs['detectable-regression']) > 10, 'as noisy');
    assert.match(kept.decision.message, / requests in 2 s, at or above/);
    assert.doesNotMatch(fixed.stdout, /noisy run/);
    // Too noisy with its 4 pairs: a warning, unless its interval rules a regression out anyway
    // (the head is quicker, so it mostly does) or the step failed.
    const ruledOut = Number(fixed.outputs['change-low']) >= -5 || fixed.code !== 0;
    t.diagnostic(`fixed: ${fixed.outputs.verdict} from ${fixed.outputs['change-low']}%`);
    if (ruledOut) assert.doesNotMatch(fixed.stdout, /comparison too noisy/);
    else assert.match(fixed.stdout, /, with the 4 slice pairs of rounds 4 \(at rounds auto, a /);
  });

  it('a same-job comparison too noisy at its end to rule out a regression warns that its pass says little', async (t) => {
    // One server as head and baseline (an A/A run), its speed changing every 0.1 s at random: 8
    // pairs of 0.5 s slices cannot come near catching a 10% slowdown.
    const slowIn = new Map<number, boolean>();
    const server = await startServer((_req, res) => {
      const window = Math.floor(Date.now() / 100);
      if (!slowIn.has(window)) slowIn.set(window, Math.random() < 0.5);
      setTimeout(() => res.end('ok'), slowIn.get(window) === true ? 12 : 1);
    });
    const run = await runInProcess({
      port: String(server.port),
      'baseline-port': String(server.port),
      'busy-poll': 'false',
      duration: '2',
    }).finally(() => server.close());
    const { verdict } = run.outputs;
    const detectable = Number(run.outputs['detectable-regression']);
    t.diagnostic(`${verdict} from ${run.outputs['change-low']}%, could catch ${detectable}%`);
    assert.ok(detectable > 10, 'still noisy after measuring on');
    const warned = run.warnings.filter((w) => w.startsWith('This comparison could catch only'));
    // An A/A run says unchanged 95% of the time, and so wide an interval reaches below -5%; an
    // interval that ends above -5% (as a faster one does), or a regression, is not warned about.
    if (Number(run.outputs['change-low']) >= -5 || verdict === 'regression') {
      assert.deepEqual(warned, []);
    } else {
      assert.equal(run.code, 0, run.stdout);
      assert.equal(warned.length, 1, run.stdout);
      assert.match(warned[0], / even after measuring on to 8 slice pairs, twice the 4 planned /);
      assert.match(run.stdout, /\n::warning title=comparison too noisy::This comparison could/);
      assert.match(run.summary, /> \[!WARNING\]\n> This comparison could catch only slowdowns of /);
      assert.deepEqual(doneOf(run).report.warnings, run.warnings);
    }
  });

  it('a comparison whose side timed out keeps its planned pairs, however noisy', async (t) => {
    // One request in 15 to the baseline, at random, never gets an answer: each costs the
    // connection the 0.2 s timeout, so the baseline's slices swing, and more pairs would not
    // average that away.
    const [run] = await againstBaseline(
      (_req, res) => {
        if (Math.random() >= 1 / 15) res.end('ok');
      },
      { duration: '2', timeout: '0.2', 'max-error-rate': '100' },
    );
    const { check } = doneOf(run);
    assert.equal(check.kind, 'paired');
    t.diagnostic(`detectable ${run.outputs['detectable-regression']}`);
    assert.ok(check.kind === 'paired' && check.baseline.timeouts > 0, 'the baseline timed out');
    assert.ok(Number(run.outputs['detectable-regression']) > 10, 'noisy enough to measure on');
    assert.equal(check.kind === 'paired' && check.extension, null);
    assert.equal(check.slices.length, 8);
  });

  it('two identical services pass', async (t) => {
    // A regression would take the whole interval below -50%, which identical services cannot do;
    // their false-alarm rate at the default -5% is what the calibration measures.
    const run = await compare(t, 0, 0, { 'max-regression': '50' });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs.outcome, 'passed');
    assert.match(run.outputs.verdict, /^(unchanged|slower|faster)$/);
    assert.ok(Number(run.outputs['change-low']) <= Number(run.outputs['change-high']));
  });
});
