// A small node:http service for the demo and for CI: answers every GET with a short JSON body and
// counts what it served.
//
//   node demo/server.js [port]     listen on 127.0.0.1:<port> (default 0: an ephemeral port)
//
// It prints `listening on <port>` when ready, `served <n> responses` on SIGUSR2, and the same on
// SIGTERM/SIGINT before it exits. Started with an IPC channel (child_process.fork) it also reports through messages:
// {listening: port} when ready, and {served: n} in answer to the message 'served?'.
import http from 'node:http';

const port = Number(process.argv[2] ?? 0);
let served = 0;

const server = http.createServer((req, res) => {
  res.on('finish', () => served++);
  res.setHeader('content-type', 'application/json');
  res.end('{"status":"ok"}');
});
server.keepAliveTimeout = 60_000;

server.listen(port, '127.0.0.1', () => {
  const actual = server.address().port;
  console.log(`listening on ${actual}`);
  process.send?.({ listening: actual });
});

process.on('message', (message) => {
  if (message === 'served?') process.send?.({ served });
});

// SIGUSR2 prints the count so far (used by `npm run bench`, where the server runs under taskset).
process.on('SIGUSR2', () => console.log(`served ${served} responses`));

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    console.log(`served ${served} responses`);
    process.exit(0);
  });
}
