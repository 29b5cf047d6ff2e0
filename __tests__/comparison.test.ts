/**
 * Head vs baseline through the built bundle: the wiring of a comparison, with margins no machine
 * noise can bridge. Whether the statistics catch a 10% slowdown and stay quiet on identical
 * services is measured by `npm run calibrate` (bench/CALIBRATION.md) and tested on fixed samples
 * in compare.test.ts, not here.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { sliceOrder } from '../src/check.js';
import { runAction, type ActionRun } from './helpers/action.js';
import { startServer, type TestServer } from './helpers/servers.js';

/** Answers after `ms` on a timer (at once for 0): its rate does not depend on the machine's load. */
function service(ms: number): Promise<TestServer> {
  return startServer((_req, res) => (ms > 0 ? setTimeout(() => res.end('ok'), ms) : res.end('ok')));
}

describe('slice order', () => {
  it('alternates ABBA then BAAB', () => {
    assert.deepEqual(
      sliceOrder(4).join(''),
      ['head', 'baseline', 'baseline', 'head', 'baseline', 'head', 'head', 'baseline'].join(''),
    );
  });
});

/** Runs the bundle comparing a head and a baseline service that answer after the given delays. */
async function compare(
  t: TestContext,
  headMs: number,
  baselineMs: number,
  inputs: Record<string, string> = {},
): Promise<ActionRun> {
  const baseline = await service(baselineMs);
  const head = await service(headMs);
  try {
    const run = await runAction({
      port: String(head.port),
      'baseline-port': String(baseline.port),
      duration: '4',
      'min-requests': '0',
      // The servers share this process and the machine's 2 cores with the bundle.
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

describe('head vs baseline (bundle, two real servers)', () => {
  it('a head far slower is a regression: exit 1, verdict regression, chart in the summary', async (t) => {
    // At most 500 req/s against thousands: every pair says the head is slower by far.
    const run = await compare(t, 2, 0);
    assert.equal(run.code, 1, run.stdout);
    assert.equal(run.outputs.verdict, 'regression');
    assert.ok(Number(run.outputs['change-high']) < -50, run.outputs['change-high']);
    assert.ok(Number(run.outputs['baseline-requests']) > 0);
    assert.match(run.stdout, /::error::Throughput regression: head vs baseline -\d+\.\d%/);
    assert.match(
      run.stdout,
      /\nbaseline: \d+ requests, [\d.]+ req\/s over [\d.]+ s; unexpected status: 0, errors: 0, timeouts: 0\n/,
    );
    assert.match(run.summary, /### Head vs baseline/);
    assert.match(run.summary, /```mermaid\nxychart-beta\n/);
    assert.match(run.summary, /Verdict: \*\*regression\*\*/);
  });

  it('two identical services pass: exit 0', async (t) => {
    // A regression would take the whole interval below -50%, which identical services cannot do;
    // their false-alarm rate at the default -5% is what the calibration measures.
    const run = await compare(t, 0, 0, { 'max-regression': '50' });
    assert.equal(run.code, 0, run.stdout);
    assert.notEqual(run.outputs.verdict, 'regression');
    assert.ok(Number(run.outputs['change-low']) <= Number(run.outputs['change-high']));
  });
});
