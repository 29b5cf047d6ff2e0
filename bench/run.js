// `npm run bench`: our engine (the built bundle, run as the runner runs it) side by side with
// autocannon and wrk, in one run, alternating, on the same targets; writes bench/RESULTS.md.
//
//   npm run bench                       3 repetitions of 5 s, all targets and settings
//   npm run bench -- --reps 5 --seconds 5 --only nginx,node --no-rss --no-profile
//   npm run bench -- --only post,https   the POST-with-JSON and HTTPS rows only (`endpoints` = both)
//   npm run bench -- --only rate         a fixed rate (the open model): us with `rate` vs autocannon -R
//   npm run bench -- --previous e2113a6=/path/to/old/dist/index.js   (earlier builds beside this one;
//                                                                    repeatable)
//
// Optional peers (apt-get install wrk nginx-light gunicorn python3-flask python3-httpx time):
// whatever is missing is skipped and said so in the report. The gunicorn study (the original stack)
// also runs the original Python client (bench/original-client.py) and a raw node:net loop
// (bench/raw-loop.js) as reference rows, and counts from gunicorn's access log. Every table gives
// the generator's CPU time per request (GNU time's user + system over the server's count). Targets are pinned to CPU 1 and generators to CPU 0 with
// taskset, except the gunicorn study, which shares the cores on purpose. Not part of `npm test`.
//
// A run that leaves out part of the default `--only` set, into an --out file that exists, replaces
// only the sections it measured (each then says when and how it was measured) and keeps the rest.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import { cpus, tmpdir, release } from 'node:os';
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
    out: { type: 'string', default: join(root, 'bench', 'RESULTS.md') },
    'no-rss': { type: 'boolean', default: false },
    'no-profile': { type: 'boolean', default: false },
    // `post`: POST with a JSON body, `https`: GET over HTTPS (`endpoints`: both); see ALL below.
    only: { type: 'string', default: 'nginx,node,gunicorn,post,https,rate' },
    // `label=path/to/dist/index.js`: a previous build of the action, run beside the current one in
    // the same alternating rounds, so that the cost or gain of a change is a ratio from one run.
    previous: { type: 'string', multiple: true, default: [] },
  },
});
const PREVIOUS = args.previous.map((value) => ({
  label: value.split('=')[0],
  bundle: value.split('=').slice(1).join('='),
}));
const REPS = Number(args.reps);
const SECONDS = Number(args.seconds);
const work = mkdtempSync(join(tmpdir(), 'http-load-check-bench-'));
const log = (...parts) => console.error('[bench]', ...parts);

const HAS = {
  taskset: has('taskset'),
  time: spawnSync('/usr/bin/time', ['-f', '%M', 'true']).status === 0,
  wrk: has('wrk'),
  nginx: has('nginx'),
  gunicorn: has('gunicorn') && spawnSync('python3', ['-c', 'import flask']).status === 0,
  // The original client runs on Debian's python3-httpx.
  httpx: spawnSync('/usr/bin/python3', ['-c', 'import httpx']).status === 0,
};
const TIME_MARK = '@@time';
const timed = (argv) =>
  HAS.time ? ['/usr/bin/time', '-f', `${TIME_MARK} %e %U %S %M`, ...argv] : argv;

/** Runs a command to completion; returns stdout, stderr and the GNU time figures. */
function run(argv, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      const m = stderr.match(new RegExp(`${TIME_MARK} ([\\d.]+) ([\\d.]+) ([\\d.]+) (\\d+)`));
      const usage = m
        ? {
            cpuPct: ((Number(m[2]) + Number(m[3])) / Number(m[1])) * 100,
            cpuS: Number(m[2]) + Number(m[3]),
            rssMB: Number(m[4]) / 1024,
          }
        : { cpuPct: NaN, cpuS: NaN, rssMB: NaN };
      resolve({ code, stdout, stderr, ...usage });
    });
  });
}

function get(port, path) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

