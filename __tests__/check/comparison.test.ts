/**
 * The pure parts of src/check/comparison.ts: `sliceOrder`, the ABBA/BAAB order in which a
 * same-job comparison runs its slices (so that a drift of the machine hits both sides alike);
 * `pairsOf`, which pairs adjacent head and baseline slices for the signed-rank interval; and
 * `combine`, which folds one side's slices into one result (counts added, windows summed, the
 * generator's use weighted by window, the warm-up slices' answers and failures as warm-up, an
 * abort carried over). Running comparisons against services is the session tests' part.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { combine, extensionBatch, pairsOf, sliceOrder } from '../../src/check/comparison.js';
import { EXTENSION_AIM_MARGIN_PCT, type Slice } from '../../src/model/check.js';
import { emptyResult, type LoadResult } from '../../src/model/result.js';

describe('the order of the slices', () => {
  it('pairs adjacent slices in the ABBA/BAAB order the comparison runs them', () => {
    const order = sliceOrder(4);
    assert.deepEqual(order, [
      'head',
      'baseline',
      'baseline',
      'head',
      'baseline',
      'head',
      'head',
      'baseline',
    ]);
    const slices: Slice[] = order.map((side, i) => ({
      side,
      rps: side === 'head' ? 100 + i : 200 + i,
      requests: 1,
    }));
    assert.deepEqual(pairsOf(slices), [
      [100, 201],
      [103, 202],
      [105, 204],
      [106, 207],
    ]);
    assert.throws(() => pairsOf(slices.slice(1)), /not a head\/baseline pair/);
  });

  it('gives every pair one slice of each side, and each 4 pairs the same mean position per side', () => {
    for (let rounds = 1; rounds <= 40; rounds++) {
      const order = sliceOrder(rounds);
      assert.equal(order.length, 2 * rounds);
      for (let i = 0; i < order.length; i += 2) {
        assert.notEqual(order[i], order[i + 1], `rounds ${rounds}, pair ${i / 2}`);
      }
      // A drift linear in time hits head and baseline alike over each ABBA BAAB block.
      for (let block = 0; block + 8 <= order.length; block += 8) {
        const sum = (side: string) =>
          order
            .slice(block, block + 8)
            .reduce((total, s, i) => total + (s === side ? block + i : 0), 0);
        assert.equal(sum('head'), sum('baseline'), `rounds ${rounds}, block at ${block}`);
      }
    }
    assert.deepEqual(sliceOrder(1), ['head', 'baseline']);
    assert.deepEqual(sliceOrder(0), []);
  });

  it('pairs nothing out of no slices', () => {
    assert.deepEqual(pairsOf([]), []);
  });
});

describe('how many pairs a noisy comparison adds', () => {
  it('none once the run could catch max-regression + 5 points, however few pairs', () => {
    assert.equal(EXTENSION_AIM_MARGIN_PCT, 5);
    assert.equal(extensionBatch(10, 10, 10, 5), 0, 'exactly at the aim');
    assert.equal(extensionBatch(10, 10, 9.99, 5), 0);
    assert.equal(extensionBatch(10, 10, 10.01, 5), 5, 'just above it');
    // The aim follows max-regression.
    assert.equal(extensionBatch(10, 10, 24, 20), 0);
    assert.equal(extensionBatch(10, 10, 26, 20), 5);
    assert.equal(extensionBatch(10, 10, Number.NaN, 5), 0, 'no figure, no extension');
  });

  it('half the planned rounds at a time, never past twice the planned', () => {
    const added: number[] = [];
    for (let measured = 10; ;) {
      const batch = extensionBatch(10, measured, 50, 5);
      if (batch === 0) break;
      added.push(batch);
      measured += batch;
    }
    assert.deepEqual(added, [5, 5]);
    // Odd plans round the batch up and cut the last one at the cap.
    assert.equal(extensionBatch(3, 3, 50, 5), 2);
    assert.equal(extensionBatch(3, 5, 50, 5), 1);
    assert.equal(extensionBatch(3, 6, 50, 5), 0);
    assert.equal(extensionBatch(2, 2, 50, 5), 1);
  });

  it('the pattern goes on: a longer order starts with the shorter one', () => {
    assert.deepEqual(sliceOrder(15).slice(0, 20), sliceOrder(10));
  });
});

describe("one side's slices as one result", () => {
  const run = (extra: Partial<LoadResult>): LoadResult => ({ ...emptyResult(), ...extra });
  const latency = {
    count: 30,
    p50Us: 100,
    p90Us: 200,
    p95Us: 250,
    p99Us: 300,
    maxUs: 400,
    meanUs: 120,
  };

  it('adds the counts up, merges the maps and sums the windows', () => {
    const total = combine(
      [
        run({
          requests: 10,
          unexpectedStatus: 1,
          errors: 2,
          timeouts: 1,
          cancelled: 0,
          windowMs: 500,
          statusCounts: { 200: 10, 503: 1 },
          errorsByKind: { ECONNRESET: 2 },
        }),
        run({
          requests: 20,
          unexpectedStatus: 3,
          errors: 1,
          timeouts: 0,
          cancelled: 2,
          windowMs: 520,
          statusCounts: { 200: 20, 500: 3 },
          errorsByKind: { ECONNRESET: 1 },
        }),
        run({
          errors: 4,
          windowMs: 500,
          errorsByKind: { UNSOLICITED_RESPONSE: 4 },
        }),
      ],
      latency,
    );
    assert.equal(total.requests, 30);
    assert.equal(total.unexpectedStatus, 4);
    assert.equal(total.errors, 7);
    assert.equal(total.timeouts, 1);
    assert.equal(total.cancelled, 2);
    assert.equal(total.windowMs, 1520);
    assert.deepEqual(total.statusCounts, { 200: 30, 500: 3, 503: 1 });
    assert.deepEqual(total.errorsByKind, { ECONNRESET: 3, UNSOLICITED_RESPONSE: 4 });
    assert.deepEqual(total.latency, latency, 'the latency of the shared recorder');
    assert.deepEqual(total.warmup, { responses: 0, failures: 0 });
    assert.equal(total.aborted, false);
  });

  it("weights the generator's use by each slice's window", () => {
    const total = combine(
      [
        run({
          windowMs: 1000,
          generator: {
            cpuPct: 20,
            utilization: 0.2,
            busyPoll: true,
            cpuUsPerRequest: 100,
            cores: 2,
          },
        }),
        run({
          windowMs: 3000,
          generator: {
            cpuPct: 60,
            utilization: 0.6,
            busyPoll: true,
            cpuUsPerRequest: 300,
            cores: 2,
          },
        }),
      ],
      latency,
    );
    // Unweighted, the means would be 40% and 0.4.
    assert.ok(Math.abs(total.generator.cpuPct - 50) < 1e-9, String(total.generator.cpuPct));
    assert.ok(Math.abs(total.generator.utilization - 0.5) < 1e-9);
    assert.equal(total.generator.busyPoll, true);
    assert.ok(Math.abs(total.generator.cpuUsPerRequest - 250) < 1e-9);
    assert.equal(total.generator.cores, 2);
  });

  it('folds the warm-up slices in as warm-up, answers and failures alike', () => {
    const total = combine([run({ requests: 5, windowMs: 500 })], latency, [
      run({
        requests: 10,
        unexpectedStatus: 2,
        errors: 3,
        timeouts: 1,
        cancelled: 1,
        windowMs: 750,
        warmup: { responses: 4, failures: 2 },
      }),
      run({ errors: 6, windowMs: 750 }),
    ]);
    assert.deepEqual(total.warmup, { responses: 16, failures: 13 });
    assert.equal(total.requests, 5, 'what a warm-up slice counted is not counted');
    assert.equal(total.errors, 0);
    assert.equal(total.windowMs, 500, 'nor its window');
  });

  it('is aborted when any of its slices was', () => {
    const aborted = combine(
      [run({ windowMs: 500 }), run({ windowMs: 200, aborted: true })],
      latency,
    );
    assert.equal(aborted.aborted, true);
    assert.equal(combine([run({ windowMs: 500 })], latency).aborted, false);
  });

  it('is empty, with no generator use, when there were no slices', () => {
    const total = combine([], latency);
    assert.deepEqual(total, { ...emptyResult(), latency });
  });
});
