/**
 * Real servers on ephemeral loopback ports, counting what they serve: HTTP/1.1 (plain or over
 * TLS), HTTP/2 over TLS, and raw TCP or TLS servers that break the protocol on purpose.
 */
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { Worker } from 'node:worker_threads';
import type { KeyAndCertificate } from './tls.js';

export interface TestServer {
  port: number;
  /** Responses the server finished sending. */
  served(): number;
  /** Finished responses by status code. */
  servedByStatus(): Record<number, number>;
  /** TCP connections the server accepted. */
  connections(): number;
  /** The headers of the last request received. */
  lastHeaders(): http.IncomingHttpHeaders;
  close(): Promise<void>;
}

/** A server that answers HTTP requests (`startServer`, `startHttpsServer`, `startH2Server`). */
export interface HttpTestServer extends TestServer {
  /** Finished responses by request path (with its query). */
  servedByPath(): Record<string, number>;
  /** The most requests the handler had been given and not yet finished answering, at any time. */
  maxConcurrent(): number;
}

/** A server over TLS: how its handshakes went. */
export interface TlsTestServer extends HttpTestServer {
  /** TLS handshakes completed. */
  handshakes(): number;
  /** Handshakes that resumed an earlier session. */
  resumed(): number;
  /** The ALPN protocol of each handshake, counted. */
  alpn(): Record<string, number>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, index: number) => void;
export type H2Handler = (
  req: http2.Http2ServerRequest,
  res: http2.Http2ServerResponse,
  index: number,
) => void;

/** Where a server listens: `127.0.0.1` unless given. */
export interface ListenOptions {
  host?: '127.0.0.1' | '::1';
  port?: number;
}

const ok: Handler = (_req, res) => {
  res.setHeader('content-type', 'text/plain');
  res.end('ok\n');
};

/** Counts what a request-handling server (HTTP/1.1 or the h2 compatibility API) answers. */
function counted<
  Req extends http.IncomingMessage | http2.Http2ServerRequest,
  Res extends http.ServerResponse | http2.Http2ServerResponse,
>(handler: (req: Req, res: Res, index: number) => void) {
  let received = 0;
  let inHandler = 0;
  let maxConcurrent = 0;
  let lastHeaders: http.IncomingHttpHeaders = {};
  const byStatus: Record<number, number> = {};
  const byPath: Record<string, number> = {};
  const onRequest = (req: Req, res: Res) => {
    lastHeaders = req.headers as http.IncomingHttpHeaders;
    maxConcurrent = Math.max(maxConcurrent, ++inHandler);
    const path = req.url ?? '';
    res.on('finish', () => {
      inHandler--;
      byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1;
      byPath[path] = (byPath[path] ?? 0) + 1;
    });
    handler(req, res, received++);
  };
  return {
    onRequest,
    read: {
      served: () => Object.values(byStatus).reduce((a, b) => a + b, 0),
      servedByStatus: () => ({ ...byStatus }),
      servedByPath: () => ({ ...byPath }),
      maxConcurrent: () => maxConcurrent,
      lastHeaders: () => lastHeaders,
    },
  };
}

async function listen(server: net.Server, options: ListenOptions): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as net.AddressInfo).port;
    // A server asked to listen on one loopback family only must be the only one on its port: tests
    // run in parallel, and another's server on the other family's same port would answer for it.
    const other =
      options.host === '::1' ? '127.0.0.1' : options.host === '127.0.0.1' ? '::1' : null;
    if (other === null || options.port || attempt >= 20 || !(await accepts(other, port)))
      return port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Whether something accepts TCP connections at host:port (false when refused or unreachable). */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts an HTTP server on 127.0.0.1 (port 0 unless given). `handler` answers each request. */
export async function startServer(
  handler: Handler = ok,
  port = 0,
  options: ListenOptions = {},
): Promise<HttpTestServer> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const counts = counted(handler);
  const server = http.createServer(counts.onRequest);
  server.keepAliveTimeout = 60_000;
  trackSockets(server, sockets, () => connections++);
  return {
    port: await listen(server, { ...options, port }),
    ...counts.read,
    connections: () => connections,
    close: () => closeServer(server, sockets),
  };
}

/** What a TLS server counts of its handshakes. */
function handshakesOf(server: tls.Server) {
  let handshakes = 0;
  let resumed = 0;
  const alpn: Record<string, number> = {};
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    handshakes++;
    if (socket.isSessionReused()) resumed++;
    const protocol = socket.alpnProtocol || 'none';
    alpn[protocol] = (alpn[protocol] ?? 0) + 1;
  });
  return { handshakes: () => handshakes, resumed: () => resumed, alpn: () => ({ ...alpn }) };
}

/**
 * An HTTPS server (HTTP/1.1 only: it offers no h2) with the given key and certificate, on
 * 127.0.0.1 unless `host` says otherwise.
 */
export async function startHttpsServer(
  credentials: KeyAndCertificate,
  handler: Handler = ok,
  options: ListenOptions = {},
): Promise<TlsTestServer> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const counts = counted(handler);
  const server = https.createServer(
    { key: credentials.key, cert: credentials.cert, ALPNProtocols: ['http/1.1'] },
    counts.onRequest,
  );
  server.keepAliveTimeout = 60_000;
  trackSockets(server, sockets, () => connections++);
  const tlsCounts = handshakesOf(server);
  return {
    port: await listen(server, options),
    ...counts.read,
    ...tlsCounts,
    connections: () => connections,
    close: () => closeServer(server, sockets),
  };
}

