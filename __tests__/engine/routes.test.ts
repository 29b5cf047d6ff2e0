/**
 * Routes in src/engine/load.ts against real servers on loopback: bodies sent byte for byte with
 * their Content-Length (pipelined too), HEAD on keep-alive connections, several routes sent in turn
 * with their weights and counted per route (statuses, errors, timeouts, latency), a tally shared
 * across runs, and a single route whose entry is the totals.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { LoadPool, runLoad, type LoadOptions } from '../../src/engine/load.js';
import type { Route } from '../../src/model/settings.js';
import { createRouteTally } from '../../src/stats/routes.js';
import { startServer, type Handler, type HttpTestServer } from '../helpers/servers.js';
import { route } from './route.js';

const servers: HttpTestServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));
async function server(handler?: Handler): Promise<HttpTestServer> {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}

function options(port: number, routes: Route[], extra: Partial<LoadOptions> = {}): LoadOptions {
  return {
    origin: `http://127.0.0.1:${port}`,
    routes,
    connections: 1,
    durationMs: 300,
    timeoutMs: 2000,
    ...extra,
  };
}

const JSON_BODY = new TextEncoder().encode(JSON.stringify({ name: 'ünïcode', list: [1, 2, 3] }));

/** A server that reads every body and answers 200 only when it is `expected` byte for byte. */
async function bodyChecker(expected: Uint8Array, delayMs = 0) {
  let wrong = 0;
  const target = await server((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const ok =
        req.method === 'POST' &&
        req.headers['content-length'] === String(expected.byteLength) &&
        req.headers['content-type'] === 'application/json' &&
        body.equals(expected);
      if (!ok) wrong++;
      res.statusCode = ok ? 200 : 400;
      const answer = () => res.end('ok');
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  });
  return { target, wrong: () => wrong };
}

describe('bodies', () => {
  const post = route('/items', {
    method: 'POST',
    headers: [['Content-Type', 'application/json']],
    body: JSON_BODY,
  });

  for (const [connections, pipelining] of [
    [1, 1],
    [2, 4],
  ]) {
    it(`sends a JSON body byte for byte with its Content-Length: ${connections} x ${pipelining}`, async () => {
      const { target, wrong } = await bodyChecker(JSON_BODY);
      const result = await runLoad(options(target.port, [post], { connections, pipelining }));
      assert.ok(result.requests > 100, JSON.stringify(result.statusCounts));
      assert.equal(wrong(), 0);
      assert.equal(result.requests, target.served());
      assert.deepEqual(result.statusCounts, { 200: result.requests });
      assert.equal(target.connections(), connections, 'kept alive');
    });
  }

  it('pipelines a POST (undici holds a non-idempotent request back otherwise)', async () => {
    const { target, wrong } = await bodyChecker(JSON_BODY, 50);
    const result = await runLoad(options(target.port, [post], { pipelining: 8 }));
    assert.equal(wrong(), 0);
    assert.ok(target.maxConcurrent() >= 4, `at most ${target.maxConcurrent()} in flight`);
    // One in flight would give at most 300 / 50 + 1 = 7 responses.
    assert.ok(result.requests >= 20, `only ${result.requests} requests`);
    assert.equal(result.requests, target.served());
  });

  it('counts HEAD responses on one keep-alive connection', async () => {
    const target = await server((req, res) => {
      res.setHeader('content-length', '5');
      res.end(req.method === 'HEAD' ? undefined : 'hello');
    });
    const result = await runLoad(options(target.port, [route('/', { method: 'HEAD' })]));
    assert.ok(result.requests > 100, JSON.stringify(result.errorsByKind));
    assert.equal(result.requests, target.served());
    assert.equal(result.errors, 0);
    assert.equal(target.connections(), 1, 'undici would close after every HEAD');
    assert.equal(target.lastHeaders()['user-agent'], 'http-load-check');
  });
  it('still closes the connection after each request when the route asks for it', async () => {
    const target = await server();
    const result = await runLoad(
      options(target.port, [route('/', { headers: [['Connection', 'close']] })], {
        durationMs: 200,
      }),
    );
    assert.ok(result.requests > 10, JSON.stringify(result.errorsByKind));
    assert.equal(result.requests, target.served());
    assert.equal(target.connections(), target.served(), 'one connection per request');
  });
});

