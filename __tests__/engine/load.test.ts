/**
 * src/engine/load.ts against real servers on ephemeral loopback ports (helpers/servers.ts), every
 * load bounded by a short window and a timeout: exact counts at each shape of connections x
 * pipelining, latency, per-second and per-sample counts, the generator's own use, pooled
 * connections shared across runs, expected statuses, headers, warm-up, refused and hanging
 * targets, the abort, servers that break HTTP/1.1 (extra or garbage responses, silent closes), a
 * window that ends while its request is in flight, and a run whose set-up throws.
 */
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { after, describe, it } from 'node:test';
import {
  LoadPool,
  runLoad,
  startLoad,
  UNSOLICITED,
  type LoadOptions,
} from '../../src/engine/load.js';
import { createLatencyRecorder } from '../../src/stats/latency.js';
import {
  closedPort,
  OK_RESPONSE,
  startRawHttpServer,
  startServer,
  type RawHttpServer,
  type TestServer,
} from '../helpers/servers.js';
import { route } from './route.js';

const servers: TestServer[] = [];

async function raw(...args: Parameters<typeof startRawHttpServer>): Promise<RawHttpServer> {
  const s = await startRawHttpServer(...args);
  servers.push(s);
  return s;
}
after(() => Promise.all(servers.map((s) => s.close())));

async function server(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const s = await startServer(...args);
  servers.push(s);
  return s;
}

function openPool(port: number, connections: number, pipelining: number): LoadPool {
  return new LoadPool({
    origin: `http://127.0.0.1:${port}`,
    connections,
    pipelining,
    timeoutMs: 2000,
  });
}

function options(port: number, extra: Partial<LoadOptions> = {}): LoadOptions {
  return {
    origin: `http://127.0.0.1:${port}`,
    routes: [route()],
    connections: 1,
    durationMs: 500,
    timeoutMs: 2000,
    ...extra,
  };
}

