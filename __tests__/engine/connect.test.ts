/**
 * How the engine connects (src/engine/connect.ts through src/engine/load.ts), against real servers
 * on loopback with a certificate made at test time: certificate checks (refused, `insecure`, `ca`),
 * TLS sessions resumed on reconnect, HTTP/2 negotiated only when asked (streams in flight on one
 * connection), responses nobody asked for over TLS, `localhost` reaching a service on either
 * loopback family, and the connect timeout.
 */
import assert from 'node:assert/strict';
import net, { type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { Connector } from '../../src/engine/connect.js';
import { runLoad, UNSOLICITED, type LoadOptions } from '../../src/engine/load.js';
import {
  hasIpv6Loopback,
  OK_RESPONSE,
  startH2Server,
  startHttpsServer,
  startRawHttpServer,
  startServer,
  type TestServer,
} from '../helpers/servers.js';
import { testCertificate } from '../helpers/tls.js';
import { route } from './route.js';

const servers: TestServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));
function kept<T extends TestServer>(server: T): T {
  servers.push(server);
  return server;
}

function options(origin: string, extra: Partial<LoadOptions> = {}): LoadOptions {
  return { origin, routes: [route()], connections: 1, durationMs: 300, timeoutMs: 2000, ...extra };
}

describe('https', () => {
  it('refuses a self-signed certificate: errors by its code, no request', async () => {
    const target = kept(await startHttpsServer(await testCertificate()));
    const result = await runLoad(options(`https://127.0.0.1:${target.port}`));
    assert.equal(result.requests, 0);
    assert.equal(target.served(), 0);
    assert.ok(result.errors > 0);
    assert.deepEqual(Object.keys(result.errorsByKind), ['DEPTH_ZERO_SELF_SIGNED_CERT']);
    assert.equal(result.protocol, '', 'no connection was ever made');
  });

  it('accepts it with insecure, and counts exactly', async () => {
    const target = kept(await startHttpsServer(await testCertificate()));
    const result = await runLoad(
      options(`https://127.0.0.1:${target.port}`, { tls: { insecure: true, ca: null } }),
    );
    assert.ok(result.requests > 100, `only ${result.requests} requests`);
    assert.equal(result.requests, target.served());
    assert.equal(result.errors, 0, JSON.stringify(result.errorsByKind));
    assert.equal(result.protocol, 'http/1.1');
    assert.equal(target.handshakes(), 1, 'one keep-alive connection');
  });

  for (const host of ['127.0.0.1', 'localhost', '[::1]']) {
    it(`trusts the certificate given as ca, without insecure (${host})`, async (t) => {
      const v6 = host === '[::1]';
      if (v6 && !(await hasIpv6Loopback())) return t.skip('no IPv6 loopback');
      const credentials = await testCertificate();
      const target = kept(
        await startHttpsServer(credentials, undefined, { host: v6 ? '::1' : '127.0.0.1' }),
      );
      const result = await runLoad(
        options(`https://${host}:${target.port}`, {
          tls: { insecure: false, ca: credentials.cert },
        }),
      );
      assert.ok(result.requests > 100, JSON.stringify(result.errorsByKind));
      assert.equal(result.requests, target.served());
      assert.equal(result.errors, 0);
    });
  }

  it('resumes the TLS session when a server closes every connection', async () => {
    const target = kept(
      await startHttpsServer(await testCertificate(), (_req, res) => {
        res.setHeader('connection', 'close');
        res.end('ok');
      }),
    );
    const connections = 2;
    const result = await runLoad(
      options(`https://127.0.0.1:${target.port}`, {
        connections,
        durationMs: 500,
        tls: { insecure: true, ca: null },
      }),
    );
    const handshakes = target.handshakes();
    assert.ok(handshakes > 20, `only ${handshakes} handshakes`);
    assert.equal(result.requests, target.served());
    // Each connection's first handshake is a full one; nearly all after them are resumed.
    assert.ok(
      target.resumed() >= 0.9 * (handshakes - connections),
      `${target.resumed()} of ${handshakes} handshakes resumed`,
    );
  });

  it('catches a response nobody asked for over TLS too', async () => {
    const target = kept(
      await startRawHttpServer((socket) => socket.write(OK_RESPONSE + OK_RESPONSE), {
        tls: await testCertificate(),
      }),
    );
    const result = await runLoad(
      options(`https://127.0.0.1:${target.port}`, { tls: { insecure: true, ca: null } }),
    );
    assert.ok(result.requests > 0);
    assert.ok((result.errorsByKind[UNSOLICITED] ?? 0) > 0, JSON.stringify(result.errorsByKind));
    assert.ok(result.requests <= target.received());
  });
});

