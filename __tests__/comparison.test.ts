/**
 * Head vs baseline through the built bundle: two real servers, one made slower by a per-request CPU
 * cost; and a pair of identical ones.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sliceOrder } from '../src/check.js';
import { runAction, type ActionRun } from './helpers/action.js';
import { startServer, type TestServer } from './helpers/servers.js';

/** A server that burns `us` microseconds of CPU per request, like a slower build of a service. */
function costly(us: number): Promise<TestServer> {
  return startServer((_req, res) => {
    const end = performance.now() + us / 1000;
    while (performance.now() < end);
    res.end('ok');
  });
}

describe('slice order', () => {
  it('alternates ABBA then BAAB', () => {
    assert.deepEqual(
      sliceOrder(4).join(''),
      ['head', 'baseline', 'baseline', 'head', 'baseline', 'head', 'head', 'baseline'].join(''),
    );
  });
});

/** Runs the bundle comparing a head and a baseline service with the given per-request costs. */
async function compare(headCostUs: number, baselineCostUs: number): Promise<ActionRun> {
  const baseline = await costly(baselineCostUs);
  const head = await costly(headCostUs);
  try {
    return await runAction({
      port: String(head.port),
      'baseline-port': String(baseline.port),
      duration: '3',
      'min-requests': '0',
    });
  } finally {
    await Promise.all([baseline.close(), head.close()]);
  }
}

describe('head vs baseline (bundle, two real servers)', () => {
  it('a head 30% slower is a regression: exit 1, verdict regression, chart in the summary', async () => {
    const run = await compare(290, 200);
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

  it('two identical services pass: exit 0', async () => {
    const run = await compare(200, 200);
    assert.equal(run.code, 0, run.stdout);
    assert.notEqual(run.outputs.verdict, 'regression');
    assert.ok(Number(run.outputs['change-low']) <= Number(run.outputs['change-high']));
  });
});
