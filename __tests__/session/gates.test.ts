/**
 * The gates through the session (src/session.ts) run in this process (helpers/session.ts) against
 * real loopback servers: a service that answers every request with 500 fails on the error rate
 * even with min-requests 0; a 2% error rate against two limits; latency percentiles against a
 * service with think time; min-rps; several failed gates named at once; the open model's rate,
 * its drops and their warning; a failing baseline named in a warning; the exit code of a target
 * that never became ready. Each run is bounded by its duration and timeout.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { closedPort, startCostlyServer, startServer, type TestServer } from '../helpers/servers.js';
import { doneOf, readJson, runInProcess } from '../helpers/session.js';

const servers: TestServer[] = [];
async function kept(server: Promise<TestServer>): Promise<TestServer> {
  const s = await server;
  servers.push(s);
  return s;
}
after(() => Promise.all(servers.map((s) => s.close())));

describe('the error rate', () => {
  it('fails a service that answers every request with 500, though min-requests is 0', async () => {
    const broken = await kept(
      startServer((_req, res) => {
        res.statusCode = 500;
        res.end('no');
      }),
    );
    const run = await runInProcess({ port: String(broken.port), duration: '0.5' });
    assert.equal(run.code, 1);
    assert.equal(run.outputs.passed, 'false');
    assert.equal(run.outputs.outcome, 'failed');
    assert.equal(run.outputs['failed-gates'], 'max-error-rate');
    assert.equal(run.outputs['error-rate'], '100.00');
    assert.equal(run.outputs.requests, '0');
    assert.match(run.stdout, /ok, 0 requests made\n/, 'the standard line is unchanged');
    assert.equal(run.failure, 'Check failed: error rate 100.00%, above max-error-rate 1%');
    assert.match(run.summary, /^\| `max-error-rate` \| ≤ 1% \| 100\.00% \| ❌ failed \|$/m);
    const gates = readJson(run.outputs.report).decision.gates;
    assert.deepEqual(gates, [{ name: 'max-error-rate', limit: 1, value: 100, passed: false }]);
  });

  it('holds 2% of 503s to the limit: passes at 5, fails at 1', async () => {
    // Exactly one answer in 50 is a 503 (the readiness probe is the first of them).
    const flaky = await kept(
      startServer((_req, res, index) => {
        res.statusCode = index % 50 === 49 ? 503 : 200;
        res.end('ok');
      }),
    );
    const at = (limit: string) =>
      runInProcess({ port: String(flaky.port), duration: '0.5', 'max-error-rate': limit });
    const loose = await at('5');
    assert.equal(loose.code, 0, loose.stdout);
    const rate = Number(loose.outputs['error-rate']);
    assert.ok(rate > 1.8 && rate < 2.2, `error rate ${rate}%`);
    assert.equal(loose.outputs['failed-gates'], '');
    const strict = await at('1');
    assert.equal(strict.code, 1);
    assert.equal(strict.outputs['failed-gates'], 'max-error-rate');
    assert.match(
      strict.failure ?? '',
      /^Check failed: error rate 2\.\d\d%, above max-error-rate 1%$/,
    );
  });
});

describe('latency and throughput', () => {
  // Each answer waits 10 ms: p95 is a little over 10 ms, and 2 connections make under 200 req/s.
  const thinking = () => kept(startServer((_req, res) => setTimeout(() => res.end('ok'), 10)));

  it('fails max-p95-ms 5 and passes at 50 against 10 ms of think time', async () => {
    const slow = await thinking();
    const run = (limit: string) =>
      runInProcess({
        port: String(slow.port),
        duration: '0.5',
        connections: '2',
        'max-p95-ms': limit,
      });
    const tight = await run('5');
    assert.equal(tight.code, 1);
    assert.equal(tight.outputs['failed-gates'], 'max-p95-ms');
    const p95 = Number(tight.outputs['latency-p95-ms']);
    assert.ok(p95 >= 10, `p95 ${p95} ms`);
    assert.match(tight.failure ?? '', /^Check failed: p95 \d+\.\d{3} ms, above max-p95-ms 5$/);
    const loose = await run('50');
    assert.equal(loose.code, 0, loose.stdout);
    assert.match(loose.summary, /^\| `max-p95-ms` \| ≤ 50 ms \| [\d.]+ ms \| ✅ passed \|$/m);
  });

  it('gates req/s with min-rps, and names every failed gate at once', async () => {
    const slow = await thinking();
    const inputs = { port: String(slow.port), duration: '0.5', connections: '2' };
    const enough = await runInProcess({ ...inputs, 'min-rps': '20' });
    assert.equal(enough.code, 0, enough.stdout);
    const rps = Number(enough.outputs.rps);
    assert.ok(rps > 20 && rps < 200, `${rps} req/s`);

    const several = await runInProcess({
      ...inputs,
      'min-rps': '1000',
      'max-p50-ms': '1',
      'max-p99-ms': '1000',
      'min-requests': '1',
    });
    assert.equal(several.code, 1);
    assert.equal(several.outputs['failed-gates'], 'min-rps,max-p50-ms');
    assert.match(
      several.failure ?? '',
      /^Check failed: [\d.]+ req\/s, below min-rps 1000; p50 \d+\.\d{3} ms, above max-p50-ms 1$/,
    );
    const gates = doneOf(several).check.decision.gates;
    assert.deepEqual(
      gates.map((g) => [g.name, g.passed]),
      [
        ['min-requests', true],
        ['min-rps', false],
        ['max-error-rate', true],
        ['max-p50-ms', false],
        ['max-p99-ms', true],
      ],
    );
  });
});

describe('the open model', () => {
  it('sends 500/s for 2 s: 1,000 requests within 2%, none dropped', async () => {
    const target = await kept(startServer());
    const run = await runInProcess({ port: String(target.port), duration: '2', rate: '500' });
    assert.equal(run.code, 0, run.stdout);
    const requests = Number(run.outputs.requests);
    assert.ok(Math.abs(requests - 1000) <= 20, `${requests} requests`);
    // A pause of the machine near the deadline may leave a send or two unsent.
    assert.ok(Number(run.outputs.dropped) <= 10, `dropped ${run.outputs.dropped}`);
    assert.match(run.stdout, /^rate: 500 req\/s asked, [\d.]+ sent per second, \d+ dropped/m);
    assert.deepEqual(run.warnings, []);
    assert.match(
      run.summary,
      /^\| Rate \(open model\) \| 500 req\/s asked, [\d.]+ sent per second, (none dropped|\d+ dropped \(every slot busy\)) \|$/m,
    );
    const schedule = readJson(run.outputs.report).result.schedule;
    assert.equal(schedule.ratePerSec, 500);
    assert.equal(schedule.scheduled, 1000);
    assert.equal(schedule.dropped, Number(run.outputs.dropped));
  });

  it('drops what the target cannot take, and warns that the rate was not reached', async () => {
    // 1 ms of work per answer on 1 connection: under 1,000/s, asked for 5,000/s.
    const target = await kept(startCostlyServer(1000));
    const run = await runInProcess({
      port: String(target.port),
      duration: '0.5',
      rate: '5000',
    });
    assert.equal(run.code, 0, 'a gate on latency or req/s would catch it; drops alone do not fail');
    const dropped = Number(run.outputs.dropped);
    assert.ok(dropped > 1000, `dropped ${dropped}`);
    assert.equal(Number(run.outputs.requests) + dropped, 2500);
    // The server burns its CPU in this process, so the generator also reads as saturated.
    const rateWarnings = run.warnings.filter((w) => w.includes('(rate)'));
    assert.equal(rateWarnings.length, 1, run.warnings.join('\n'));
    assert.match(
      rateWarnings[0],
      /^Sent [\d.]+ requests per second of the 5000 asked \(rate\), \d+ dropped: every one of the 1 x 1 slots was busy\./,
    );
    assert.match(run.summary, /^\| Rate \(open model\) \| 5000 req\/s asked, /m);
  });
});

describe('the open model against a slow or hanging service', () => {
  it('fails a latency SLO the service misses, though the warm-up left a backlog', async () => {
    // 300 ms per answer, 10 slots: about 33/s against 200/s asked. Warm-up sends still unsent when
    // the window opens are skipped, so the window's own sends are measured (and are late).
    const slow = await kept(startServer((_req, res) => setTimeout(() => res.end('ok'), 300)));
    const run = await runInProcess({
      port: String(slow.port),
      rate: '200',
      connections: '10',
      duration: '1',
      warmup: '0.5',
      timeout: '5',
      'max-p95-ms': '50',
    });
    assert.equal(run.code, 1, run.stdout);
    assert.ok(Number(run.outputs.requests) > 0, 'the window sent and counted requests');
    assert.ok(Number(run.outputs['latency-p95-ms']) >= 300, run.outputs['latency-p95-ms']);
    assert.equal(run.outputs['failed-gates'], 'max-p95-ms');
    assert.ok(Number(run.outputs.dropped) > 0);
  });

  it('fails a service that hangs once ready: the window sends time out', async () => {
    let answered = 0;
    const hangs = await kept(
      startServer((_req, res) => {
        if (answered++ === 0) res.end('ok'); // the readiness probe
      }),
    );
    const run = await runInProcess({
      port: String(hangs.port),
      rate: '100',
      connections: '4',
      duration: '0.5',
      warmup: '0.2',
      timeout: '0.3',
    });
    assert.equal(run.code, 1, run.stdout);
    assert.equal(run.outputs.requests, '0');
    assert.equal(run.outputs['failed-gates'], 'max-error-rate');
    assert.ok(Number(run.outputs.timeouts) > 0, run.outputs.timeouts);
  });
});

describe('a comparison', () => {
  it("warns when the baseline fails, naming it, and still gates the head's own error rate", async () => {
    const head = await kept(startServer());
    // One baseline answer in 10 is a 503.
    const baseline = await kept(
      startServer((_req, res, index) => {
        res.statusCode = index % 10 === 9 ? 503 : 200;
        res.end('ok');
      }),
    );
    const run = await runInProcess({
      port: String(head.port),
      'baseline-port': String(baseline.port),
      duration: '1',
      rounds: '2',
      connections: '2',
    });
    // The baseline counts 10% fewer requests: the head reads faster, never a regression.
    assert.equal(run.code, 0, run.stdout);
    const warning = run.warnings.find((w) => w.startsWith("The baseline's error rate is"));
    assert.ok(warning, run.warnings.join('\n'));
    assert.match(warning, /^The baseline's error rate is (9|10)\.\d\d%, above max-error-rate 1%/);
    const gates = doneOf(run).check.decision.gates.map((g) => g.name);
    assert.deepEqual(gates, ['max-error-rate', 'max-regression']);
    assert.equal(doneOf(run).check.decision.gates[0].passed, true, "the head's own error rate");
  });
});

describe('the exit code', () => {
  it('is 3 when the target never became ready, with no gate judged', async () => {
    const run = await runInProcess({ port: String(await closedPort()), 'wait-timeout': '0.2' });
    assert.equal(run.code, 3);
    assert.equal(run.outputs.outcome, 'not-ready');
    assert.equal(run.outputs['failed-gates'], '');
  });
});
