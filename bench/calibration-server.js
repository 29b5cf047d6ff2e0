// A service for `npm run calibrate`: burns `costUs` microseconds of CPU per request, then answers.
//   node bench/calibration-server.js <port> <costUs>
// Prints `listening on <port>` when ready.
import http from 'node:http';

const port = Number(process.argv[2]);
const costUs = Number(process.argv[3] ?? 0);

http
  .createServer((_req, res) => {
    const end = performance.now() + costUs / 1000;
    while (performance.now() < end);
    res.end('ok');
  })
  .listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