describe('http2', () => {
  const insecure = { insecure: true, ca: null };

  it('speaks h2 to a server that refuses HTTP/1.1, and counts every stream answered', async () => {
    const target = kept(await startH2Server(await testCertificate()));
    const result = await runLoad(
      options(`https://127.0.0.1:${target.port}`, { tls: insecure, http2: true }),
    );
    assert.ok(result.requests > 100, JSON.stringify(result.errorsByKind));
    assert.equal(result.requests, target.served());
    assert.equal(result.errors, 0);
    assert.equal(result.protocol, 'h2');
    assert.deepEqual(target.alpn(), { h2: 1 });
    assert.equal(result.routes[0].requests, result.requests);
  });

  it('keeps `pipelining` streams in flight on one connection', async () => {
    const target = kept(
      await startH2Server(await testCertificate(), (_req, res) => {
        setTimeout(() => res.end('late'), 20);
      }),
    );
    const result = await runLoad(
      options(`https://127.0.0.1:${target.port}`, { tls: insecure, http2: true, pipelining: 4 }),
    );
    assert.equal(target.connections(), 1);
    assert.ok(target.maxConcurrent() > 1, `at most ${target.maxConcurrent()} streams at once`);
    assert.ok(target.maxConcurrent() <= 4, `${target.maxConcurrent()} streams at once`);
    // One stream at a time would give at most 300 / 20 + 1 = 16 answers.
    assert.ok(result.requests > 30, `only ${result.requests} requests`);
    assert.equal(result.requests, target.served());
  });

  it('does not offer h2 unless asked: an h2-only server fails the handshake', async () => {
    const target = kept(await startH2Server(await testCertificate()));
    const result = await runLoad(options(`https://127.0.0.1:${target.port}`, { tls: insecure }));
    assert.equal(result.requests, 0);
    assert.equal(target.served(), 0);
    assert.deepEqual(Object.keys(result.errorsByKind), [
      'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL',
    ]);
  });

  it('speaks HTTP/1.1 when the server chooses it, asked for h2 or not', async () => {
    const target = kept(await startHttpsServer(await testCertificate()));
    for (const http2 of [false, true]) {
      const result = await runLoad(
        options(`https://127.0.0.1:${target.port}`, { tls: insecure, http2, durationMs: 100 }),
      );
      assert.equal(result.protocol, 'http/1.1');
      assert.ok(result.requests > 0);
    }
    assert.deepEqual(target.alpn(), { 'http/1.1': 2 });
  });

  it('is refused over plain http (no h2c)', () => {
    assert.throws(
      () => new Connector({ origin: 'http://127.0.0.1:1', http2: true, timeoutMs: 100 }),
      /http2 needs an https origin/,
    );
  });
});

