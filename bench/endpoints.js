// `npm run bench` (after run.js): the endpoint scenarios, our engine beside autocannon and wrk in one
// run, alternating: a POST with a JSON body (the server checks every body byte for byte) and GET
// over HTTPS (a self-signed certificate made at start; we run with `insecure`, autocannon accepts
// any certificate, wrk does not check). Writes bench/ENDPOINTS.md.
//
//   node bench/endpoints.js [--reps 3] [--seconds 5]
//
// The server is pinned to CPU 1 and the generators to CPU 0 with taskset, as in run.js; the server's
// own count is the reference ("count - server count"). wrk is skipped when it is not installed
// (apt-get install wrk). Not part of `npm test`.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generate } from 'selfsigned';
import { freePort, has, pin } from './lib.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    reps: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    out: { type: 'string', default: join(root, 'bench', 'ENDPOINTS.md') },
  },
});
const REPS = Number(args.reps);
const SECONDS = Number(args.seconds);
const work = mkdtempSync(join(tmpdir(), 'http-load-check-endpoints-'));
const log = (...parts) => console.error('[endpoints]', ...parts);
const HAS_WRK = has('wrk');
const BODY = JSON.stringify({ sku: 'A-1', qty: 2, note: 'a JSON order of a typical size' });

function run(argv, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// ---------- the target ----------

const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
  keyType: 'ec',
  algorithm: 'sha256',
  extensions: [
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
      ],
    },
  ],
});
const keyFile = join(work, 'key.pem');
const certFile = join(work, 'cert.pem');
writeFileSync(keyFile, pems.private);
writeFileSync(certFile, pems.cert);
const httpPort = await freePort();
const httpsPort = await freePort();
const server = spawn(
  ...(([cmd, ...rest]) => [cmd, rest])(
    pin(1, [
      process.execPath,
      join(root, 'bench', 'endpoints-server.js'),
      String(httpPort),
      String(httpsPort),
      keyFile,
      certFile,
      BODY,
    ]),
  ),
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
let serverOut = '';
server.stdout.on('data', (d) => (serverOut += d));
for (let i = 0; i < 100 && !serverOut.includes('ready'); i++)
  await new Promise((r) => setTimeout(r, 50));

/** The server's counts so far. */
async function serverCounts() {
  const from = serverOut.length;
  server.kill('SIGUSR2');
  for (let i = 0; i < 100; i++) {
    const m = serverOut.slice(from).match(/served (\d+) responses, (\d+) bodies wrong/);
    if (m) return { served: Number(m[1]), wrong: Number(m[2]) };
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the server did not answer SIGUSR2');
}

// ---------- the generators ----------

const SCENARIOS = [
  {
    name: 'POST JSON',
    url: `http://127.0.0.1:${httpPort}/orders`,
    ours: {
      INPUT_METHOD: 'POST',
      INPUT_BODY: BODY,
      'INPUT_CONTENT-TYPE': 'application/json',
      'INPUT_EXPECTED-STATUS': '201',
    },
    autocannon: ['-m', 'POST', '-b', BODY, '-H', 'content-type=application/json'],
    wrk: 'post',
  },
  {
    name: 'HTTPS GET',
    url: `https://127.0.0.1:${httpsPort}/`,
    ours: { INPUT_INSECURE: 'true' },
    autocannon: [],
    wrk: 'get',
  },
];
const SETTINGS = [
  { name: '1 connection', c: 1 },
  { name: '10 connections', c: 10 },
];

async function ours(scenario, c) {
  const output = join(work, `out-${Math.random()}`);
  writeFileSync(output, '');
  const env = {
    ...process.env,
    INPUT_URL: scenario.url,
    INPUT_DURATION: String(SECONDS),
    INPUT_CONNECTIONS: String(c),
    'INPUT_BUSY-POLL': 'false',
    'INPUT_MIN-REQUESTS': '0',
    'INPUT_WAIT-TIMEOUT': '0',
    ...scenario.ours,
    GITHUB_OUTPUT: output,
    RUNNER_TEMP: work,
  };
  await run(pin(0, [process.execPath, join(root, 'dist', 'index.js')]), env);
  const text = readFileSync(output, 'utf8');
  const out = (name) => Number(text.match(new RegExp(`^${name}<<(\\S+)\\n([^\\n]*)\\n`, 'm'))?.[2]);
  return { count: out('requests'), rps: out('requests') / out('duration') };
}

async function autocannon(scenario, c) {
  const bin = join(root, 'node_modules', 'autocannon', 'autocannon.js');
  const argv = [process.execPath, bin, '-c', String(c), '-d', String(SECONDS), '-j'];
  const r = await run(pin(0, [...argv, ...scenario.autocannon, scenario.url]));
  const json = JSON.parse(r.stdout);
  // 2xx only, as ours counts expected statuses only.
  return { count: json['2xx'], rps: json['2xx'] / json.duration };
}

const WRK_POST = join(work, 'post.lua');
writeFileSync(
  WRK_POST,
  `wrk.method = "POST"\nwrk.body = ${JSON.stringify(BODY)}\nwrk.headers["Content-Type"] = "application/json"\n`,
);

async function wrk(scenario, c) {
  const script = scenario.wrk === 'post' ? ['-s', WRK_POST] : [];
  const r = await run(pin(0, ['wrk', '-t1', `-c${c}`, `-d${SECONDS}s`, ...script, scenario.url]));
  const m = r.stdout.match(/(\d+) requests in ([\d.]+)(m?s)/);
  const secs = Number(m[2]) * (m[3] === 'ms' ? 0.001 : 1);
  return { count: Number(m[1]), rps: Number(m[1]) / secs };
}

const GENERATORS = [
  ['http-load-check', ours],
  ['autocannon', autocannon],
  ...(HAS_WRK ? [['wrk', wrk]] : []),
];

// ---------- the study ----------

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const rows = [];
let wrongBodies = 0;
for (const scenario of SCENARIOS) {
  for (const setting of SETTINGS) {
    const runs = Object.fromEntries(GENERATORS.map(([name]) => [name, []]));
    for (let rep = 0; rep < REPS; rep++) {
      // Alternating, a different generator first in each round.
      const order = GENERATORS.map((_, i) => GENERATORS[(i + rep) % GENERATORS.length]);
      for (const [name, generate] of order) {
        const before = await serverCounts();
        const result = await generate(scenario, setting.c);
        const after = await serverCounts();
        wrongBodies += after.wrong - before.wrong;
        runs[name].push({ ...result, served: after.served - before.served });
        log(scenario.name, setting.name, name, Math.round(result.rps), 'req/s');
      }
    }
    const peer = (name) => (runs[name] ? median(runs[name].map((r) => r.rps)) : NaN);
    for (const [name] of GENERATORS) {
      const list = runs[name];
      const rps = list.map((r) => r.rps);
      const ratio = (other) =>
        Number.isFinite(peer(other)) ? (median(rps) / peer(other)).toFixed(2) : '-';
      rows.push(
        `| ${scenario.name}, ${setting.name} | ${name} | ${Math.round(median(rps))} | ` +
          `${Math.round(Math.min(...rps))}-${Math.round(Math.max(...rps))} | ${ratio('autocannon')} | ` +
          `${ratio('wrk')} | ${list.map((r) => r.count - r.served).join(', ')} |`,
      );
    }
  }
}
server.kill();

const text = [
  '# Endpoint benchmark: POST with a JSON body, HTTPS',
  '',
  `Written by \`node bench/endpoints.js --reps ${REPS} --seconds ${SECONDS}\` (run by \`npm run bench\`)`,
  `on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version};`,
  HAS_WRK
    ? `${spawnSync('wrk', ['--version']).stdout.toString().split(' [')[0].trim()}.`
    : 'wrk not installed: no wrk rows.',
  '',
  `One node:http server pinned to CPU 1 (plain HTTP and HTTPS with a self-signed certificate made at`,
  `start), each generator pinned to CPU 0, ${REPS} rounds of ${SECONDS} s alternating (a different`,
  'generator first each round). The POST body is the same ' +
    `${Buffer.byteLength(BODY)}-byte JSON;`,
  'the server checks every body byte for byte and answers 201 (400 when a body differs).',
  `Bodies that differed, over the whole run: ${wrongBodies}.`,
  '',
  'Counts: ours is the `requests` output (201 for POST); autocannon `2xx`; wrk every response.',
  '"count - server count" compares each run with what the server counted in that run (our count',
  'includes no readiness probe: `wait-timeout: 0`).',
  '',
  '| scenario | generator | median req/s | min-max | vs autocannon | vs wrk | count - server count (each run) |',
  '|---|---|---|---|---|---|---|',
  ...rows,
  '',
].join('\n');
writeFileSync(args.out, text);
log(`wrote ${args.out}`);