/** An HTTP/2 server over TLS that refuses HTTP/1.1 (`allowHTTP1: false`). Counts streams answered. */
export async function startH2Server(
  credentials: KeyAndCertificate,
  handler: H2Handler = (_req, res) => res.end('ok\n'),
  options: ListenOptions = {},
): Promise<TlsTestServer> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const counts = counted(handler);
  const server = http2.createSecureServer(
    { key: credentials.key, cert: credentials.cert, allowHTTP1: false },
    counts.onRequest,
  );
  trackSockets(server, sockets, () => connections++);
  const tlsCounts = handshakesOf(server);
  return {
    port: await listen(server, options),
    ...counts.read,
    ...tlsCounts,
    connections: () => connections,
    close: () => closeServer(server, sockets),
  };
}

/** A server that burns `us` microseconds of CPU per request, like a slower build of a service. */
export function startCostlyServer(us: number): Promise<TestServer> {
  return startServer((_req, res) => {
    const end = performance.now() + us / 1000;
    while (performance.now() < end);
    res.end('ok');
  });
}

/**
 * A raw TCP server: `onSocket` decides what happens to each connection. Counts connections. With
 * `tls`, each connection is a TLS one (HTTP/1.1 by ALPN) and `onSocket` gets it after the handshake.
 */
export async function startTcpServer(
  onSocket: (socket: net.Socket) => void,
  options: ListenOptions & { tls?: KeyAndCertificate } = {},
): Promise<TestServer> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = options.tls
    ? tls.createServer(
        { key: options.tls.key, cert: options.tls.cert, ALPNProtocols: ['http/1.1'] },
        onSocket,
      )
    : net.createServer(onSocket);
  trackSockets(server, sockets, () => connections++);
  const port = await listen(server, options);
  return {
    port,
    served: () => 0,
    servedByStatus: () => ({}),
    connections: () => connections,
    lastHeaders: () => ({}),
    close: () => closeServer(server, sockets),
  };
}

function trackSockets(server: net.Server, sockets: Set<net.Socket>, onConnection: () => void) {
  server.on('connection', (socket: net.Socket) => {
    onConnection();
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
}

function closeServer(server: net.Server, sockets: Set<net.Socket>): Promise<void> {
  return new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy();
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}

/** A loopback port with nothing listening on it (bound, then released), on both families. */
export async function closedPort(host: '127.0.0.1' | '::1' = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  const port = await listen(server, { host });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let ipv6: Promise<boolean> | undefined;

/** Whether this machine has an IPv6 loopback (`::1`) to listen on. */
export function hasIpv6Loopback(): Promise<boolean> {
  ipv6 ??= (async () => {
    const server = net.createServer();
    try {
      await listen(server, { host: '::1' });
      return true;
    } catch {
      return false;
    } finally {
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  })();
  return ipv6;
}

export interface RawHttpServer extends TestServer {
  /** Requests the server has read (each counted when its head is complete). */
  received(): number;
}

/**
 * A raw TCP server that reads HTTP/1.1 requests without a body (any method, `\r\n\r\n`-terminated
 * heads) and lets `answer` write whatever bytes it likes, or nothing: for servers that break the
 * protocol in ways `node:http` never would.
 */
export async function startRawHttpServer(
  answer: (socket: net.Socket, index: number, head: string) => void,
  options: ListenOptions & { tls?: KeyAndCertificate } = {},
): Promise<RawHttpServer> {
  let received = 0;
  const server = await startTcpServer((socket) => {
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        answer(socket, received++, head);
      }
    });
  }, options);
  return { ...server, received: () => received };
}

/** A complete `200` response with a 2-byte body. */
export const OK_RESPONSE = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';

/** A server in a worker thread whose whole thread stalls once (see `startStallingServer`). */
export interface StallingServer {
  port: number;
  /** Responses the server finished sending. */
  served(): number;
  close(): Promise<void>;
}

/**
 * A fast HTTP server in a worker thread that stops all processing for `stallMs` once, `afterMs`
 * after its first request: nothing is read, answered or accepted meanwhile, as when a service
 * pauses for garbage collection. In a thread of its own so that the stall does not stop the
 * generator's event loop too.
 */
export async function startStallingServer(
  stallMs: number,
  afterMs: number,
): Promise<StallingServer> {
  const servedCount = new Int32Array(new SharedArrayBuffer(4));
  const code = `
    const http = require('node:http');
    const { parentPort, workerData } = require('node:worker_threads');
    const { stallMs, afterMs, served } = workerData;
    let armed = false;
    const server = http.createServer((req, res) => {
      if (!armed) {
        armed = true;
        setTimeout(() => {
          const end = performance.now() + stallMs;
          while (performance.now() < end);
        }, afterMs);
      }
      res.on('finish', () => Atomics.add(served, 0, 1));
      res.end('ok');
    });
    server.keepAliveTimeout = 60000;
    server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
    parentPort.on('message', () => {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    });
  `;
  const worker = new Worker(code, {
    eval: true,
    workerData: { stallMs, afterMs, served: servedCount },
  });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    port,
    served: () => Atomics.load(servedCount, 0),
    close: async () => {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('close');
      await exited;
    },
  };
}