async function waitUntilUp(port) {
  for (let i = 0; i < 100; i++) {
    try {
      await get(port, '/');
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`target on port ${port} never came up`);
}

// ---------- targets ----------

async function nodeTarget() {
  const port = await freePort();
  const child = spawn(
    ...splitArgv(pin(1, [process.execPath, join(root, 'demo', 'server.js'), String(port)])),
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await waitUntilUp(port);
  const total = async () => {
    const from = out.length;
    child.kill('SIGUSR2');
    for (let i = 0; i < 100; i++) {
      const m = out.slice(from).match(/served (\d+) responses/);
      if (m) return Number(m[1]);
      await new Promise((r) => setTimeout(r, 20));
    }
    return NaN;
  };
  let base = await total();
  return {
    name: 'node:http (demo/server.js)',
    port,
    /** Responses served since the previous call. */
    async served() {
      const now = await total();
      const n = now - base;
      base = now;
      return n;
    },
    stop: () => child.kill('SIGTERM'),
  };
}

async function nginxTarget() {
  const port = await freePort();
  const dir = mkdtempSync(join(work, 'nginx-'));
  const conf = readFileSync(join(root, 'bench', 'nginx.conf.template'), 'utf8')
    .replaceAll('@DIR@', dir)
    .replaceAll('@PORT@', String(port));
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const child = spawn(...splitArgv(pin(1, ['nginx', '-c', join(dir, 'nginx.conf'), '-p', dir])), {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitUntilUp(port);
  const status = async () =>
    Number((await get(port, '/nginx_status')).match(/\s(\d+)\s+(\d+)\s+(\d+)/)[3]);
  let base = await status();
  return {
    name: 'nginx (1 worker)',
    port,
    /** Responses served since the previous call; stub_status counts its own request, hence the 1. */
    async served() {
      const now = await status();
      const n = now - base - 1;
      base = now;
      return n;
    },
    stop: () => child.kill('SIGQUIT'),
  };
}

async function gunicornTarget() {
  const port = await freePort();
  // Counts come from gunicorn's access log: one line per response.
  const accessLog = join(work, `gunicorn-${port}.log`);
  writeFileSync(accessLog, '');
  const child = spawn(
    'gunicorn',
    [
      '-w',
      '2',
      '-b',
      `127.0.0.1:${port}`,
      '--chdir',
      join(root, 'examples', 'flask-gunicorn'),
      '--log-level',
      'warning',
      '--access-logfile',
      accessLog,
      'app:app',
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  await waitUntilUp(port);
  const lines = () => {
    const text = readFileSync(accessLog, 'latin1');
    let n = 0;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
    return n;
  };
  let base = lines();
  return {
    name: 'Flask + gunicorn -w 2 (sync workers, unpinned)',
    port,
    countsFromServer: true,
    async served() {
      // Let the workers flush their last lines.
      await new Promise((r) => setTimeout(r, 300));
      const now = lines();
      const n = now - base;
      base = now;
      return n;
    },
    /** The original client and the raw node:net loop, beside the usual generators. */
    generators: (setting) => [
      ...(setting.c === 1 && HAS.httpx ? [[ORIGINAL, originalClient]] : []),
      [RAW_LOOP, rawLoop],
    ],
    stop: () => child.kill('SIGTERM'),
  };
}

/** The POST body of the `post` rows: a small JSON order, the same bytes for every generator. */
const BODY = JSON.stringify({ sku: 'A-1', qty: 2, note: 'a JSON order of a typical size' });

/**
 * bench/endpoints-server.js pinned to CPU 1: `post` (plain HTTP, every POST body checked) or `https`
 * (GET over TLS with a self-signed certificate made here). Besides the target fields the study
 * uses, it tells each generator what to send (`url`, our `inputs`, `autocannon` and `wrk` argv).
 */
async function endpointTarget(kind) {
  const port = await freePort();
  const tls = [];
  if (kind === 'https') {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    const dir = mkdtempSync(join(work, 'tls-'));
    writeFileSync(join(dir, 'key.pem'), pems.private);
    writeFileSync(join(dir, 'cert.pem'), pems.cert);
    tls.push(join(dir, 'key.pem'), join(dir, 'cert.pem'));
  }
  const child = spawn(
    ...splitArgv(
      pin(1, [
        process.execPath,
        join(root, 'bench', 'endpoints-server.js'),
        String(port),
        BODY,
        ...tls,
      ]),
    ),
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  for (let i = 0; i < 100 && !out.includes('ready'); i++)
    await new Promise((r) => setTimeout(r, 50));
  if (!out.includes('ready')) throw new Error(`${kind} target on port ${port} never came up`);
  const counts = async () => {
    const from = out.length;
    child.kill('SIGUSR2');
    for (let i = 0; i < 100; i++) {
      const m = out.slice(from).match(/served (\d+) responses, (\d+) rejected/);
      if (m) return { served: Number(m[1]), rejected: Number(m[2]) };
      await new Promise((r) => setTimeout(r, 20));
    }
    return { served: NaN, rejected: NaN };
  };
  let base = await counts();
  const target = {
    port,
    /** 400s (a body that differed) in the interval of the last `served()`. */
    rejected: 0,
    async served() {
      const now = await counts();
      const n = now.served - base.served;
      target.rejected = now.rejected - base.rejected;
      base = now;
      return n;
    },
    stop: () => child.kill('SIGTERM'),
  };
  if (kind === 'post')
    return Object.assign(target, {
      name: 'POST with a JSON body (node:http, bench/endpoints-server.js)',
      url: `http://127.0.0.1:${port}/orders`,
      inputs: {
        INPUT_METHOD: 'POST',
        INPUT_BODY: BODY,
        'INPUT_CONTENT-TYPE': 'application/json',
        'INPUT_EXPECTED-STATUS': '201',
      },
      autocannon: ['-m', 'POST', '-b', BODY, '-H', 'content-type=application/json'],
      wrk: ['-s', join(root, 'bench', 'wrk-post.lua')],
      wrkArgs: ['application/json', BODY],
      about: [
        `Every generator sends \`POST /orders\` with the same ${Buffer.byteLength(BODY)}-byte JSON body and`,
        '`content-type: application/json`: us with `method: POST`, `body`, `content-type` and',
        '`expected-status: 201` (our count is 201s only); autocannon `-m POST -b <json> -H',
        'content-type=application/json` (`requests.total`); wrk `-s bench/wrk-post.lua` (every',
        'response). The server reads each body and answers 201 when it equals the expected bytes and',
        'the content-type is application/json, 400 otherwise.',
      ],
    });
  return Object.assign(target, {
    name: 'GET over HTTPS (node:https, bench/endpoints-server.js)',
    url: `https://127.0.0.1:${port}/`,
    inputs: { INPUT_INSECURE: 'true' },
    autocannon: [],
    wrk: [],
    wrkArgs: [],
    about: [
      'A self-signed EC certificate made at the start of the run; the server answers GET with the',
      "demo server's 15-byte JSON. Us with `url: https://127.0.0.1:<port>/` and `insecure: true`;",
      'autocannon and wrk do not verify certificates, so they take the same URL as it is.',
    ],
  });
}

function splitArgv(argv) {
  return [argv[0], argv.slice(1)];
}

// ---------- generators ----------

/** Wall time of each run of the action beyond its `duration`, in seconds. */
const overheadsS = [];
const OURS = 'http-load-check, busy-poll off';
const OURS_BUSY = 'http-load-check, busy-poll on';
// The default at 1 connection: a 0.8 s trial of both modes before the window picks one.
const OURS_AUTO = 'http-load-check, busy-poll auto (default)';
const AUTOCANNON = 'autocannon';
const WRK = 'wrk';
const ORIGINAL = 'original Python client (httpx)';
const RAW_LOOP = 'raw node:net loop (reference, not a product)';

/** The original client: one request at a time for `seconds`, as the action's ancestor did. */
async function originalClient(target, _setting, seconds, cpu) {
  const r = await run(
    timed(
      pin(cpu, [
        '/usr/bin/python3',
        join(root, 'bench', 'original-client.py'),
        `http://127.0.0.1:${target.port}/`,
        String(seconds),
      ]),
    ),
  );
  const count = Number(r.stdout.match(/ok, (\d+) requests made/)?.[1]);
  return { count, rps: count / seconds, cpuPct: r.cpuPct, cpuS: r.cpuS, rssMB: r.rssMB };
}

/** bench/raw-loop.js: Node's floor per request against a server that closes every connection. */
async function rawLoop(target, { c }, seconds, cpu) {
  const r = await run(
    timed(
      pin(cpu, [
        process.execPath,
        join(root, 'bench', 'raw-loop.js'),
        String(target.port),
        String(c),
        String(seconds),
      ]),
    ),
  );
  const count = Number(r.stdout.match(/(\d+) requests/)?.[1]);
  return { count, rps: count / seconds, cpuPct: r.cpuPct, cpuS: r.cpuS, rssMB: r.rssMB };
}

async function ours(
  target,
  { c, p },
  seconds,
  cpu,
  busyPoll = false,
  bundle = join(root, 'dist', 'index.js'),
) {
  const output = join(work, `out-${Math.random()}`);
  writeFileSync(output, '');
  const env = {
    ...process.env,
    ...(target.url ? { INPUT_URL: target.url } : { INPUT_PORT: String(target.port) }),
    ...target.inputs,
    INPUT_DURATION: String(seconds),
    INPUT_CONNECTIONS: String(c),
    INPUT_PIPELINING: String(p),
    'INPUT_BUSY-POLL': String(busyPoll),
    'INPUT_MIN-REQUESTS': '0',
    // The target is known to be up: no readiness probe, so the server's count is the load's alone.
    'INPUT_WAIT-TIMEOUT': '0',
    GITHUB_OUTPUT: output,
    // The JSON report it writes by default goes there, not to the system's temp directory.
    RUNNER_TEMP: work,
  };
  const started = performance.now();
  const r = await run(timed(pin(cpu, [process.execPath, bundle])), env);
  const wallS = (performance.now() - started) / 1000;
  const text = readFileSync(output, 'utf8');
  const out = (name) => Number(text.match(new RegExp(`^${name}<<(\\S+)\\n([^\\n]*)\\n`, 'm'))?.[2]);
  const count = out('requests');
  if (seconds === SECONDS) overheadsS.push(wallS - seconds);
  // busy-poll auto's trial: answers the server counted and the window did not (the report's
  // warm-up), and the mode it chose.
  const report = text.match(/^report<<(\S+)\n([^\n]*)\n/m)?.[2];
  const generator = report ? JSON.parse(readFileSync(report, 'utf8')).result : null;
  return {
    count,
    uncounted: generator?.warmup.responses ?? 0,
    chose: generator?.generator.busyPollTrial?.chosen,
    rps: count / out('duration'),
    cpuPct: r.cpuPct,
    cpuS: r.cpuS,
    rssMB: r.rssMB,
    p50Ms: out('latency-p50-ms'),
    p99Ms: out('latency-p99-ms'),
    dropped: out('dropped'),
  };
}

async function autocannon(target, { c, p }, seconds, cpu) {
  const bin = join(root, 'node_modules', 'autocannon', 'autocannon.js');
  const r = await run(
    timed(
      pin(cpu, [
        process.execPath,
        bin,
        '-c',
        String(c),
        '-p',
        String(p),
        '-d',
        String(seconds),
        '-j',
        ...(target.autocannon ?? []),
        target.url ?? `http://127.0.0.1:${target.port}/`,
      ]),
    ),
  );
  const json = JSON.parse(r.stdout);
  return {
    count: json.requests.total,
    rps: json.requests.total / json.duration,
    cpuPct: r.cpuPct,
    cpuS: r.cpuS,
    rssMB: r.rssMB,
    p50Ms: json.latency.p50,
    p99Ms: json.latency.p99,
  };
}

async function wrk(target, { c, p }, seconds, cpu) {
  if (p > 1 && target.wrk?.length) throw new Error('wrk: pipelining and a script of the target');
  const script = p > 1 ? ['-s', join(root, 'bench', 'wrk-pipeline.lua')] : (target.wrk ?? []);
  const scriptArgs = p > 1 ? [String(p)] : (target.wrkArgs ?? []);
  const argv = [
    'wrk',
    '-t1',
    `-c${c}`,
    `-d${seconds}s`,
    ...script,
    target.url ?? `http://127.0.0.1:${target.port}/`,
    ...(scriptArgs.length ? ['--', ...scriptArgs] : []),
  ];
  const r = await run(timed(pin(cpu, argv)));
  const m = r.stdout.match(/(\d+) requests in ([\d.]+)(m?s)/);
  const secs = Number(m[2]) * (m[3] === 'ms' ? 0.001 : 1);
  return {
    count: Number(m[1]),
    rps: Number(m[1]) / secs,
    cpuPct: r.cpuPct,
    cpuS: r.cpuS,
    rssMB: r.rssMB,
  };
}

// ---------- the study ----------

const SETTINGS = [
  { name: '1 connection', c: 1, p: 1 },
  { name: '10 connections', c: 10, p: 1 },
  { name: '10 connections x 10 pipelined', c: 10, p: 10 },
];

/** A previous build's row that a row of ours is compared with. */
const previousOf = (name, label) => `${name} (${label})`;

function generatorsFor(setting) {
  const list = [
    [OURS, (target, s, secs, cpu) => ours(target, s, secs, cpu, false)],
    [AUTOCANNON, autocannon],
  ];
  if (setting.p === 1)
    list.splice(1, 0, [OURS_BUSY, (target, s, secs, cpu) => ours(target, s, secs, cpu, true)]);
  if (setting.p === 1 && setting.c === 1)
    list.splice(2, 0, [OURS_AUTO, (target, s, secs, cpu) => ours(target, s, secs, cpu, 'auto')]);
  for (const { label, bundle } of PREVIOUS) {
    list.push([
      previousOf(OURS, label),
      (target, s, secs, cpu) => ours(target, s, secs, cpu, false, bundle),
    ]);
    if (setting.p === 1)
      list.push([
        previousOf(OURS_BUSY, label),
        (target, s, secs, cpu) => ours(target, s, secs, cpu, true, bundle),
      ]);
  }
  if (HAS.wrk) list.push([WRK, wrk]);
  return list;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Runs every generator on every setting against one target, round-robin over repetitions. */
async function study(target, settings, cpu) {
  const rows = new Map(); // key `${setting.name}|${gen}` -> samples
  for (let rep = 0; rep < REPS; rep++) {
    for (const setting of settings) {
      const gens = [...generatorsFor(setting), ...(target.generators?.(setting) ?? [])];
      const order = gens.map((_, i) => gens[(i + rep) % gens.length]); // rotate the order each round
      for (const [name, fn] of order) {
        await target.served(); // start counting from here
        const r = await fn(target, setting, SECONDS, cpu);
        const servedAll = await target.served();
        // The window's share of what the server served (busy-poll auto's trial is not in it).
        const served = servedAll - (r.uncounted ?? 0);
        const rejected = target.rejected;
        const key = `${setting.name}|${name}`;
        if (!rows.has(key)) rows.set(key, { setting, name, samples: [] });
        // A target that counts for itself (gunicorn's access log) sets every row's rate: the
        // generators' own counts disagree with it when the server closes every connection.
        const rps = target.countsFromServer && served > 0 ? served / SECONDS : r.rps;
        rows.get(key).samples.push({ ...r, rps, served, servedAll, rejected });
        log(
          `${target.name} | ${setting.name} | ${name} | rep ${rep + 1}: ${Math.round(r.rps)} req/s, count ${r.count}, server ${served}${r.uncounted ? ` (+${r.uncounted} in the trial, which chose busy-poll ${r.chose ? 'on' : 'off'})` : ''}${rejected === undefined ? '' : `, rejected ${rejected}`}, cpu ${r.cpuPct.toFixed(0)}%`,
        );
      }
    }
  }
  return [...rows.values()];
}

function fmt(n, digits = 0) {
  return Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';
}

function table(rows) {
  const lines = [
    `| setting | generator | median req/s | min-max | vs autocannon | vs wrk |${PREVIOUS.map((p) => ` vs ${p.label} |`).join('')} generator CPU % | generator CPU µs per request | count - server count (each run) |`,
    `|---|---|---:|---|---:|---:|${PREVIOUS.map(() => '---:|').join('')}---:|---:|---|`,
  ];
  for (const row of rows) {
    const rps = row.samples.map((s) => s.rps);
    const med = median(rps);
    const peer = (name) => rows.find((r) => r.setting === row.setting && r.name === name);
    const ratio = (name) => {
      const p = peer(name);
      return p ? `${(med / median(p.samples.map((s) => s.rps))).toFixed(2)}x` : 'n/a';
    };
    // Per request the server counted when it counts (autocannon over-counts against servers that
    // close every connection), else per request the generator reported.
    const usPerRequest = median(
      row.samples.map(
        // Every request the process sent, busy-poll auto's trial included.
        (s) =>
          (s.cpuS * 1e6) /
          (Number.isFinite(s.servedAll) && s.servedAll > 0
            ? s.servedAll
            : s.count + (s.uncounted ?? 0)),
      ),
    );
    const diffs = row.samples
      .map((s) => (Number.isFinite(s.served) ? s.count - s.served : 'n/a'))
      .join(', ');
    lines.push(
      `| ${row.setting.name} | ${row.name}${row.name === OURS_AUTO ? ` (trial chose on in ${row.samples.filter((s) => s.chose).length} of ${row.samples.length})` : ''} | ${fmt(med)} | ${fmt(Math.min(...rps))}-${fmt(Math.max(...rps))} | ${ratio(AUTOCANNON)} | ${HAS.wrk ? ratio(WRK) : 'n/a'} |${PREVIOUS.map(({ label }) => ` ${peer(previousOf(row.name, label)) ? ratio(previousOf(row.name, label)) : ''} |`).join('')} ${fmt(median(row.samples.map((s) => s.cpuPct)))} | ${fmt(usPerRequest)} | ${diffs} |`,
    );
  }
  return lines;
}

async function rssStudy(target) {
  const setting = { c: 10, p: 1 };
  const short = await ours(target, setting, 5, 0);
  const long = await ours(target, setting, 60, 0);
  // V8 grows its young generation as objects survive scavenges, up to a maximum: a longer run
  // shows whether the growth from 5 s to 60 s stops there.
  const longer = await ours(target, setting, 120, 0);
  await target.served();
  return { short, long, longer };
}

/** CPU profile of our engine at 10 connections: where the generator's CPU goes (self time). */
async function profile(target) {
  const dir = mkdtempSync(join(work, 'prof-'));
  const output = join(dir, 'out');
  writeFileSync(output, '');
  await run(
    pin(0, [
      process.execPath,
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
      join(root, 'dist', 'index.js'),
    ]),
    {
      ...process.env,
      INPUT_PORT: String(target.port),
      INPUT_DURATION: String(SECONDS),
      INPUT_CONNECTIONS: '10',
      'INPUT_MIN-REQUESTS': '0',
      'INPUT_WAIT-TIMEOUT': '0',
      GITHUB_OUTPUT: output,
      RUNNER_TEMP: dir,
    },
  );
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const prof = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const self = new Map();
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const dt = new Map();
  for (let i = 0; i < prof.samples.length; i++)
    dt.set(prof.samples[i], (dt.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
  let total = 0;
  for (const [id, us] of dt) {
    const { callFrame } = byId.get(id);
    const where = callFrame.url ? callFrame.url.replace(/^.*\/dist\//, 'dist/') : '';
    const key =
      `${callFrame.functionName || '(anonymous)'} ${where ? `${where}:${callFrame.lineNumber + 1}` : ''}`.trim();
    self.set(key, (self.get(key) ?? 0) + us);
    total += us;
  }
  rmSync(dir, { recursive: true, force: true });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(
      ([name, us]) => `| ${((us / total) * 100).toFixed(1)}% | \`${name.replace(/\|/g, '\\|')}\` |`,
    );
}

function version(argv) {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.split('\n').find((l) => l.trim()) ?? 'n/a';
}

// ---------- main ----------

const started = new Date();
/** `{ heading, lines }`: `###` sections go under `## Throughput`, `##` ones after it. */
const sections = [];
const notes = [];
for (const [tool, present] of Object.entries(HAS))
  if (!present) notes.push(`- \`${tool}\` not found: skipped.`);

const ALL = ['nginx', 'node', 'gunicorn', 'post', 'https', 'rate'];
const only = new Set(
  args.only.split(',').flatMap((s) => (s === 'endpoints' ? ['post', 'https'] : [s])),
);
for (const name of only)
  if (!ALL.includes(name))
    throw new Error(`--only: unknown "${name}" (known: ${ALL.join(', ')}, endpoints)`);
const partial = ALL.some((name) => !only.has(name)) && existsSync(args.out);

const targets = [];
if (only.has('nginx') && HAS.nginx) targets.push(nginxTarget);
else if (only.has('nginx'))
  notes.push('- nginx not installed: no nginx rows (`apt-get install nginx-light`).');
if (only.has('node')) targets.push(nodeTarget);

const section = (heading, lines) => sections.push({ heading, lines });

let rss = null;
let profileRows = null;
for (const make of targets) {
  const target = await make();
  try {
    const rows = await study(target, SETTINGS, 0);
    section(`### ${target.name}: target on CPU 1, generator on CPU 0`, table(rows));
    if (make === nginxTarget || (!HAS.nginx && make === nodeTarget)) {
      if (!args['no-rss']) rss = { target: target.name, ...(await rssStudy(target)) };
      if (!args['no-profile']) profileRows = await profile(target);
    }
  } finally {
    target.stop();
  }
}

if (HAS.gunicorn && only.has('gunicorn')) {
  const target = await gunicornTarget();
  try {
    const settings = [SETTINGS[0], { name: '4 connections', c: 4, p: 1 }];
    const rows = await study(target, settings, null);
    section(
      `### ${target.name}: nothing pinned, target and generator share both cores`,
      table(rows),
    );
  } finally {
    target.stop();
  }
} else if (only.has('gunicorn')) {
  notes.push(
    '- gunicorn + Flask not installed: no busy-poll study on a shared-core target (`apt-get install gunicorn python3-flask`).',
  );
}

// POST with a JSON body and GET over HTTPS: 1 and 10 connections, 1 request in flight each.
for (const kind of ['post', 'https'].filter((k) => only.has(k))) {
  const target = await endpointTarget(kind);
  try {
    const rows = await study(target, SETTINGS.slice(0, 2), 0);
    const rejected = rows.flatMap((row) =>
      row.samples.map((s) => s.rejected).some((n) => n !== 0)
        ? [`${row.setting.name}, ${row.name}: ${row.samples.map((s) => s.rejected).join(', ')}`]
        : [],
    );
    const check =
      kind === 'post'
        ? rejected.length
          ? ['', `Bodies the server rejected (400), each run: ${rejected.join('; ')}.`]
          : ['', 'Bodies the server rejected (400): none, in every run of every generator.']
        : [];
    section(`### ${target.name}: target on CPU 1, generator on CPU 0`, [
      ...target.about,
      '',
      ...table(rows),
      ...check,
    ]);
  } finally {
    target.stop();
  }
}

// A fixed rate (the open model): the same requests per second from us (`rate`) and from autocannon
// (`-R`, its overall rate), 10 connections each, against the demo server: what holding a rate costs
// the generator's core, and the latency each reports.
if (only.has('rate')) {
  const target = await nodeTarget();
  const OURS_RATE = 'http-load-check, rate';
  const setting = { c: 10, p: 1 };
  try {
    const rows = [];
    for (let rep = 0; rep < REPS; rep++) {
      for (const rate of [2000, 10000]) {
        const gens = [
          [
            OURS_RATE,
            () => ours({ ...target, inputs: { INPUT_RATE: String(rate) } }, setting, SECONDS, 0),
          ],
          [
            AUTOCANNON,
            () => autocannon({ ...target, autocannon: ['-R', String(rate)] }, setting, SECONDS, 0),
          ],
        ];
        for (const [name, fn] of rep % 2 ? gens.reverse() : gens) {
          await target.served();
          const r = await fn();
          // Our warm-up (1 s by default with rate) is served and not counted.
          const served = (await target.served()) - (r.uncounted ?? 0);
          let row = rows.find((x) => x.rate === rate && x.name === name);
          if (!row) rows.push((row = { rate, name, samples: [] }));
          row.samples.push({ ...r, served });
          log(
            `rate ${rate} | ${name} | rep ${rep + 1}: ${Math.round(r.rps)} req/s, cpu ${r.cpuPct.toFixed(0)}%, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`,
          );
        }
      }
    }
    const lines = [
      "Us with `rate` (latency from each send's due time), autocannon with `-R` (its overall rate;",
      'latency from each send, and it says that this ignores coordinated omission); 10 connections',
      'each. "CPU vs autocannon" is the ratio of the medians of generator CPU (lower is cheaper).',
      '',
      '| rate | generator | median req/s sent | generator CPU % | CPU vs autocannon | p50 ms | p99 ms | dropped (each run) | count - server count (each run) |',
      '|---:|---|---:|---:|---:|---:|---:|---|---|',
    ];
    for (const row of rows) {
      const med = (key) => median(row.samples.map((x) => x[key]));
      const peer = rows.find((x) => x.rate === row.rate && x.name === AUTOCANNON);
      const cpuRatio = med('cpuPct') / median(peer.samples.map((x) => x.cpuPct));
      lines.push(
        `| ${fmt(row.rate)} | ${row.name} | ${fmt(med('rps'))} | ${fmt(med('cpuPct'))} | ${cpuRatio.toFixed(2)}x | ${fmt(med('p50Ms'), 3)} | ${fmt(med('p99Ms'), 3)} | ${row.name === AUTOCANNON ? 'n/a' : row.samples.map((x) => x.dropped).join(', ')} | ${row.samples.map((x) => (Number.isFinite(x.served) ? x.count - x.served : 'n/a')).join(', ')} |`,
      );
    }
    section(
      '### A fixed rate (open model), node:http (demo/server.js): target on CPU 1, generator on CPU 0',
      lines,
    );
  } finally {
    target.stop();
  }
}

const machine = [
  `- Date: ${started.toISOString()}; ${REPS} repetitions of ${SECONDS} s per cell, generators alternating (order rotated each round).`,
  `- Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Linux ${release()}.`,
  `- Node ${process.version}; autocannon ${JSON.parse(readFileSync(join(root, 'node_modules', 'autocannon', 'package.json'), 'utf8')).version}; ${HAS.wrk ? version(['wrk', '--version']).split(' [')[0] : 'no wrk'}; ${HAS.nginx ? version(['nginx', '-v']) : 'no nginx'}.`,
  ...PREVIOUS.map(
    ({ label, bundle }) =>
      `- "(${label})": an earlier build of the action (${bundle}), run in the same rounds; "vs ${label}" is a row's median over that build's row of the same name.`,
  ),
  `- Pinning: ${HAS.taskset ? 'taskset, target on CPU 1, generator on CPU 0' : 'none (taskset missing)'}.`,
  '- req/s: for us `requests / duration` outputs (responses in the window plus the in-flight ones, over the measured window);',
  '  autocannon `requests.total / duration`; wrk `N requests in Ts`. "count - server count" compares what each',
  "  generator reported with what the server itself counted (nginx stub_status, or the demo server's or",
  "  bench/endpoints-server.js's own counter).",
];

// Only a whole run's: a partial one would describe its own few runs under the others' heading.
if (overheadsS.length && !partial) {
  section('## Wall time', [
    `Wall time of the action process beyond its ${SECONDS} s \`duration\` (start-up, readiness, in-flight tail, exit), over ${overheadsS.length} runs:`,
    `median ${fmt(median(overheadsS), 3)} s, max ${fmt(Math.max(...overheadsS), 3)} s.`,
  ]);
}
if (rss) {
  section('## Memory', [
    `Peak RSS of the whole action process (GNU time), 10 connections against ${rss.target}:`,
    '',
    '| duration | requests | peak RSS |',
    '|---|---:|---:|',
    `| 5 s | ${fmt(rss.short.count)} | ${fmt(rss.short.rssMB, 1)} MB |`,
    `| 60 s | ${fmt(rss.long.count)} | ${fmt(rss.long.rssMB, 1)} MB |`,
    `| 120 s | ${fmt(rss.longer.count)} | ${fmt(rss.longer.rssMB, 1)} MB |`,
    '',
    `Growth from 5 s to 60 s: ${fmt(rss.long.rssMB - rss.short.rssMB, 1)} MB; from 60 s to 120 s: ${fmt(rss.longer.rssMB - rss.long.rssMB, 1)} MB.`,
  ]);
}
if (profileRows) {
  section('## Where the CPU goes', [
    `\`node --cpu-prof\` of the bundle, 10 connections, ${SECONDS} s; self time, top 15:`,
    '',
    '| self | function |',
    '|---:|---|',
    ...profileRows,
  ]);
}

/** A section's lines: heading, blank, body, blank. */
const block = ({ heading, lines }) => [heading, '', ...lines, ''];

let text;
if (partial) {
  // Replace the sections measured now in the file as it is, or add them (a `###` one at the end of
  // `## Throughput`, a `##` one at the end); every other line stays.
  const note = `_Measured on its own: ${started.toISOString()}, ${REPS} repetitions of ${SECONDS} s (\`--only ${args.only}\`${PREVIOUS.length ? `, ${PREVIOUS.map((p) => `--previous ${p.label}`).join(' ')}` : ''}); the list at the top describes the other sections' run._`;
  const lines = readFileSync(args.out, 'utf8').replace(/\n+$/, '').split('\n');
  const end = (from, level) => {
    let i = from + 1;
    while (
      i < lines.length &&
      !(lines[i].startsWith('## ') || (level === 3 && lines[i].startsWith('### ')))
    )
      i++;
    return i;
  };
  for (const s of sections) {
    const level = s.heading.startsWith('### ') ? 3 : 2;
    const fresh = block({ heading: s.heading, lines: [note, '', ...s.lines] });
    const at = lines.indexOf(s.heading);
    if (at >= 0) lines.splice(at, end(at, level) - at, ...fresh);
    else if (level === 3) {
      const throughput = lines.indexOf('## Throughput');
      const i = throughput >= 0 ? end(throughput, 2) : lines.length;
      if (lines[i - 1] !== '') lines.splice(i, 0, '');
      lines.splice(lines[i - 1] !== '' ? i + 1 : i, 0, ...fresh);
    } else lines.push('', ...fresh);
  }
  text = `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/\n+$/, '')}\n`;
} else {
  text = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (bench/run.js). Ratios compare medians measured in the same run.',
    '',
    ...machine,
    ...(notes.length ? ['', 'Skipped:', ...notes] : []),
    '',
    '## Throughput',
    '',
    ...sections.filter((s) => s.heading.startsWith('### ')).flatMap(block),
    ...sections.filter((s) => !s.heading.startsWith('### ')).flatMap(block),
  ].join('\n');
}
writeFileSync(args.out, text);
console.log(text);
if (partial) log(`replaced or added ${sections.length} section(s) in ${args.out}`);
rmSync(work, { recursive: true, force: true });
