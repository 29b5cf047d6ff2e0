/**
 * The open model of src/engine/load.ts (`rate`) against real servers on ephemeral loopback ports,
 * every load bounded by a short window: the count a rate asks for, latency timed from the due time
 * through a stall (coordinated omission corrected, against the closed loop's view of the same
 * stall), drops above capacity, failures and retries, warm-up, HTTP/2, and a pool shared by runs.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { LoadPool, runLoad, startLoad, type LoadOptions } from '../../src/engine/load.js';
import {
  startCostlyServer,
  startH2Server,
  startServer,
  startStallingServer,
  type TestServer,
} from '../helpers/servers.js';
import { testCertificate } from '../helpers/tls.js';
import { route } from './route.js';

const servers: { close(): Promise<void> }[] = [];
function kept<T extends { close(): Promise<void> }>(server: T): T {
  servers.push(server);
  return server;
}
after(() => Promise.all(servers.map((s) => s.close())));

function options(port: number, extra: Partial<LoadOptions> = {}): LoadOptions {
  return {
    origin: `http://127.0.0.1:${port}`,
    routes: [route()],
    connections: 2,
    durationMs: 1000,
    timeoutMs: 2000,
    ...extra,
  };
}

const ms = (us: number) => (us / 1000).toFixed(1);

describe('runLoad at a fixed rate', () => {
  it('sends what the rate asks for: 500/s for 2 s is 1,000 requests, none dropped', async () => {
    const target = kept(await startServer());
    const result = await runLoad(options(target.port, { rate: 500, durationMs: 2000 }));
    assert.ok(result.schedule !== null, 'a schedule is reported');
    assert.equal(result.schedule.scheduled, 1000);
    // A pause of the machine near the deadline may leave a send or two unsent.
    assert.ok(result.schedule.dropped <= 10, `dropped ${result.schedule.dropped}`);
    assert.equal(result.schedule.ratePerSec, 500);
    assert.ok(Math.abs(result.requests - 1000) <= 20, `${result.requests} requests`);
    assert.equal(result.requests, target.served(), 'nothing more was sent');
    assert.ok(
      Math.abs(result.schedule.achievedPerSec - 500) <= 10,
      `achieved ${result.schedule.achievedPerSec}/s`,
    );
    // Spread over the window, not sent in a burst: each second holds about half.
    assert.equal(result.perSecond.length, 2);
    for (const count of result.perSecond) assert.ok(Math.abs(count - 500) <= 25, `${count}`);
  });

  it('reports no schedule in the closed loop', async () => {
    const target = kept(await startServer());
    const result = await runLoad(options(target.port, { durationMs: 200 }));
    assert.equal(result.schedule, null);
    assert.ok(result.requests > 0);
  });

  it('times latency from the due time, so a stall shows in every send it held up', async (t) => {
    // A 500 ms stall of the whole server, 500 ms into a 2 s run at 1,000/s on 10 connections.
    const open = kept(await startStallingServer(500, 500));
    const openResult = await runLoad(
      options(open.port, { rate: 1000, durationMs: 2000, connections: 10 }),
    );
    const closed = kept(await startStallingServer(500, 500));
    const closedResult = await runLoad(options(closed.port, { durationMs: 2000, connections: 10 }));
    const row = (name: string, r: typeof openResult) =>
      `${name}: ${r.requests} requests, p50 ${ms(r.latency.p50Us)} ms, p90 ${ms(r.latency.p90Us)} ms, ` +
      `p99 ${ms(r.latency.p99Us)} ms, max ${ms(r.latency.maxUs)} ms`;
    t.diagnostic(row('rate 1000/s (open)', openResult));
    t.diagnostic(row('closed loop', closedResult));
    assert.ok(openResult.latency.maxUs >= 400_000, 'the stall was seen at all');
    assert.ok(closedResult.latency.maxUs >= 400_000, 'the closed loop saw the stall too');
    // About a quarter of the sends were due during the stall or its backlog.
    assert.ok(openResult.latency.p90Us >= 100_000, row('open', openResult));
    // The closed loop records the stall once per connection: 10 slow responses among thousands.
    assert.ok(
      closedResult.latency.p90Us * 10 < openResult.latency.p90Us,
      row('closed', closedResult),
    );
    assert.ok(openResult.requests >= 1900, 'the backlog was sent after the stall, not dropped');
  });

  it('drops what it cannot send, and counts only what was sent', async () => {
    const target = kept(await startCostlyServer(1000));
    const result = await runLoad(
      options(target.port, { rate: 5000, durationMs: 500, connections: 1 }),
    );
    assert.ok(result.schedule !== null);
    assert.equal(result.schedule.scheduled, 2500);
    assert.ok(result.schedule.dropped > 1000, `dropped ${result.schedule.dropped}`);
    assert.equal(result.requests, target.served());
    assert.equal(result.requests, result.schedule.scheduled - result.schedule.dropped);
    assert.ok(result.schedule.achievedPerSec < 2500, `${result.schedule.achievedPerSec}/s`);
  });

  it('counts failures at the rate, and the next send after one goes out on time', async () => {
    // Every third request: the connection is dropped without an answer.
    const target = kept(
      await startServer((_req, res, index) => {
        if (index % 3 === 2) res.socket?.destroy();
        else res.end('ok');
      }),
    );
    const result = await runLoad(options(target.port, { rate: 300, durationMs: 1000 }));
    assert.ok(result.schedule !== null);
    assert.equal(result.schedule.scheduled, 300);
    assert.ok(result.errors > 50, `${result.errors} errors`);
    assert.equal(
      result.requests + result.errors + result.timeouts,
      result.schedule.scheduled - result.schedule.dropped,
    );
    assert.ok(result.schedule.dropped <= 6, `dropped ${result.schedule.dropped}`);
  });

  it('keeps the warm-up out: the window holds the rate x its length', async () => {
    const target = kept(await startServer());
    const result = await runLoad(
      options(target.port, { rate: 400, warmupMs: 250, durationMs: 500 }),
    );
    assert.ok(result.schedule !== null);
    assert.equal(result.schedule.scheduled, 200);
    assert.equal(result.warmup.responses, 100);
    assert.equal(result.requests + result.warmup.responses, target.served());
    assert.ok(Math.abs(result.requests - 200) <= 4, `${result.requests}`);
  });

  it('holds the rate over HTTP/2 streams', async () => {
    const target = kept(await startH2Server(await testCertificate()));
    const result = await runLoad({
      ...options(target.port, { rate: 400, durationMs: 500, pipelining: 4 }),
      origin: `https://127.0.0.1:${target.port}`,
      tls: { insecure: true, ca: null },
      http2: true,
    });
    assert.equal(result.protocol, 'h2');
    assert.ok(result.schedule !== null);
    assert.equal(result.schedule.scheduled, 200);
    assert.ok(result.schedule.dropped <= 2, `dropped ${result.schedule.dropped}`);
    assert.equal(result.requests, 200 - result.schedule.dropped);
    assert.equal(result.requests, target.served());
  });

  it('runs one schedule after another on a shared pool, and a closed run after them', async () => {
    const target: TestServer = kept(await startServer());
    const pool = new LoadPool({
      origin: `http://127.0.0.1:${target.port}`,
      connections: 2,
      pipelining: 1,
      timeoutMs: 2000,
    });
    try {
      const first = startLoad({ ...options(target.port, { rate: 400, durationMs: 500 }), pool });
      await first.windowEnd;
      const second = startLoad({ ...options(target.port, { rate: 200, durationMs: 500 }), pool });
      await second.windowEnd;
      const third = await runLoad({ ...options(target.port, { durationMs: 200 }), pool });
      const [a, b] = [await first.result, await second.result];
      assert.equal(a.schedule?.scheduled, 200);
      assert.equal(b.schedule?.scheduled, 100);
      assert.ok((a.schedule?.dropped ?? 99) <= 2, `dropped ${a.schedule?.dropped}`);
      assert.ok((b.schedule?.dropped ?? 99) <= 2, `dropped ${b.schedule?.dropped}`);
      assert.ok(Math.abs(a.requests - 200) <= 4, `${a.requests}`);
      assert.ok(Math.abs(b.requests - 100) <= 2, `${b.requests}`);
      assert.equal(third.schedule, null);
      assert.equal(a.requests + b.requests + third.requests, target.served());
      assert.equal(target.connections(), 2, 'the same two connections throughout');
    } finally {
      await pool.close();
    }
  });

  it('refuses a rate that is not a positive number', () => {
    assert.throws(() => startLoad(options(1, { rate: 0 })), /rate must be a positive number/);
    assert.throws(() => startLoad(options(1, { rate: Number.NaN })), /rate/);
  });
});
