/**
 * busy-poll auto's trial (src/check/busy-poll.ts): the order of its slices and the rule that keeps
 * spinning only when it answered more, with a stand-in for the load whose counts are set per mode;
 * then one trial against a real server. The session tests check what a run does with the trial
 * (__tests__/session/comparison.test.ts, files.test.ts): its answers reported with the warm-up's, the
 * same mode on both sides of a comparison, a saved run's mode taken as it is; faults.test.ts has a
 * target that hangs through it. Here also: a run stopped during the trial ends cancelled.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  recordTrial,
  runBusyPollTrial,
  TRIAL_LEAD_IN_MS,
  TRIAL_MS,
  TRIAL_SLICE_MS,
} from '../../src/check/busy-poll.js';
import { LoadPool, type LoadOptions, type startLoad } from '../../src/engine/load.js';
import { emptyResult } from '../../src/model/result.js';
import { route } from '../engine/route.js';
import { startServer } from '../helpers/servers.js';
import { runInProcess } from '../helpers/session.js';

const load = {
  origin: 'http://127.0.0.1:1',
  routes: [],
  connections: 1,
  timeoutMs: 1000,
} as unknown as Omit<LoadOptions, 'durationMs' | 'pool' | 'busyPoll'>;
const pool = {} as LoadPool;

/** Answers of the lead-in, in the fakes: counted for neither mode. */
const LEAD_IN = 999;

/**
 * A stand-in for `startLoad`: answers `perSlice[mode]` requests by the deadline of each slice
 * (`LEAD_IN` in the lead-in), one more after it, and logs each run's mode and length.
 */
function fake(perSlice: { on: number; off: number }, runs: string[], abort?: AbortController) {
  return ((options: LoadOptions) => {
    runs.push(`${options.busyPoll ? 'on' : 'off'} ${options.durationMs}`);
    assert.equal(options.pool, pool, 'on the connections the window then uses');
    assert.equal(options.cutOff, false);
    if (runs.length === 3) abort?.abort();
    const requests =
      options.durationMs === TRIAL_LEAD_IN_MS
        ? LEAD_IN
        : options.busyPoll
          ? perSlice.on
          : perSlice.off;
    return {
      windowEnd: Promise.resolve(requests),
      result: Promise.resolve({
        ...emptyResult(),
        requests: requests + 1,
        errors: 2,
        warmup: { responses: 3, failures: 4 },
      }),
    };
  }) as unknown as typeof startLoad;
}

describe('the busy-poll trial', () => {
  it('warms up, tries both modes in ABBA BAAB order, and spins only when that answered more', async () => {
    const runs: string[] = [];
    const slower = await runBusyPollTrial(load, pool, fake({ on: 30, off: 50 }, runs));
    const [lead, ...slices] = runs;
    assert.equal(lead, `off ${TRIAL_LEAD_IN_MS}`, 'a lead-in first, counted for neither mode');
    assert.deepEqual(
      slices,
      ['off', 'on', 'on', 'off', 'on', 'off', 'off', 'on'].map((m) => `${m} ${TRIAL_SLICE_MS}`),
    );
    assert.deepEqual(slower.trial, {
      onPerSec: (4 * 30 * 1000) / (4 * TRIAL_SLICE_MS),
      offPerSec: (4 * 50 * 1000) / (4 * TRIAL_SLICE_MS),
      chosen: false,
    });
    const faster = await runBusyPollTrial(load, pool, fake({ on: 51, off: 50 }, []));
    assert.equal(faster.trial.chosen, true);
    const tie = await runBusyPollTrial(load, pool, fake({ on: 50, off: 50 }, []));
    assert.equal(tie.trial.chosen, false, 'a tie leaves the core to the service');
    const nothing = await runBusyPollTrial(load, pool, fake({ on: 0, off: 0 }, []));
    assert.equal(nothing.trial.chosen, false, 'a target that answers nothing gets no spinning');
    assert.equal(TRIAL_MS, TRIAL_LEAD_IN_MS + 8 * TRIAL_SLICE_MS);
  });

  it('stops when aborted, and reports all it sent with the warm-up', async () => {
    const runs: string[] = [];
    const abort = new AbortController();
    const outcome = await runBusyPollTrial(
      { ...load, signal: abort.signal },
      pool,
      fake({ on: 10, off: 20 }, runs, abort),
    );
    assert.deepEqual(runs, [
      `off ${TRIAL_LEAD_IN_MS}`,
      `off ${TRIAL_SLICE_MS}`,
      `on ${TRIAL_SLICE_MS}`,
    ]);
    const result = emptyResult();
    await recordTrial(result, outcome);
    assert.equal(result.generator.busyPollTrial, outcome.trial);
    // Per run: 1 more than by the deadline answered after it, plus 3 in its own warm-up.
    assert.equal(result.warmup.responses, LEAD_IN + 20 + 10 + 3 * (1 + 3));
    assert.equal(result.warmup.failures, 3 * (2 + 4));
  });

  it('measures both modes against a real server', async () => {
    const server = await startServer();
    const origin = `http://127.0.0.1:${server.port}`;
    const real = new LoadPool({ origin, connections: 1, pipelining: 1, timeoutMs: 2000 });
    try {
      const outcome = await runBusyPollTrial({ ...load, origin, routes: [route()] }, real);
      const { onPerSec, offPerSec, chosen } = outcome.trial;
      assert.ok(onPerSec > 0 && offPerSec > 0, JSON.stringify(outcome.trial));
      assert.equal(chosen, onPerSec > offPerSec);
      const result = emptyResult();
      await recordTrial(result, outcome);
      // What the server answered is the trial's, all of it: answers by the deadlines and after.
      assert.equal(result.warmup.responses, server.served());
      // The slices' answers by their deadlines alone (4 of each mode), the lead-in's on top.
      const inSlices = ((onPerSec + offPerSec) * 4 * TRIAL_SLICE_MS) / 1000;
      assert.ok(result.warmup.responses > inSlices, `${result.warmup.responses} vs ${inSlices}`);
    } finally {
      await real.close();
      await server.close();
    }
  });
});

describe('the busy-poll trial in a session', () => {
  it('stopped during the trial: cancelled, bounded, with the outputs written', async () => {
    const server = await startServer();
    try {
      const abort = new AbortController();
      const running = runInProcess(
        { port: String(server.port), duration: '5', 'min-requests': '1' },
        { signal: abort.signal, stoppedBy: () => 'SIGINT' },
      );
      // The readiness probe answers at once; the trial then runs for TRIAL_MS.
      setTimeout(() => abort.abort(), TRIAL_MS / 2);
      const run = await running;
      assert.equal(run.code, 130, run.stdout);
      assert.equal(run.outputs.outcome, 'cancelled');
      assert.match(run.failure ?? '', /SIGINT/);
      assert.ok(run.elapsedMs < TRIAL_MS + 1000, `took ${Math.round(run.elapsedMs)} ms`);
      assert.equal(run.outputs.requests, '0');
    } finally {
      await server.close();
    }
  });
});
