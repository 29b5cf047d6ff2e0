/**
 * busy-poll auto's trial (src/check/busy-poll.ts): the order of its slices and the rule that keeps
 * spinning only when it answered more, with a stand-in for the load whose counts are set per mode;
 * then one trial against a real server. The session tests check what a run does with the trial
 * (tests/session/comparison.test.ts, files.test.ts): its answers reported with the warm-up's, the
 * same mode on both sides of a comparison, a saved run's mode taken as it is.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  recordTrial,
  runBusyPollTrial,
  TRIAL_MS,
  TRIAL_SLICE_MS,
} from '../../src/check/busy-poll.js';
import { LoadPool, type LoadOptions, type startLoad } from '../../src/engine/load.js';
import { emptyResult } from '../../src/model/result.js';
import { route } from '../engine/route.js';
import { startServer } from '../helpers/servers.js';

const load = {
  origin: 'http://127.0.0.1:1',
  routes: [],
  connections: 1,
  timeoutMs: 1000,
} as unknown as Omit<LoadOptions, 'durationMs' | 'pool' | 'busyPoll'>;
const pool = {} as LoadPool;

/** A stand-in for `startLoad` that answers `perSlice[mode]` requests per slice and logs the modes. */
function fake(perSlice: { on: number; off: number }, modes: boolean[], abort?: AbortController) {
  return ((options: LoadOptions) => {
    modes.push(options.busyPoll === true);
    assert.equal(options.durationMs, TRIAL_SLICE_MS);
    assert.equal(options.pool, pool, 'on the connections the window then uses');
    assert.equal(options.cutOff, false);
    if (modes.length === 2) abort?.abort();
    const requests = options.busyPoll ? perSlice.on : perSlice.off;
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
  it('tries spinning, not, not, spinning, and keeps spinning only when it answered more', async () => {
    const modes: boolean[] = [];
    const slower = await runBusyPollTrial(load, pool, fake({ on: 30, off: 50 }, modes));
    assert.deepEqual(modes, [true, false, false, true], 'a cold first slice counts against it');
    assert.deepEqual(slower.trial, {
      onPerSec: (60 * 1000) / (2 * TRIAL_SLICE_MS),
      offPerSec: (100 * 1000) / (2 * TRIAL_SLICE_MS),
      chosen: false,
    });
    const faster = await runBusyPollTrial(load, pool, fake({ on: 51, off: 50 }, []));
    assert.equal(faster.trial.chosen, true);
    const tie = await runBusyPollTrial(load, pool, fake({ on: 50, off: 50 }, []));
    assert.equal(tie.trial.chosen, false, 'a tie leaves the core to the service');
    const nothing = await runBusyPollTrial(load, pool, fake({ on: 0, off: 0 }, []));
    assert.equal(nothing.trial.chosen, false, 'a target that answers nothing gets no spinning');
    assert.equal(TRIAL_MS, 4 * TRIAL_SLICE_MS);
  });

  it('stops when aborted, and reports all it sent with the warm-up', async () => {
    const modes: boolean[] = [];
    const abort = new AbortController();
    const outcome = await runBusyPollTrial(
      { ...load, signal: abort.signal },
      pool,
      fake({ on: 10, off: 20 }, modes, abort),
    );
    assert.deepEqual(modes, [true, false]);
    const result = emptyResult();
    await recordTrial(result, outcome);
    assert.equal(result.generator.busyPollTrial, outcome.trial);
    // Per slice: 1 more than by the deadline answered after it, plus 3 in its own warm-up.
    assert.equal(result.warmup.responses, 10 + 1 + 3 + (20 + 1 + 3));
    assert.equal(result.warmup.failures, 2 * (2 + 4));
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
      assert.ok(result.warmup.responses >= ((onPerSec + offPerSec) * TRIAL_MS) / 2 / 1000);
    } finally {
      await real.close();
      await server.close();
    }
  });
});
