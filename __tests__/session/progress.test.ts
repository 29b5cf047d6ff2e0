/**
 * Progress while the load runs (src/session.ts): runs of PROGRESS_FROM_SEC or longer log a line
 * every PROGRESS_EVERY_MS, before the standard line, whose two pieces then come together at the
 * end; shorter runs log none. The count those lines read is the check's own (`hooks.counter`),
 * kept across a comparison's slices.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCheck } from '../../src/check/run.js';
import { PROGRESS_EVERY_MS, PROGRESS_FROM_SEC } from '../../src/session.js';
import { progressLogLine } from '../../src/present/text.js';
import { settingsOf } from '../helpers/fixtures.js';
import { doneOf, runInProcess } from '../helpers/session.js';
import { startServer } from '../helpers/servers.js';

const STANDARD = /http test running\.\.\.\rhttp test running\.\.\. ok, (\d+) requests made\n/;

describe('progress lines', () => {
  it('reads `progress: 10 s, 24690 requests, 2469.0 req/s`, or that the load warms up', () => {
    assert.equal(
      progressLogLine({ elapsedMs: 10_012, requests: 24690, rps: 2469.04, warmingUp: false }),
      'progress: 10 s, 24690 requests, 2469.0 req/s',
    );
    assert.equal(
      progressLogLine({ elapsedMs: 5_000, requests: 0, rps: 0, warmingUp: true }),
      'progress: 5 s, warming up',
    );
  });

  it(`come every ${PROGRESS_EVERY_MS / 1000} s of a ${PROGRESS_FROM_SEC} s run, before the standard line`, async () => {
    const server = await startServer();
    try {
      // 2 s of warm-up: the first line's rate is over the 3 s counted so far, not the 5 s.
      const run = await runInProcess({
        port: String(server.port),
        duration: String(PROGRESS_FROM_SEC),
        warmup: '2',
        'busy-poll': 'false',
      });
      const lines = [
        ...run.stdout.matchAll(/^progress: (\d+) s, (\d+) requests, ([\d.]+) req\/s$/gm),
      ];
      // At 5 s and 10 s of the 12 s.
      assert.deepEqual(
        lines.map((line) => line[1]),
        ['5', '10'],
        run.stdout,
      );
      const standard = STANDARD.exec(run.stdout);
      assert.ok(standard, run.stdout);
      // Every progress line is above the standard line, which is whole: nothing inside it.
      for (const line of lines) assert.ok(line.index < standard.index, run.stdout);
      const final = Number(standard[1]);
      assert.equal(final, doneOf(run).check.result.requests);
      const counts = lines.map((line) => Number(line[2]));
      assert.ok(counts[0] > 0 && counts.every((n) => n <= final), run.stdout);
      // The first rate is over the counted 3 s, give or take the timer.
      const rate = Number(lines[0][3]);
      assert.ok(Math.abs(rate - counts[0] / 3) <= counts[0] / 3 / 10, run.stdout);
      // The second, over the 5 s since the first.
      const second = (counts[1] - counts[0]) / 5;
      assert.ok(Math.abs(Number(lines[1][3]) - second) <= second / 10, run.stdout);
    } finally {
      await server.close();
    }
  });

  it('are not logged for a shorter run, whose start line comes first as before', async () => {
    const server = await startServer();
    try {
      const run = await runInProcess({ port: String(server.port), duration: '0.5' });
      assert.doesNotMatch(run.stdout, /^progress:/m);
      assert.ok(run.stdout.startsWith('http test running...\r'), run.stdout);
    } finally {
      await server.close();
    }
  });
});

describe("the check's count for progress", () => {
  it('is the counted requests of a single run', async () => {
    const server = await startServer();
    try {
      const counter = { requests: 0, windowStartedAt: null };
      const settings = settingsOf({ port: String(server.port), duration: '0.5', warmup: '0.2' });
      const check = await runCheck(settings, { counter });
      assert.ok(check.result.requests > 0);
      // Warm-up and the busy-poll trial are not counted, here as in the standard line.
      assert.equal(counter.requests, check.result.requests);
      assert.ok(counter.windowStartedAt !== null);
    } finally {
      await server.close();
    }
  });

  it("adds up the head's slices in a comparison, as the standard line counts", async () => {
    const head = await startServer();
    const baseline = await startServer();
    try {
      const counter = { requests: 0, windowStartedAt: null };
      const settings = settingsOf({
        port: String(head.port),
        'baseline-port': String(baseline.port),
        duration: '1',
        rounds: '4',
        'busy-poll': 'false',
      });
      const check = await runCheck(settings, { counter });
      assert.equal(check.kind, 'paired');
      if (check.kind !== 'paired') return;
      assert.ok(check.result.requests > 0 && check.baseline.requests > 0);
      assert.equal(counter.requests, check.result.requests);
    } finally {
      await Promise.all([head.close(), baseline.close()]);
    }
  });
});