describe('several routes', () => {
  const a = route('/a');
  const b = route('/b', {
    method: 'POST',
    headers: [['Content-Type', 'application/json']],
    body: JSON_BODY,
  });
  const c = route('/c?x=1');

  for (const [connections, pipelining] of [
    [1, 1],
    [3, 2],
  ]) {
    it(`sends them in turn with their weights, counted per route: ${connections} x ${pipelining}`, async () => {
      const target = await server((req, res) => {
        res.statusCode = req.url === '/c?x=1' ? 404 : 200;
        req.resume();
        req.on('end', () => res.end('ok'));
      });
      const result = await runLoad(options(target.port, [a, b, a, c], { connections, pipelining }));
      const byPath = target.servedByPath();
      assert.deepEqual(
        result.routes.map((r) => r.name),
        ['GET /a', 'POST /b', 'GET /c?x=1'],
      );
      const [ra, rb, rc] = result.routes;
      assert.equal(ra.requests, byPath['/a']);
      assert.equal(rb.requests, byPath['/b']);
      assert.equal(rc.requests, 0, 'a 404 is not an expected status');
      assert.equal(rc.unexpectedStatus, byPath['/c?x=1']);
      assert.deepEqual(rc.statusCounts, { 404: byPath['/c?x=1'] });
      assert.equal(result.requests, ra.requests + rb.requests);
      assert.equal(result.unexpectedStatus, rc.unexpectedStatus);
      assert.equal(ra.latency.count, ra.requests);
      assert.equal(rc.latency.count, 0);
      // Each connection sends a, b, a, c, a, b, ...: a half, b and c a quarter each, give or take
      // one per connection.
      const total = target.served();
      assert.ok(total > 100, `only ${total} requests`);
      const near = (n: number, share: number) => Math.abs(n - total * share) <= connections;
      assert.ok(near(byPath['/a'], 1 / 2), JSON.stringify(byPath));
      assert.ok(near(byPath['/b'], 1 / 4), JSON.stringify(byPath));
      assert.ok(near(byPath['/c?x=1'], 1 / 4), JSON.stringify(byPath));
    });
  }

  it('counts errors and timeouts against the route that failed', async () => {
    const target = await server((req, res) => {
      if (req.url === '/reset') req.socket.destroy();
      else if (req.url === '/ok') res.end('ok');
      // '/hang' never answers
    });
    const result = await runLoad(
      options(target.port, [route('/ok'), route('/reset'), route('/ok'), route('/hang')], {
        durationMs: 500,
        timeoutMs: 150,
      }),
    );
    const [ok, reset, hang] = result.routes;
    assert.equal(ok.requests, result.requests);
    assert.ok(ok.requests > 0);
    assert.equal(ok.errors + ok.timeouts, 0);
    assert.ok(reset.errors > 0, JSON.stringify(result.errorsByKind));
    assert.equal(reset.errors, result.errors);
    assert.ok(hang.timeouts > 0);
    assert.equal(hang.timeouts, result.timeouts);
    assert.equal(reset.requests + hang.requests, 0);
  });

  it('shares a tally across runs: its routes cover every run that recorded into it', async () => {
    const target = await server();
    const pool = new LoadPool({
      origin: `http://127.0.0.1:${target.port}`,
      connections: 2,
      pipelining: 1,
      timeoutMs: 2000,
    });
    const routeTally = createRouteTally();
    try {
      const first = await runLoad(
        options(target.port, [a, c], { durationMs: 100, pool, routeTally }),
      );
      const second = await runLoad(
        options(target.port, [a, c], { durationMs: 100, pool, routeTally }),
      );
      const byPath = target.servedByPath();
      const routes = routeTally.results();
      assert.deepEqual(second.routes, routes);
      assert.equal(routes[0].requests, byPath['/a']);
      assert.equal(routes[1].requests, byPath['/c?x=1']);
      assert.equal(routes[0].requests + routes[1].requests, first.requests + second.requests);
      assert.equal(routes[0].latency.count, routes[0].requests);
    } finally {
      await pool.close();
      routeTally.destroy();
    }
  });
});

describe('a single route', () => {
  it('is the totals: one entry, named, with the totals latency', async () => {
    const target = await server();
    const result = await runLoad(options(target.port, [route('/x'), route('/x')]));
    assert.equal(result.routes.length, 1);
    const [only] = result.routes;
    assert.equal(only.name, 'GET /x');
    assert.equal(only.requests, result.requests);
    assert.deepEqual(only.statusCounts, result.statusCounts);
    assert.deepEqual(only.latency, result.latency);
    assert.equal(only.requests, target.served());
  });

  it('needs at least one route', () => {
    assert.throws(() => runLoad(options(1, [])), /at least one route/);
  });
});
