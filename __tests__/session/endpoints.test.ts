/**
 * Real endpoints through the whole session, in process: HTTPS with a self-signed certificate made
 * at test time (refused at once with its cause and the way out, passed with `insecure` or
 * `ca-file`), HTTP/2, a POST whose every body the server checks byte for byte, HEAD, a targets file
 * of three routes whose per-route counts equal the server's, `localhost` reaching a service on
 * either loopback family, and a comparison of two https services over several routes. In every
 * mode `requests` equals what the server served (wait-timeout 0: no probe to subtract), and the
 * standard line is byte-exact. Bad endpoint inputs are refused before any connection.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  hasIpv6Loopback,
  startH2Server,
  startHttpsServer,
  startServer,
  type HttpTestServer,
} from '../helpers/servers.js';
import { doneOf, readJson, runInProcess } from '../helpers/session.js';
import { testCertificate } from '../helpers/tls.js';

const folder = mkdtempSync(join(tmpdir(), 'hlc-session-endpoints-'));
// busy-poll set: the trial of `auto` sends requests the server counts and the load does not
// (tested in busy-poll.test.ts), and these tests count exactly.
const brief = { 'min-requests': '1', duration: '300ms', 'wait-timeout': '0', 'busy-poll': 'true' };

/** The standard line, exactly, for `requests`. */
function standardLine(requests: number): string {
  return `http test running...\rhttp test running... ok, ${requests} requests made\n`;
}

async function using<T extends HttpTestServer>(server: T, body: (s: T) => Promise<void>) {
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

describe('HTTPS', () => {
  it('refuses a self-signed certificate at once, naming the cause and insecure', async () => {
    const credentials = await testCertificate();
    await using(await startHttpsServer(credentials), async (server) => {
      const run = await runInProcess({
        url: `https://127.0.0.1:${server.port}/`,
        'min-requests': '0',
      });
      assert.equal(run.code, 3);
      assert.equal(run.outputs.outcome, 'not-ready');
      assert.match(run.failure ?? '', /certificate is not trusted: .*DEPTH_ZERO_SELF_SIGNED_CERT/);
      assert.match(run.failure ?? '', /set insecure: true, or give its CA in ca-file/);
      assert.ok(run.elapsedMs < 5000, `ended after ${run.elapsedMs} ms, not the 30 s wait`);
      assert.equal(server.served(), 0);
    });
  });

  it('passes with insecure, or with the CA in ca-file, counting what the server served', async () => {
    const credentials = await testCertificate();
    const ca = join(folder, 'ca.pem');
    writeFileSync(ca, credentials.cert);
    for (const trust of [{ insecure: 'true' }, { 'ca-file': ca }] as Record<string, string>[]) {
      await using(await startHttpsServer(credentials), async (server) => {
        const run = await runInProcess({
          ...brief,
          url: `https://localhost:${server.port}/x`,
          ...trust,
        });
        const end = doneOf(run);
        assert.equal(run.code, 0, run.failure ?? '');
        assert.equal(end.check.result.requests, server.served());
        assert.ok(end.check.result.requests > 0);
        assert.equal(end.check.result.protocol, 'http/1.1');
        assert.ok(run.stdout.startsWith(standardLine(end.check.result.requests)));
        assert.match(run.summary, /http\/1\.1 over TLS, certificate (not checked|checked against)/);
      });
    }
  });
});

describe('HTTP/2', () => {
  it('negotiates h2: exact counts, streams as pipelining, and the report says h2', async () => {
    const credentials = await testCertificate();
    await using(await startH2Server(credentials), async (server) => {
      const run = await runInProcess({
        ...brief,
        url: `https://127.0.0.1:${server.port}/h2`,
        insecure: 'true',
        http2: 'true',
        pipelining: '4',
      });
      const end = doneOf(run);
      assert.equal(run.code, 0, run.failure ?? '');
      assert.equal(end.check.result.requests, server.served());
      assert.ok(server.maxConcurrent() > 1, 'streams in flight at once');
      assert.equal(server.connections(), 1);
      assert.equal(readJson(run.outputs.report).result.protocol, 'h2');
      assert.match(run.stdout, /^protocol: h2$/m);
    });
  });
});

describe('methods and bodies', () => {
  it('sends every POST body byte for byte, with Content-Length and Content-Type', async () => {
    const body = Buffer.from(JSON.stringify({ order: 'A-1', qty: 2, note: 'é' }));
    const file = join(folder, 'order.json');
    writeFileSync(file, body);
    let wrong = 0;
    const server = await startServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const ok =
          req.method === 'POST' &&
          Buffer.concat(chunks).equals(body) &&
          req.headers['content-length'] === String(body.length) &&
          req.headers['content-type'] === 'application/json';
        if (!ok) wrong++;
        res.statusCode = 201;
        res.end();
      });
    });
    await using(server, async () => {
      for (const pipelining of ['1', '4']) {
        const before = server.served();
        const run = await runInProcess({
          ...brief,
          url: `http://127.0.0.1:${server.port}/orders`,
          method: 'POST',
          'body-file': file,
          'content-type': 'application/json',
          'expected-status': '201',
          pipelining,
        });
        assert.equal(run.code, 0, run.failure ?? '');
        assert.equal(doneOf(run).check.result.requests, server.served() - before);
        assert.match(
          run.summary,
          new RegExp(`\\| Request \\| POST, body ${body.length} bytes \\|`),
        );
      }
      assert.equal(wrong, 0);
    });
  });

  it('counts HEAD responses, which have no body', async () => {
    await using(await startServer(), async (server) => {
      const run = await runInProcess({ ...brief, port: String(server.port), method: 'HEAD' });
      assert.equal(run.code, 0, run.failure ?? '');
      assert.equal(doneOf(run).check.result.requests, server.served());
      assert.ok(server.served() > 10);
    });
  });
});

