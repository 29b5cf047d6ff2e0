// A reference row for bench/run.js, not part of the product: the least a Node generator can spend
// per request against a server that closes every connection (gunicorn's sync workers). Each of
// `connections` loops connects, writes one GET, reads to the end of the connection and starts
// again, for `seconds`; no HTTP parsing at all. Prints `<count> requests` (answers read to the end
// that started with a 200 status line).
//   node bench/raw-loop.js <port> <connections> <seconds>
import net from 'node:net';

const [port, connections, seconds] = process.argv.slice(2).map(Number);
const request = Buffer.from(
  `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
);
const stopAt = performance.now() + seconds * 1000;
let count = 0;

function loop() {
  if (performance.now() >= stopAt) return Promise.resolve();
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    let first = null;
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => (first ??= chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      if (first !== null && first.toString('latin1', 0, 12) === 'HTTP/1.1 200') count++;
      resolve();
    });
  }).then(loop);
}

await Promise.all(Array.from({ length: connections }, loop));
console.log(`${count} requests`);
