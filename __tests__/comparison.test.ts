/**
 * Head vs baseline through the built bundle: two real servers, one made slower by a per-request CPU
 * cost; and a pair of identical ones.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { sliceOrder } from '../src/check.js';
import { runAction, type ActionRun } from './helpers/action.js';
import { startCostlyServer } from './helpers/servers.js';

const costly = startCostlyServer;

describe('slice order', () => {
  it('alternates ABBA then BAAB', () => {
    assert.deepEqual(
      sliceOrder(4).join(''),
      ['head', 'baseline', 'baseline', 'head', 'baseline', 'head', 'head', 'baseline'].join(''),
    );
  });
});

/** Runs the bundle comparing a head and a baseline service with the given per-request costs. */
async function compare(
  t: TestContext,
  headCostUs: number,
  baselineCostUs: number,
): Promise<ActionRun> {
  const baseline = await costly(baselineCostUs);
  const head = await costly(headCostUs);
  try {
    const run = await runAction({
      port: String(head.port),
      'baseline-port': String(baseline.port),
      duration: '4',
      'min-requests': '0',
      // The servers share this process and the machine's 2 cores with the bundle: a spinning
      // generator and a 99% interval over 8 + 8 slices made the 30% case flaky here.
      'busy-poll': 'false',
      confidence: '0.95',
    });
    const o = run.outputs;
    t.diagnostic(`${o.verdict}: ${o['change-percent']}% [${o['change-low']}, ${o['change-high']}]`);
    return run;
  } finally {
    await Promise.all([baseline.close(), head.close()]);
  }
}

describe('head vs baseline (bundle, two real servers)', () => {
  it('a head 30% slower is a regression: exit 1, verdict regression, chart in the summary', async (t) => {
    const run = await compare(t, 350, 200); // about 30% fewer requests
    assert.equal(run.code, 1, run.stdout);
    assert.equal(run.outputs.verdict, 'regression');
    assert.ok(Number(run.outputs['change-percent']) < -15, run.outputs['change-percent']);
    assert.ok(Number(run.outputs['change-high']) < -5);
    assert.ok(Number(run.outputs['baseline-requests']) > 0);
    assert.match(run.stdout, /::error::Throughput regression: head vs baseline -\d+\.\d%/);
    assert.match(run.summary, /### Head vs baseline/);
    assert.match(run.summary, /```mermaid\nxychart-beta\n/);
    assert.match(run.summary, /Verdict: \*\*regression\*\*/);
  });

  it('two identical services pass: exit 0', async (t) => {
    const run = await compare(t, 200, 200);
    assert.equal(run.code, 0, run.stdout);
    assert.notEqual(run.outputs.verdict, 'regression');
    assert.ok(Number(run.outputs['change-low']) <= Number(run.outputs['change-high']));
  });
});
