// The target of the POST and HTTPS rows of `npm run bench` (bench/run.js): a node:http server, or
// node:https when given a key and certificate, that counts every response by status.
//
//   node bench/endpoints-server.js <port> <expected body> [<key.pem> <cert.pem>]
//
// A POST is read whole and answered 201 when its body equals <expected body> byte for byte and its
// content-type is application/json, 400 otherwise; any other method gets the demo server's 200 JSON.
// Prints `ready` when listening and, on SIGUSR2, `served <n> responses, <m> rejected` (m = the 400s).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

const [port, expected, keyFile, certFile] = process.argv.slice(2);
const body = Buffer.from(expected);
let served = 0;
let rejected = 0;

function handler(req, res) {
  res.on('finish', () => {
    served++;
    if (res.statusCode === 400) rejected++;
  });
  if (req.method !== 'POST') {
    res.setHeader('content-type', 'application/json');
    res.end('{"status":"ok"}');
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const ok =
      req.headers['content-type'] === 'application/json' && Buffer.concat(chunks).equals(body);
    res.statusCode = ok ? 201 : 400;
    res.end();
  });
}

const server = keyFile
  ? https.createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, handler)
  : http.createServer(handler);
server.keepAliveTimeout = 60_000;
server.listen(Number(port), '127.0.0.1', () => console.log('ready'));
process.on('SIGUSR2', () => console.log(`served ${served} responses, ${rejected} rejected`));
process.on('SIGTERM', () => process.exit(0));