describe('runLoad', () => {
  for (const [connections, pipelining] of [
    [1, 1],
    [4, 1],
    [1, 10],
    [4, 10],
  ]) {
    it(`counts exactly what the server served: ${connections} connection(s) x ${pipelining}`, async () => {
      const target = await server();
      const result = await runLoad(options(target.port, { connections, pipelining }));
      assert.ok(result.requests > 100, `only ${result.requests} requests`);
      assert.equal(result.requests, target.served());
      assert.equal(target.connections(), connections, 'one keep-alive connection each');
      assert.equal(result.latency.count, result.requests, 'every response has a latency');
      assert.equal(
        result.perSecond.reduce((a, b) => a + b, 0),
        result.requests,
        'per-second counts add up',
      );
      assert.deepEqual(result.statusCounts, { 200: result.requests });
      assert.equal(result.errors, 0);
      assert.equal(result.timeouts, 0);
      assert.ok(result.windowMs >= 500 && result.windowMs < 1000, `window ${result.windowMs} ms`);
    });
  }

  it('really pipelines: several requests in flight on one connection', async () => {
    let inHandler = 0;
    let maxInHandler = 0;
    const target = await server((_req, res) => {
      maxInHandler = Math.max(maxInHandler, ++inHandler);
      setTimeout(() => {
        inHandler--;
        res.end('late');
      }, 50);
    });
    const result = await runLoad(options(target.port, { pipelining: 8 }));
    assert.equal(target.connections(), 1);
    assert.ok(maxInHandler >= 4, `at most ${maxInHandler} requests were in flight at once`);
    // One in flight would give at most 500 / 50 + 1 = 11 responses.
    assert.ok(result.requests >= 40, `only ${result.requests} requests`);
    assert.equal(result.requests, target.served());
  });

  it('measures latency percentiles from dispatch to the end of the body', async () => {
    const target = await server((_req, res) => setTimeout(() => res.end('x'), 20));
    const result = await runLoad(options(target.port, { durationMs: 400 }));
    const { latency } = result;
    assert.ok(result.requests >= 5 && result.requests <= 20, `${result.requests} requests`);
    assert.equal(latency.count, result.requests);
    assert.ok(latency.p50Us >= 19_000 && latency.p50Us < 60_000, `p50 ${latency.p50Us} us`);
    assert.ok(latency.p50Us <= latency.p90Us && latency.p90Us <= latency.p99Us);
    assert.ok(latency.p99Us <= latency.maxUs);
  });

  it('keeps per-second counts across the window', async () => {
    const target = await server();
    const result = await runLoad(options(target.port, { durationMs: 2000 }));
    assert.equal(result.perSecond.length, 2);
    assert.ok(
      result.perSecond.every((n) => n > 100),
      JSON.stringify(result.perSecond),
    );
    assert.equal(result.perSecond[0] + result.perSecond[1], result.requests);
  });

  it('counts samples of sampleMs in whole windows, leaving late answers out', async () => {
    // Every answer 30 ms late: the last request sent before the deadline is answered after it.
    const target = await server((_req, res) => setTimeout(() => res.end('ok'), 30));
    const result = await runLoad(options(target.port, { durationMs: 1000, sampleMs: 250 }));
    assert.equal(result.sampleCounts.length, 4);
    assert.ok(
      result.sampleCounts.every((n) => n >= 5 && n <= 9),
      JSON.stringify(result.sampleCounts),
    );
    const sampled = result.sampleCounts.reduce((a, b) => a + b, 0);
    assert.equal(sampled, result.requests - 1, 'the answer after the deadline is in no sample');
    assert.deepEqual((await runLoad(options(target.port, { durationMs: 100 }))).sampleCounts, []);
  });

  it('reports how busy the generator was: low against a slow service, busy-poll included', async () => {
    const target = await server((_req, res) => setTimeout(() => res.end('ok'), 20));
    for (const busyPoll of [false, true]) {
      const { generator } = await runLoad(options(target.port, { busyPoll }));
      assert.equal(generator.busyPoll, busyPoll);
      assert.ok(
        generator.utilization >= 0 && generator.utilization < 0.3,
        JSON.stringify(generator),
      );
      if (busyPoll) assert.ok(generator.cpuPct > 50, `spinning burns a core: ${generator.cpuPct}`);
      else assert.ok(generator.cpuPct < 30, JSON.stringify(generator));
      assert.equal(generator.cores, availableParallelism());
      // About 25 requests in 0.5 s: each one's share of the CPU time is the spin's or the work's.
      const cpuUs = (generator.cpuPct / 100) * 500 * 1000;
      assert.ok(generator.cpuUsPerRequest > 0, JSON.stringify(generator));
      assert.ok(
        generator.cpuUsPerRequest > cpuUs / 40 && generator.cpuUsPerRequest < cpuUs / 10,
        `${generator.cpuUsPerRequest} µs per request of ${cpuUs} µs`,
      );
    }
  });

  it('restores Error.stackTraceLimit after the run (stacks are off only during the load)', async () => {
    const target = await server();
    const before = Error.stackTraceLimit;
    let during = -1;
    setTimeout(() => (during = Error.stackTraceLimit), 100);
    await runLoad(options(target.port, { durationMs: 200 }));
    assert.equal(during, 0);
    assert.equal(Error.stackTraceLimit, before);
  });

  it('counts exactly with busy-poll on, and stops spinning at the end', async () => {
    const target = await server();
    const result = await runLoad(options(target.port, { busyPoll: true }));
    assert.ok(result.requests > 100);
    assert.equal(result.requests, target.served());
  });

  it('reuses a pool of warm connections across runs, and a shared latency recorder', async () => {
    const target = await server();
    const pool = openPool(target.port, 2, 1);
    const latency = createLatencyRecorder();
    try {
      const first = await runLoad(options(target.port, { durationMs: 200, pool, latency }));
      const second = await runLoad(options(target.port, { durationMs: 200, pool, latency }));
      assert.equal(target.connections(), 2, 'the second run opened no connection');
      assert.equal(first.requests + second.requests, target.served());
      assert.equal(second.latency.count, first.requests + second.requests);
    } finally {
      await pool.close();
      latency.destroy();
    }
  });

  it('counts a request answered after the deadline', async () => {
    // Each response takes 300 ms: requests sent at 0 and 300 ms; the second ends after the 500 ms deadline.
    const target = await server((_req, res) => setTimeout(() => res.end('slow'), 300));
    const result = await runLoad(options(target.port));
    assert.equal(result.requests, 2);
    assert.equal(target.served(), 2);
    assert.ok(result.windowMs >= 600, `window ${result.windowMs} ms`);
    assert.deepEqual(result.perSecond, [2], 'the late answer goes into the last bucket');
  });

  it('ends the window with what it counted by the deadline, before the late answer', async () => {
    // As above: the answer to the request sent at 300 ms comes at 600 ms, after the window.
    const target = await server((_req, res) => setTimeout(() => res.end('slow'), 300));
    const started = startLoad(options(target.port));
    assert.equal(await started.windowEnd, 1, 'only the first answer came by the deadline');
    assert.equal((await started.result).requests, 2);
  });

  it('counts expected statuses as requests and the others apart', async () => {
    const target = await server((_req, res, i) => {
      res.statusCode = i % 2 ? 500 : 200;
      res.end();
    });
    const result = await runLoad(options(target.port, { durationMs: 300 }));
    const served = target.servedByStatus();
    assert.equal(result.requests, served[200]);
    assert.equal(result.unexpectedStatus, served[500]);
    assert.deepEqual(result.statusCounts, served);
    assert.equal(result.latency.count, result.requests, 'latency of counted responses only');
  });

  it('takes expected-status ranges from the options', async () => {
    const target = await server((_req, res, i) => {
      res.statusCode = [200, 204, 302, 404][i % 4];
      res.end();
    });
    const result = await runLoad(
      options(target.port, {
        durationMs: 300,
        expectedStatus: [
          [204, 204],
          [300, 399],
        ],
      }),
    );
    const served = target.servedByStatus();
    assert.equal(result.requests, served[204] + served[302]);
    assert.equal(result.unexpectedStatus, served[200] + served[404]);
  });

  it('sends the extra headers and lets them replace the user-agent', async () => {
    const target = await server();
    await runLoad(
      options(target.port, {
        durationMs: 100,
        routes: [
          route('/', {
            headers: [
              ['Authorization', 'Bearer x'],
              ['User-Agent', 'mine'],
            ],
          }),
        ],
      }),
    );
    assert.equal(target.lastHeaders().authorization, 'Bearer x');
    assert.equal(target.lastHeaders()['user-agent'], 'mine');
    await runLoad(options(target.port, { durationMs: 50 }));
    assert.equal(target.lastHeaders()['user-agent'], 'http-load-check');
  });

  it('does not count the warm-up, and counts the window exactly', async () => {
    const target = await server();
    const result = await runLoad(options(target.port, { warmupMs: 300, durationMs: 300 }));
    assert.ok(result.warmup.responses > 50, `warm-up ${result.warmup.responses}`);
    assert.ok(result.requests > 50);
    assert.equal(result.warmup.responses + result.requests, target.served());
    assert.ok(result.windowMs >= 300 && result.windowMs < 500, `window ${result.windowMs}`);
  });

  it('counts refused connections as errors, not requests, and ends on time', async () => {
    const port = await closedPort();
    const started = performance.now();
    const result = await runLoad(options(port, { durationMs: 300 }));
    assert.ok(performance.now() - started < 1000);
    assert.equal(result.requests, 0);
    assert.ok(result.errors > 0);
    assert.ok((result.errorsByKind.ECONNREFUSED ?? 0) > 0, JSON.stringify(result.errorsByKind));
  });

  it('counts a hanging request as a timeout and stops within duration + timeout', async () => {
    const target = await server(() => {}); // never answers
    const started = performance.now();
    const result = await runLoad(options(target.port, { durationMs: 200, timeoutMs: 300 }));
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 200 + 300 + 500, `took ${elapsed} ms`);
    assert.equal(result.requests, 0);
    assert.equal(result.timeouts, 1, 'the one request in flight timed out');
    assert.equal(result.errors, 0);
    assert.equal(result.cancelled, 0);
  });

  it('stops at once when aborted and returns what it counted', async () => {
    const target = await server();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = performance.now();
    const result = await runLoad(
      options(target.port, { durationMs: 10_000, signal: controller.signal }),
    );
    assert.ok(performance.now() - started < 1000);
    assert.equal(result.aborted, true);
    assert.ok(result.requests > 0);
    // A request cut off by the abort may or may not have reached the server.
    assert.ok(result.cancelled <= 1);
    assert.ok(result.requests <= target.served());
    assert.ok(target.served() <= result.requests + result.cancelled);
  });
});