describe('several routes', () => {
  it('counts each route as the server does, weighted by repetition, in the summary and report', async () => {
    const targets = join(folder, 'targets.txt');
    writeFileSync(
      targets,
      'GET /a\n\n# twice as often\nGET /b?x=1\n\nGET /b?x=1\n\nPOST /c\n@c.json\n',
    );
    writeFileSync(join(folder, 'c.json'), '{"c":1}');
    await using(await startServer(), async (server) => {
      const run = await runInProcess({
        ...brief,
        port: String(server.port),
        targets,
        connections: '2',
      });
      const end = doneOf(run);
      assert.equal(run.code, 0, run.failure ?? '');
      const byPath = server.servedByPath();
      const routes = Object.fromEntries(end.check.result.routes.map((r) => [r.name, r.requests]));
      assert.deepEqual(routes, {
        'GET /a': byPath['/a'],
        'GET /b?x=1': byPath['/b?x=1'],
        'POST /c': byPath['/c'],
      });
      assert.equal(end.check.result.requests, server.served());
      // Each connection walks a, b, b, c in turn and stops anywhere in it: within 2 per connection.
      assert.ok(Math.abs(byPath['/b?x=1'] - 2 * byPath['/a']) <= 4, JSON.stringify(byPath));
      assert.equal(run.outputs.requests, String(server.served()));
      assert.match(run.summary, /\| `GET \/b\?x=1` \| 2 \| \d+ \|/);
      const report = readJson(run.outputs.report);
      assert.deepEqual(
        report.settings.routes.map((r: { weight: number }) => r.weight),
        [1, 2, 1],
      );
      assert.equal(report.result.routes.length, 3);
    });
  });
});

describe('localhost', () => {
  for (const family of ['127.0.0.1', '::1'] as const) {
    it(`reaches a service on ${family} only with host: localhost`, async (t) => {
      if (family === '::1' && !(await hasIpv6Loopback())) return t.skip('no IPv6 loopback');
      await using(await startServer(undefined, 0, { host: family }), async (server) => {
        const run = await runInProcess({
          'min-requests': '1',
          duration: '300ms',
          port: String(server.port),
          host: 'localhost',
        });
        assert.equal(run.code, 0, run.failure ?? '');
        assert.ok(doneOf(run).check.result.requests > 0);
        assert.deepEqual(doneOf(run).check.result.errorsByKind, {});
      });
    });
  }
});

describe('a comparison of two https services over several routes', () => {
  it('compares, with the routes on both sides and the standard line byte-exact', async () => {
    const credentials = await testCertificate();
    const head = await startHttpsServer(credentials);
    const base = await startHttpsServer(credentials);
    try {
      const run = await runInProcess({
        'min-requests': '0',
        duration: '1',
        rounds: '4',
        'wait-timeout': '0',
        insecure: 'true',
        url: `https://127.0.0.1:${head.port}/`,
        'baseline-url': `https://127.0.0.1:${base.port}/`,
        targets: 'GET /one\n\nGET /two',
      });
      const end = doneOf(run);
      assert.ok(end.check.kind === 'paired');
      assert.ok(run.stdout.startsWith(standardLine(end.check.result.requests)));
      assert.equal(end.check.result.routes.length, 2);
      assert.equal(end.check.baseline.routes.length, 2);
      assert.equal(end.check.result.protocol, 'http/1.1');
      assert.ok(base.servedByPath()['/two'] > 0 && head.servedByPath()['/one'] > 0);
      assert.ok(run.outputs['change-percent'] !== '');
    } finally {
      await Promise.all([head.close(), base.close()]);
    }
  });
});

describe('bad endpoint inputs', () => {
  it('are refused before any connection, naming the input', async () => {
    await using(await startServer(), async (server) => {
      const port = String(server.port);
      const cases: [Record<string, string>, RegExp][] = [
        [{ url: `ftp://127.0.0.1:${port}/` }, /^Invalid url 'ftp:/],
        [{ url: `http://127.0.0.1:${port}/`, port }, /set either url or port/],
        [{ port, targets: 'GET /a\nno colon' }, /^Invalid targets: line 2/],
        [{ port, 'body-file': join(folder, 'missing.json') }, /^Invalid body-file .*ENOENT/],
        [{ port, http2: 'true' }, /h2c\) is not supported/],
      ];
      for (const [inputs, message] of cases) {
        const run = await runInProcess({ 'min-requests': '0', ...inputs });
        assert.equal(run.code, 2, JSON.stringify(inputs));
        assert.match(run.failure ?? '', message);
        assert.equal(run.stdout.includes('http test running'), false);
      }
      assert.equal(server.connections(), 0);
    });
  });
});
