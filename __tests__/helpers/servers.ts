/** Real servers on ephemeral loopback ports, counting what they serve. */
import http from 'node:http';
import net from 'node:net';

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

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, index: number) => void;

const ok: Handler = (_req, res) => {
  res.setHeader('content-type', 'text/plain');
  res.end('ok\n');
};

/** Starts an HTTP server on 127.0.0.1 (port 0 unless given). `handler` answers each request. */
export async function startServer(handler: Handler = ok, port = 0): Promise<TestServer> {
  let received = 0;
  let connections = 0;
  let lastHeaders: http.IncomingHttpHeaders = {};
  const byStatus: Record<number, number> = {};
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    lastHeaders = req.headers;
    res.on('finish', () => (byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1));
    handler(req, res, received++);
  });
  server.keepAliveTimeout = 60_000;
  trackSockets(server, sockets, () => connections++);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    served: () => Object.values(byStatus).reduce((a, b) => a + b, 0),
    servedByStatus: () => ({ ...byStatus }),
    connections: () => connections,
    lastHeaders: () => lastHeaders,
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

/** A raw TCP server: `onSocket` decides what happens to each connection. Counts connections. */
export async function startTcpServer(onSocket: (socket: net.Socket) => void): Promise<TestServer> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer(onSocket);
  trackSockets(server, sockets, () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
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

/** A loopback port with nothing listening on it (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
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
  });
  return { ...server, received: () => received };
}

/** A complete `200` response with a 2-byte body. */
export const OK_RESPONSE = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';
