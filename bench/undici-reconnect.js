// What one connection costs a Node generator against a server that closes every connection (as
// gunicorn's sync workers do), without our engine around it: a reproduction for undici's
// per-connection work, not part of the product. Each of `connections` loops sends GET / and waits
// for the answer, for `seconds`; the process's own CPU time per answer is printed.
//
//   node bench/undici-reconnect.js <port> <raw|undici|undici-net> [connections=4] [seconds=3]
//
//   raw         node:net only: connect, write, read to the end (bench/raw-loop.js's loop)
//   undici      an undici Client per connection, its low-level dispatch, undici's own connector
//   undici-net  the same with a connect function that is net.connect alone (as src/engine/connect.ts)
//
// Stack traces are off in every mode, as during our runs (undici makes an Error per close).
import net from 'node:net';
import { Client } from 'undici';

const [port, mode, connections = 4, seconds = 3] = process.argv
  .slice(2)
  .map((v, i) => (i === 1 ? v : Number(v)));
if (!port || !['raw', 'undici', 'undici-net'].includes(mode)) {
  console.error('usage: node bench/undici-reconnect.js <port> <raw|undici|undici-net> [c] [s]');
  process.exit(2);
}
Error.stackTraceLimit = 0;
const stopAt = performance.now() + seconds * 1000;
let answers = 0;
const cpuAtStart = process.cpuUsage();

function rawLoop() {
  const request = Buffer.from(
    `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
  );
  const loop = () =>
    performance.now() >= stopAt
      ? Promise.resolve()
      : new Promise((resolve) => {
          const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
          let answered = false;
          socket.on('connect', () => socket.write(request));
          socket.on('data', () => (answered = true));
          socket.on('error', () => {});
          socket.on('close', () => {
            if (answered) answers++;
            resolve();
          });
        }).then(loop);
  return loop();
}

function netConnect({ hostname, port: p }, callback) {
  const socket = net.connect({ host: hostname, port: Number(p), noDelay: true });
  socket.once('connect', () => callback(null, socket));
  socket.once('error', (error) => callback(error, null));
  return socket;
}

function undiciLoop() {
  const client = new Client(`http://127.0.0.1:${port}`, {
    pipelining: 2,
    headersTimeout: 0,
    bodyTimeout: 0,
    ...(mode === 'undici-net' ? { connect: netConnect } : {}),
  });
  const request = { method: 'GET', path: '/', headers: { host: `127.0.0.1:${port}` } };
  return new Promise((resolve) => {
    const handler = {
      onRequestStart() {},
      onResponseStart() {},
      onResponseData() {},
      onResponseEnd() {
        answers++;
        next();
      },
      onResponseError() {
        next();
      },
    };
    const next = () => {
      if (performance.now() >= stopAt) client.destroy().then(resolve);
      else client.dispatch(request, handler);
    };
    next();
  });
}

await Promise.all(Array.from({ length: connections }, mode === 'raw' ? rawLoop : undiciLoop));
const cpu = process.cpuUsage(cpuAtStart);
console.log(
  `${mode}: ${answers} answers in ${seconds} s, ${((cpu.user + cpu.system) / answers).toFixed(1)} µs of CPU per answer (user ${(cpu.user / answers).toFixed(1)}, system ${(cpu.system / answers).toFixed(1)})`,
);
