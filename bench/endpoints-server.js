// The target of bench/endpoints.js: one process serving plain HTTP and HTTPS (a certificate made
// at start), which checks every POST body against the expected bytes (201 when equal, 400 when
// not) and prints its counts on SIGUSR2: `served <n> responses, <m> bodies wrong`.
import http from 'node:http';
import https from 'node:https';

const [httpPort, httpsPort, keyFile, certFile, expected] = process.argv.slice(2);
import { readFileSync } from 'node:fs';

const body = Buffer.from(expected);
let served = 0;
let wrong = 0;
function handler(req, res) {
  if (req.method !== 'POST') {
    res.on('finish', () => served++);
    res.end('ok');
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const ok = Buffer.concat(chunks).equals(body);
    if (!ok) wrong++;
    res.on('finish', () => served++);
    res.statusCode = ok ? 201 : 400;
    res.end();
  });
}
const plain = http.createServer(handler);
const secure = https.createServer(
  { key: readFileSync(keyFile), cert: readFileSync(certFile) },
  handler,
);
for (const s of [plain, secure]) s.keepAliveTimeout = 60_000;
plain.listen(Number(httpPort), '127.0.0.1');
secure.listen(Number(httpsPort), '127.0.0.1', () => console.log('ready'));
process.on('SIGUSR2', () => console.log(`served ${served} responses, ${wrong} bodies wrong`));
