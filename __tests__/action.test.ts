/**
 * The built bundle, run as the runner runs it: `node dist/index.js` with INPUT_* variables (hyphens
 * kept) and real GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runAction } from './helpers/action.js';
import { startServer, type TestServer } from './helpers/servers.js';

describe('dist/index.js as the runner runs it', () => {
  let target: TestServer;
  before(async () => (target = await startServer()));
  after(() => target.close());

  it('passes above min-requests: exit 0, outputs, standard line, summary table', async () => {
    const before = target.served() + 1; // + the readiness probe
    const run = await runAction({ port: String(target.port), duration: '1', 'min-requests': '10' });
    const served = target.served() - before;

    assert.equal(run.code, 0, run.stdout);
    const requests = Number(run.outputs.requests);
    assert.ok(requests > 10, `requests=${run.outputs.requests}`);
    assert.equal(requests, served, 'the count equals what the server served');
    assert.ok(
      run.stdout.includes(
        `http test running...\rhttp test running... ok, ${requests} requests made\n`,
      ),
      JSON.stringify(run.stdout),
    );
    assert.ok(run.stdout.startsWith('http test running...\r'), 'nothing before the standard line');
    assert.equal(run.outputs.passed, 'true');
    assert.equal(run.outputs.outcome, 'passed');
    assert.equal(run.outputs['unexpected-status'], '0');
    assert.equal(run.outputs.errors, '0');
    assert.equal(run.outputs.timeouts, '0');
    assert.ok(Number(run.outputs.rps) > 0);
    assert.ok(Number(run.outputs.duration) >= 1 && Number(run.outputs.duration) < 1.5);
    for (const name of ['latency-p50-ms', 'latency-p90-ms', 'latency-p99-ms', 'latency-max-ms']) {
      assert.match(run.outputs[name] ?? '', /^\d+\.\d{3}$/, name);
    }
    assert.ok(Number(run.outputs['latency-p50-ms']) > 0);
    assert.ok(Number(run.outputs['latency-p99-ms']) <= Number(run.outputs['latency-max-ms']));
    assert.match(
      run.summary,
      /\| Latency \| p50 [\d.]+ ms, p90 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms \|/,
    );
    assert.match(run.summary, /\| Requests \| \*\*\d+\*\* \(status 200-299\) \|/);
    assert.match(run.summary, /\| Verdict \| ✅ passed \|/);
  });

  it('fails below min-requests: exit 1, passed=false, outputs and summary still written', async () => {
    const run = await runAction({
      port: String(target.port),
      duration: '0.3',
      'min-requests': '100000000',
    });
    assert.equal(run.code, 1);
    assert.equal(run.outputs.passed, 'false');
    assert.ok(Number(run.outputs.requests) > 0);
    assert.match(
      run.stdout,
      new RegExp(
        `::error::Throughput check failed: ${run.outputs.requests} requests in 0.3 s, below min-requests 100000000`,
      ),
    );
    assert.match(run.summary, /\| Verdict \| ❌ failed \|/);
  });
});

describe('a gate set inside the noise', () => {
  it('warns when min-requests is within the noise band of the count, and not when far below', async () => {
    // About 90-100 responses a second: each answer waits 10 ms.
    const slow = await startServer((_req, res) => setTimeout(() => res.end('ok'), 10));
    try {
      const near = await runAction({
        port: String(slow.port),
        duration: '2',
        'min-requests': '180',
      });
      assert.match(
        near.stdout,
        /::warning title=min-requests is inside the noise::min-requests 180 is within \d+%25 of the measured \d+/, // % is encoded as %25 in workflow commands
      );
      assert.match(near.summary, /> \[!WARNING\]\n> min-requests 180 is within/);
      assert.match(
        near.summary,
        /\| Variation between seconds \| [\d.]+% \(noise band taken as ±\d+%\) \|/,
      );
      const far = await runAction({ port: String(slow.port), duration: '2', 'min-requests': '10' });
      assert.equal(far.code, 0);
      assert.doesNotMatch(far.stdout, /::warning/);
    } finally {
      await slow.close();
    }
  });
});
