/**
 * src/engine/ready.ts against real servers on loopback: what a wait that fails reports (the real
 * last failure, every address tried, a certificate at once, the other loopback family), and that
 * the probes connect as the load does (TLS, h2, `localhost` on either family).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { waitUntilReady, type ReadyOptions } from '../../src/engine/ready.js';
import {
  closedPort,
  hasIpv6Loopback,
  startH2Server,
  startHttpsServer,
  startServer,
  startTcpServer,
  type TestServer,
} from '../helpers/servers.js';
import { testCertificate } from '../helpers/tls.js';

const servers: TestServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));
function kept<T extends TestServer>(server: T): T {
  servers.push(server);
  return server;
}

function options(origin: string, extra: Partial<ReadyOptions> = {}): ReadyOptions {
  return { origin, path: '/', waitMs: 300, probeTimeoutMs: 2000, ...extra };
}

describe('a target that never becomes ready', () => {
  it('reports the refusal, not a probe timeout, when the wait is shorter than a probe', async () => {
    const port = await closedPort();
    const result = await waitUntilReady(options(`http://127.0.0.1:${port}`));
    assert.equal(result.ready, false);
    assert.equal(result.lastError, `connect ECONNREFUSED 127.0.0.1:${port}`);
    assert.equal(result.lastErrorCode, 'ECONNREFUSED');
    assert.ok(result.attempts >= 2);
    assert.ok(result.waitedMs < 1000, `waited ${result.waitedMs} ms`);
  });

  it('keeps the refusal when the last probe is cut short by the end of the wait', async () => {
    // Refused at first; then the port is bound by something that never answers, as a service
    // that is still starting: the next probe hangs until the wait ends.
    const port = await closedPort();
    setTimeout(async () => kept(await startTcpServer(() => {}, { port })), 50);
    const result = await waitUntilReady(options(`http://127.0.0.1:${port}`, { intervalMs: 100 }));
    assert.equal(result.ready, false);
    assert.equal(result.attempts, 2);
    assert.equal(result.lastError, `connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it('keeps an earlier real failure over a probe the end of the wait cut short', async () => {
    // The first connection is closed at once, the others are left hanging.
    let connections = 0;
    const target = kept(
      await startTcpServer((socket) => {
        if (connections++ === 0) socket.destroy();
      }),
    );
    const result = await waitUntilReady(options(`http://127.0.0.1:${target.port}`));
    assert.equal(result.ready, false);
    assert.equal(result.attempts, 2);
    assert.equal(result.lastError, 'other side closed');
    assert.equal(result.lastErrorCode, 'UND_ERR_SOCKET');
  });

  it('says so when no probe got anything but silence', async () => {
    const target = kept(await startTcpServer(() => {}));
    const short = await waitUntilReady(options(`http://127.0.0.1:${target.port}`));
    assert.equal(short.lastError, 'no answer before the wait ended');
    const whole = await waitUntilReady(
      options(`http://127.0.0.1:${target.port}`, { probeTimeoutMs: 100, waitMs: 250 }),
    );
    assert.equal(whole.lastError, 'no answer within the probe timeout');
  });

  it('names every address tried for localhost', async () => {
    const port = await closedPort();
    const result = await waitUntilReady(options(`http://localhost:${port}`, { waitMs: 100 }));
    assert.equal(result.ready, false);
    assert.equal(
      result.lastError,
      `connect ECONNREFUSED 127.0.0.1:${port}; connect ECONNREFUSED ::1:${port}`,
    );
    assert.equal(result.lastErrorCode, 'ECONNREFUSED');
    assert.equal(result.hint, undefined);
  });

  it('points at ::1 when 127.0.0.1 refuses and ::1 listens, and the other way round', async (t) => {
    if (!(await hasIpv6Loopback())) return t.skip('no IPv6 loopback');
    const v6 = kept(await startServer(undefined, 0, { host: '::1' }));
    const toV4 = await waitUntilReady(options(`http://127.0.0.1:${v6.port}`, { waitMs: 100 }));
    assert.equal(toV4.ready, false);
    assert.equal(toV4.lastErrorCode, 'ECONNREFUSED');
    assert.equal(toV4.hint, `[::1]:${v6.port} accepts connections; use host ::1 or localhost`);
    const v4 = kept(await startServer());
    const toV6 = await waitUntilReady(options(`http://[::1]:${v4.port}`, { waitMs: 100 }));
    assert.equal(toV6.ready, false);
    assert.equal(
      toV6.hint,
      `127.0.0.1:${v4.port} accepts connections; use host 127.0.0.1 or localhost`,
    );
    // Nothing on either family: no hint.
    const port = await closedPort();
    const neither = await waitUntilReady(options(`http://127.0.0.1:${port}`, { waitMs: 100 }));
    assert.equal(neither.hint, undefined);
  });

  it('ends at once on a certificate it does not accept, with its code', async () => {
    const target = kept(await startHttpsServer(await testCertificate()));
    const result = await waitUntilReady(
      options(`https://127.0.0.1:${target.port}`, { waitMs: 5000 }),
    );
    assert.equal(result.ready, false);
    assert.equal(result.certificate, true);
    assert.equal(result.attempts, 1);
    assert.ok(result.waitedMs < 1000, `waited ${result.waitedMs} ms`);
    assert.equal(result.lastError, 'self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)');
    assert.equal(result.lastErrorCode, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  });
});

describe('probes connect as the load does', () => {
  it('trusts a certificate by insecure or by ca', async () => {
    const credentials = await testCertificate();
    const target = kept(await startHttpsServer(credentials));
    const origin = `https://localhost:${target.port}`;
    for (const tls of [
      { insecure: true, ca: null },
      { insecure: false, ca: credentials.cert },
    ]) {
      const result = await waitUntilReady(options(origin, { tls }));
      assert.deepEqual([result.ready, result.status], [true, 200], result.lastError);
    }
  });

  it('reaches an h2-only server with http2', async () => {
    const target = kept(await startH2Server(await testCertificate()));
    const origin = `https://127.0.0.1:${target.port}`;
    const tls = { insecure: true, ca: null };
    const result = await waitUntilReady(options(origin, { tls, http2: true }));
    assert.equal(result.ready, true, result.lastError);
    assert.deepEqual(target.alpn(), { h2: 1 });
  });

  for (const host of ['127.0.0.1', '::1'] as const) {
    it(`reaches localhost on ${host} only`, async (t) => {
      if (host === '::1' && !(await hasIpv6Loopback())) return t.skip('no IPv6 loopback');
      const target = kept(await startServer(undefined, 0, { host }));
      const result = await waitUntilReady(options(`http://localhost:${target.port}`));
      assert.equal(result.ready, true, result.lastError);
      assert.equal(result.attempts, 1);
    });
  }

  it('sends the path and headers it is given', async () => {
    const target = kept(await startServer());
    const result = await waitUntilReady(
      options(`http://127.0.0.1:${target.port}`, { path: '/health', headers: [['X-Probe', '1']] }),
    );
    assert.equal(result.ready, true);
    assert.deepEqual(target.servedByPath(), { '/health': 1 });
    assert.equal(target.lastHeaders()['x-probe'], '1');
  });
});