describe('a target that breaks the protocol', () => {
  // A response nobody asked for must never stand in for the next request's answer: before the
  // fix, each request took the previous one's extra response, 1.5-5x the real rate, 0 errors.
  const extras: [string, (socket: import('node:net').Socket) => void][] = [
    ['in the same write', (socket) => socket.write(OK_RESPONSE + OK_RESPONSE)],
    [
      'in two writes',
      (socket) => {
        socket.write(OK_RESPONSE);
        socket.write(OK_RESPONSE);
      },
    ],
  ];
  for (const [how, answer] of extras) {
    for (const [connections, pipelining] of [
      [1, 1],
      [4, 1],
      [2, 4],
    ]) {
      it(`answers every request twice (${how}), ${connections} x ${pipelining}: errors, never answers`, async () => {
        const target = await raw((socket) => answer(socket));
        const result = await runLoad(options(target.port, { connections, pipelining }));
        const unsolicited = result.errorsByKind[UNSOLICITED] ?? 0;
        assert.ok(result.requests > 0);
        assert.ok(unsolicited > 0, JSON.stringify(result.errorsByKind));
        assert.ok(
          result.requests <= target.received(),
          `counted ${result.requests} answers to ${target.received()} requests`,
        );
        if (pipelining === 1) {
          // Every request the server received was either answered and counted, or met an extra
          // response and counted as that error. Beyond those, at most one extra per connection
          // is caught on its own: the answer to the last request, after the deadline.
          const received = target.received();
          assert.ok(result.requests + unsolicited >= received, `${unsolicited} of ${received}`);
          assert.ok(result.requests + unsolicited <= received + connections);
          assert.equal(result.errors, unsolicited, JSON.stringify(result.errorsByKind));
        }
      });
    }
  }

  it('sends bytes that are not HTTP after an answer: a parse error, never a count', async () => {
    const target = await raw((socket) => socket.write(`${OK_RESPONSE}garbage\r\n`));
    const result = await runLoad(options(target.port, { durationMs: 300 }));
    assert.ok(result.errors > 0, JSON.stringify(result.errorsByKind));
    // The garbage after each answer is taken as the next request's answer, and fails to parse.
    assert.ok(result.requests + result.errors >= target.received());
    assert.ok(result.requests <= target.received());
  });

  it('sends bytes that are not HTTP while no request waits: an unsolicited-response error', async () => {
    // Garbage on an idle connection after the run, as between the slices of a comparison.
    const sockets: import('node:net').Socket[] = [];
    const target = await raw((socket) => {
      if (!sockets.includes(socket)) sockets.push(socket);
      socket.write(OK_RESPONSE);
    });
    const pool = openPool(target.port, 1, 1);
    try {
      const result = await runLoad(options(target.port, { durationMs: 20, pool }));
      assert.ok(result.requests >= 1);
      assert.equal(result.errors, 0);
      assert.equal(sockets.length, 1);
      sockets[0].write('garbage\r\n');
      await new Promise((resolve) => setTimeout(resolve, 200));
      // No run was going: the next run on the pool counts it.
      const next = await runLoad(options(target.port, { durationMs: 1, pool }));
      assert.deepEqual(next.errorsByKind, { [UNSOLICITED]: 1 });
    } finally {
      await pool.close();
    }
  });

  it('a well-behaved server gets no unsolicited-response error', async () => {
    const target = await raw((socket) => socket.write(OK_RESPONSE));
    const result = await runLoad(options(target.port, { connections: 2, pipelining: 4 }));
    assert.equal(result.errors, 0, JSON.stringify(result.errorsByKind));
    assert.equal(result.requests, target.received());
  });

  it('closes every keep-alive connection silently after its answer: reconnects at once', async () => {
    // Each close shows as one failed request. With a pause after every failure (10 ms), the
    // count fell to under 100 per second; reconnecting at once keeps it in the thousands.
    const target = await raw((socket) => socket.end(OK_RESPONSE));
    const result = await runLoad(options(target.port, { durationMs: 1000 }));
    assert.ok(result.requests >= 200, `${result.requests} requests in 1 s`);
    assert.ok(result.errors <= result.requests + 1, JSON.stringify(result.errorsByKind));
    assert.equal(result.requests, target.received() - result.errors);
  });

  it('still pauses between attempts at a target that refuses every connection', async () => {
    const port = await closedPort();
    const result = await runLoad(options(port, { durationMs: 500 }));
    // At most one attempt per 10 ms pause, plus the first retry at once.
    assert.ok(result.errors > 2 && result.errors <= 500 / 10 + 2, `${result.errors} attempts`);
  });
});

