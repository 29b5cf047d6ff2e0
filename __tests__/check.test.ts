/**
 * The session (src/check.ts) in process, against real loopback servers: what a check or a
 * comparison does when one of its targets misbehaves.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { isComparison, runChecks, type ComparisonOutcome } from '../src/check.js';
import { readSettings } from '../src/inputs.js';
import { startServer, type Handler, type TestServer } from './helpers/servers.js';

const servers: TestServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function server(handler?: Handler): Promise<TestServer> {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}

const hangs: Handler = () => {};
/** Answers the first request (the readiness probe), then never again. */
const answersOnceThenHangs: Handler = (_req, res, index) => {
  if (index === 0) res.end('ok');
};

async function compare(inputs: Record<string, string>): Promise<{
  outcome: ComparisonOutcome;
  elapsedMs: number;
}> {
  const settings = readSettings((name) => inputs[name] ?? '');
  const started = performance.now();
  const outcome = await runChecks(settings, {}, null);
  const elapsedMs = performance.now() - started;
  assert.ok(isComparison(outcome));
  return { outcome, elapsedMs };
}

describe('a comparison with a side that never answers', () => {
  // duration 1 s per side in 4 slices of 0.25 s: 6 warm-up slices of 0.25 s per side. Before, a
  // hung side held every one of its 10 slices for a whole timeout: 10 x 2 s. The bound is
  // 2 x duration + both sides' warm-up + timeout + 1 s.
  const inputs = { duration: '1', rounds: '4', timeout: '2', 'min-requests': '0' };
  // Plus timer slack on a busy machine (the slices' own timers, 20 of them here).
  const boundMs = 2 * 1000 + 2 * 1500 + 2000 + 1000 + 500;

  for (const [name, handler, extra] of [
    ['accepts and never answers (no readiness wait)', hangs, { 'wait-timeout': '0' }],
    ['answers the readiness probe, then hangs', answersOnceThenHangs, {}],
  ] as const) {
    it(`the baseline ${name}: ends in bounded time, the verdict names the baseline`, async () => {
      const head = await server();
      const baseline = await server(handler);
      const { outcome, elapsedMs } = await compare({
        ...inputs,
        ...extra,
        port: String(head.port),
        'baseline-port': String(baseline.port),
      });
      assert.ok(elapsedMs < boundMs, `took ${Math.round(elapsedMs)} ms, bound ${boundMs} ms`);
      assert.equal(outcome.verdict.passed, false);
      assert.equal(outcome.verdict.outcome, 'failed');
      assert.match(
        outcome.verdict.message,
        /^Throughput comparison failed: the baseline answered no request with an expected status in 4 of 4 slices \(0 requests; unexpected status 0, errors 0, timeouts \d+ at timeout 2 s(; in the warm-up 0 answers and \d+ failed requests)?\)$/,
      );
      // The hung request times out in whichever slice sent it: a counted one or the warm-up.
      const { timeouts, warmup } = outcome.baseline;
      assert.ok(
        timeouts + warmup.failures >= 1,
        `timeouts ${timeouts}, warm-up ${warmup.failures}`,
      );
      assert.ok(outcome.result.requests > 0, 'the head was measured');
      assert.equal(outcome.shift, null);
    });
  }

  it('the head hangs: ends in bounded time, the verdict names the head', async () => {
    const head = await server(hangs);
    const baseline = await server();
    const { outcome, elapsedMs } = await compare({
      ...inputs,
      'wait-timeout': '0',
      port: String(head.port),
      'baseline-port': String(baseline.port),
    });
    assert.ok(elapsedMs < boundMs, `took ${Math.round(elapsedMs)} ms, bound ${boundMs} ms`);
    assert.match(outcome.verdict.message, /failed: the head answered no request/);
    assert.doesNotMatch(outcome.verdict.message, /the baseline/);
    assert.ok(outcome.result.timeouts + outcome.result.warmup.failures >= 1);
    assert.ok(outcome.baseline.requests > 0);
  });

  it('a slow but working baseline is measured, not cut off', async () => {
    // 100 ms per answer against 0.25 s slices: tails cross into the next slice and still count.
    const head = await server();
    const baseline = await server((_req, res) => setTimeout(() => res.end('ok'), 100));
    const { outcome, elapsedMs } = await compare({
      ...inputs,
      port: String(head.port),
      'baseline-port': String(baseline.port),
    });
    assert.ok(elapsedMs < boundMs, `took ${Math.round(elapsedMs)} ms`);
    assert.equal(outcome.baseline.timeouts, 0);
    assert.equal(outcome.baseline.cancelled, 0);
    assert.equal(outcome.baseline.errors, 0);
    // A slice's rate is its answers within its window (1-2 here); the answers that come after it,
    // while the other side's slice runs, still count in the side's total.
    const slices = outcome.slices.filter((s) => s.side === 'baseline');
    assert.equal(slices.length, 4);
    for (const slice of slices) assert.ok(slice.requests >= 1, JSON.stringify(slices));
    const inWindows = slices.reduce((sum, s) => sum + s.requests, 0);
    assert.ok(outcome.baseline.requests >= inWindows + 3, `${outcome.baseline.requests} counted`);
    assert.notEqual(outcome.shift, null);
    assert.equal(outcome.comparison, 'faster', 'the head answers at once, the baseline in 100 ms');
  });
});