describe('localhost', () => {
  for (const host of ['127.0.0.1', '::1'] as const) {
    it(`reaches a service listening on ${host} only`, async (t) => {
      if (host === '::1' && !(await hasIpv6Loopback())) return t.skip('no IPv6 loopback');
      const target = kept(await startServer(undefined, 0, { host }));
      let requests = 0;
      for (const name of ['localhost', 'LOCALHOST.']) {
        const result = await runLoad(
          options(`http://${name}:${target.port}`, { connections: 2, durationMs: 200 }),
        );
        assert.ok(result.requests > 50, JSON.stringify(result.errorsByKind));
        assert.equal(result.errors, 0, JSON.stringify(result.errorsByKind));
        requests += result.requests;
      }
      assert.equal(requests, target.served());
      assert.equal(target.connections(), 4, 'two keep-alive connections per run');
    });
  }

  it('reaches http://[::1] (an IPv6 address in brackets), counting what the server served', async (t) => {
    if (!(await hasIpv6Loopback())) return t.skip('no IPv6 loopback');
    const target = kept(await startServer(undefined, 0, { host: '::1' }));
    const result = await runLoad(options(`http://[::1]:${target.port}`, { durationMs: 200 }));
    assert.ok(result.requests > 50, JSON.stringify(result.errorsByKind));
    assert.equal(result.requests, target.served());
    assert.equal(result.protocol, 'http/1.1');
  });

  it('tries first the loopback address that connected last', async (t) => {
    if (!(await hasIpv6Loopback())) return t.skip('no IPv6 loopback');
    const target = kept(await startServer(undefined, 0, { host: '::1' }));
    const connector = new Connector({ origin: `http://localhost:${target.port}`, timeoutMs: 1000 });
    const attempted: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const socket = await new Promise<Socket>((resolve, reject) => {
        connector.connect(
          {
            hostname: 'localhost',
            host: `localhost:${target.port}`,
            protocol: 'http:',
            port: String(target.port),
          },
          (error, s) => (error ? reject(error) : resolve(s as Socket)),
        );
      });
      attempted.push([...socket.autoSelectFamilyAttemptedAddresses]);
      socket.destroy();
    }
    assert.deepEqual(attempted, [
      [`127.0.0.1:${target.port}`, `::1:${target.port}`],
      [`::1:${target.port}`],
    ]);
    assert.equal(connector.protocol, 'http/1.1');
  });
});

describe('the connect timeout', () => {
  it('gives up a connection the server never completes, as a connect timeout', async () => {
    // A listener whose thread is blocked accepts nothing; once its accept queue is full the kernel
    // drops further SYNs, so a connect neither succeeds nor fails, as with an unreachable host.
    const blocked = await startBlockedListener();
    const fillers: Socket[] = [];
    try {
      for (let i = 0; i < 8; i++) {
        fillers.push(net.connect({ host: '127.0.0.1', port: blocked.port }).on('error', () => {}));
      }
      const connector = new Connector({
        origin: `http://127.0.0.1:${blocked.port}`,
        timeoutMs: 300,
      });
      const started = performance.now();
      const error = await new Promise<Error | null>((resolve) =>
        connector.connect(
          {
            hostname: '127.0.0.1',
            host: `127.0.0.1:${blocked.port}`,
            protocol: 'http:',
            port: String(blocked.port),
          },
          (e, socket) => {
            socket?.destroy();
            resolve(e);
          },
        ),
      );
      const elapsedMs = performance.now() - started;
      assert.equal((error as { code?: string } | null)?.code, 'UND_ERR_CONNECT_TIMEOUT');
      assert.match(error?.message ?? '', /timeout: 300ms/);
      assert.ok(elapsedMs >= 290 && elapsedMs < 2000, `after ${Math.round(elapsedMs)} ms`);
    } finally {
      for (const socket of fillers) socket.destroy();
      await blocked.close();
    }
  });
});

/** A TCP listener (backlog 1) in a worker thread that blocks right after listening. */
async function startBlockedListener(): Promise<{ port: number; close: () => Promise<void> }> {
  const release = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const server = require('node:net').createServer();
     server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
       parentPort.postMessage(server.address().port);
       Atomics.wait(workerData.release, 0, 0, 10000);
       server.close();
     });`,
    { eval: true, workerData: { release } },
  );
  const port = await new Promise<number>((resolve) => worker.once('message', resolve));
  return {
    port,
    close: async () => {
      Atomics.store(release, 0, 1);
      Atomics.notify(release, 0);
      await worker.terminate();
    },
  };
}