describe('runs sharing a pool', () => {
  it('ends a window on time while its request is still in flight; the answer counts for it', async () => {
    const target = await server((_req, res) => setTimeout(() => res.end('slow'), 300));
    const pool = openPool(target.port, 1, 1);
    try {
      const started = performance.now();
      const first = startLoad(options(target.port, { durationMs: 50, pool, cutOff: false }));
      await first.windowEnd;
      const windowEndedMs = performance.now() - started;
      const second = startLoad(options(target.port, { durationMs: 500, pool, cutOff: false }));
      const firstResult = await first.result;
      const firstSettledMs = performance.now() - started;
      const secondResult = await second.result;
      assert.ok(windowEndedMs < 250, `the window ended after ${windowEndedMs} ms`);
      assert.ok(firstSettledMs >= 290, `the first run settled after ${firstSettledMs} ms`);
      assert.equal(firstResult.requests, 1, 'the late answer counts for the run that sent it');
      // The slot was busy until 300 ms, then sent for the second run until its deadline.
      assert.ok(secondResult.requests >= 1 && secondResult.requests <= 2);
      assert.equal(firstResult.requests + secondResult.requests, target.served());
    } finally {
      await pool.close();
    }
  });
});

describe('an abort after the deadline', () => {
  it('keeps the whole window of a run whose last answers were still out', async () => {
    const target = await server((_req, res) => setTimeout(() => res.end('slow'), 300));
    const pool = openPool(target.port, 1, 1);
    const controller = new AbortController();
    try {
      const run = startLoad(
        options(target.port, { durationMs: 50, pool, cutOff: false, signal: controller.signal }),
      );
      await run.windowEnd;
      setTimeout(() => controller.abort(), 150);
      const result = await run.result;
      assert.equal(result.aborted, true);
      assert.equal(result.cancelled, 1, 'the answer still out is cut off');
      // Before: the time up to the abort, 200 ms.
      assert.equal(result.windowMs, 50);
    } finally {
      await pool.close();
    }
  });
});

describe('a run that cannot start', () => {
  it('leaves nothing behind when its set-up throws: stack traces back on, no timer left', async () => {
    const target = await server();
    const limit = Error.stackTraceLimit;
    let calls = 0;
    // The second reading of the clock is the busy-poll's first turn, inside the set-up.
    const now = () => {
      if (++calls === 2) throw new Error('clock fault');
      return performance.now();
    };
    assert.throws(() => runLoad(options(target.port, { busyPoll: true, now })), /clock fault/);
    assert.equal(Error.stackTraceLimit, limit);
    // Nothing was sent, and no timer of the run fires later.
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(target.served(), 0);
    assert.equal(calls, 2);
  });

  it('a cancelled pool takes no other run', async () => {
    const target = await server();
    const pool = openPool(target.port, 1, 1);
    try {
      await runLoad(options(target.port, { durationMs: 50, pool }));
      pool.cancel();
      assert.throws(() => runLoad(options(target.port, { pool })), /cancelled LoadPool/);
    } finally {
      await pool.close();
    }
  });
});
