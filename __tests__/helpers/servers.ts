/** Real `node:http` servers on ephemeral loopback ports, counting what they serve. */
import http from 'node:http';
import net from 'node:net';

export interface TestServer {
  port: number;
  /** Responses the server finished sending. */
  served(): number;
  /** TCP connections the server accepted. */
  connections(): number;
  close(): Promise<void>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, index: number) => void;

const ok: Handler = (_req, res) => {
  res.setHeader('content-type', 'text/plain');
  res.end('ok\n');
};

/** Starts a server on 127.0.0.1, port 0. `handler` answers each request (default: 200 "ok"). */
export async function startServer(handler: Handler = ok): Promise<TestServer> {
  let served = 0;
  let received = 0;
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    res.on('finish', () => served++);
    handler(req, res, received++);
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    served: () => served,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening on it (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
