// `npm run bench`: our engine (the built bundle, run as the runner runs it) side by side with
// autocannon and wrk, in one run, alternating, on the same targets; writes bench/RESULTS.md.
//
//   npm run bench                       3 repetitions of 5 s, all targets and settings
//   npm run bench -- --reps 5 --seconds 5 --only nginx,node --no-rss --no-profile
//   npm run bench -- --only endpoints    POST with a JSON body and HTTPS only (bench/ENDPOINTS.md)
//   npm run bench -- --previous e2113a6=/path/to/old/dist/index.js   (earlier builds beside this one;
//                                                                    repeatable)
//
// Optional peers (apt-get install wrk nginx-light gunicorn python3-flask time): whatever is missing
// is skipped and said so in the report. Targets are pinned to CPU 1 and generators to CPU 0 with
// taskset, except the gunicorn study, which shares the cores on purpose. Not part of `npm test`.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import { cpus, tmpdir, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, has, pin } from './lib.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    reps: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    out: { type: 'string', default: join(root, 'bench', 'RESULTS.md') },
    'no-rss': { type: 'boolean', default: false },
    'no-profile': { type: 'boolean', default: false },
    // `endpoints`: bench/endpoints.js (POST with a JSON body, HTTPS), run after the rest.
    only: { type: 'string', default: 'nginx,node,gunicorn,endpoints' },
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
            rssMB: Number(m[4]) / 1024,
          }
        : { cpuPct: NaN, rssMB: NaN };
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
      'app:app',
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  await waitUntilUp(port);
  return {
    name: 'Flask + gunicorn -w 2 (sync workers, unpinned)',
    port,
    served: async () => NaN,
    stop: () => child.kill('SIGTERM'),
  };
}

function splitArgv(argv) {
  return [argv[0], argv.slice(1)];
}

// ---------- generators ----------

/** Wall time of each run of the action beyond its `duration`, in seconds. */
const overheadsS = [];
const OURS = 'http-load-check, busy-poll off';
const OURS_BUSY = 'http-load-check, busy-poll on';
const AUTOCANNON = 'autocannon';
const WRK = 'wrk';

async function ours(
  port,
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
    INPUT_PORT: String(port),
    INPUT_DURATION: String(seconds),
    INPUT_CONNECTIONS: String(c),
    INPUT_PIPELINING: String(p),
    'INPUT_BUSY-POLL': String(busyPoll),
    'INPUT_MIN-REQUESTS': '0',
    // The target is known to be up: no readiness probe, so the server's count is the load's alone.
    'INPUT_WAIT-TIMEOUT': '0',
    GITHUB_OUTPUT: output,
  };
  const started = performance.now();
  const r = await run(timed(pin(cpu, [process.execPath, bundle])), env);
  const wallS = (performance.now() - started) / 1000;
  const text = readFileSync(output, 'utf8');
  const out = (name) => Number(text.match(new RegExp(`^${name}<<(\\S+)\\n([^\\n]*)\\n`, 'm'))?.[2]);
  const count = out('requests');
  if (seconds === SECONDS) overheadsS.push(wallS - seconds);
  return { count, rps: count / out('duration'), cpuPct: r.cpuPct, rssMB: r.rssMB };
}

async function autocannon(port, { c, p }, seconds, cpu) {
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
        `http://127.0.0.1:${port}/`,
      ]),
    ),
  );
  const json = JSON.parse(r.stdout);
  return {
    count: json.requests.total,
    rps: json.requests.total / json.duration,
    cpuPct: r.cpuPct,
    rssMB: r.rssMB,
  };
}

async function wrk(port, { c, p }, seconds, cpu) {
  const script = p > 1 ? ['-s', join(root, 'bench', 'wrk-pipeline.lua')] : [];
  const argv = [
    'wrk',
    '-t1',
    `-c${c}`,
    `-d${seconds}s`,
    ...script,
    `http://127.0.0.1:${port}/`,
    ...(p > 1 ? ['--', String(p)] : []),
  ];
  const r = await run(timed(pin(cpu, argv)));
  const m = r.stdout.match(/(\d+) requests in ([\d.]+)(m?s)/);
  const secs = Number(m[2]) * (m[3] === 'ms' ? 0.001 : 1);
  return { count: Number(m[1]), rps: Number(m[1]) / secs, cpuPct: r.cpuPct, rssMB: r.rssMB };
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
    [OURS, (port, s, secs, cpu) => ours(port, s, secs, cpu, false)],
    [AUTOCANNON, autocannon],
  ];
  if (setting.p === 1)
    list.splice(1, 0, [OURS_BUSY, (port, s, secs, cpu) => ours(port, s, secs, cpu, true)]);
  for (const { label, bundle } of PREVIOUS) {
    list.push([
      previousOf(OURS, label),
      (port, s, secs, cpu) => ours(port, s, secs, cpu, false, bundle),
    ]);
    if (setting.p === 1)
      list.push([
        previousOf(OURS_BUSY, label),
        (port, s, secs, cpu) => ours(port, s, secs, cpu, true, bundle),
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
      const gens = generatorsFor(setting);
      const order = gens.map((_, i) => gens[(i + rep) % gens.length]); // rotate the order each round
      for (const [name, fn] of order) {
        await target.served(); // start counting from here
        const r = await fn(target.port, setting, SECONDS, cpu);
        const served = await target.served();
        const key = `${setting.name}|${name}`;
        if (!rows.has(key)) rows.set(key, { setting, name, samples: [] });
        rows.get(key).samples.push({ ...r, served });
        log(
          `${target.name} | ${setting.name} | ${name} | rep ${rep + 1}: ${Math.round(r.rps)} req/s, count ${r.count}, server ${served}, cpu ${r.cpuPct.toFixed(0)}%`,
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

function table(target, rows) {
  const lines = [
    `### ${target}`,
    '',
    `| setting | generator | median req/s | min-max | vs autocannon | vs wrk |${PREVIOUS.map((p) => ` vs ${p.label} |`).join('')} generator CPU % | count - server count (each run) |`,
    `|---|---|---:|---|---:|---:|${PREVIOUS.map(() => '---:|').join('')}---:|---|`,
  ];
  for (const row of rows) {
    const rps = row.samples.map((s) => s.rps);
    const med = median(rps);
    const peer = (name) => rows.find((r) => r.setting === row.setting && r.name === name);
    const ratio = (name) => {
      const p = peer(name);
      return p ? `${(med / median(p.samples.map((s) => s.rps))).toFixed(2)}x` : 'n/a';
    };
    const diffs = row.samples
      .map((s) => (Number.isFinite(s.served) ? s.count - s.served : 'n/a'))
      .join(', ');
    lines.push(
      `| ${row.setting.name} | ${row.name} | ${fmt(med)} | ${fmt(Math.min(...rps))}-${fmt(Math.max(...rps))} | ${ratio(AUTOCANNON)} | ${HAS.wrk ? ratio(WRK) : 'n/a'} |${PREVIOUS.map(({ label }) => ` ${peer(previousOf(row.name, label)) ? ratio(previousOf(row.name, label)) : ''} |`).join('')} ${fmt(median(row.samples.map((s) => s.cpuPct)))} | ${diffs} |`,
    );
  }
  return lines.join('\n');
}

async function rssStudy(target) {
  const setting = { c: 10, p: 1 };
  const short = await ours(target.port, setting, 5, 0);
  const long = await ours(target.port, setting, 60, 0);
  await target.served();
  return { short, long };
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
const sections = [];
const notes = [];
for (const [tool, present] of Object.entries(HAS))
  if (!present) notes.push(`- \`${tool}\` not found: skipped.`);

const targets = [];
const only = new Set(args.only.split(','));
if (only.has('nginx') && HAS.nginx) targets.push(nginxTarget);
else if (only.has('nginx'))
  notes.push('- nginx not installed: no nginx rows (`apt-get install nginx-light`).');
if (only.has('node')) targets.push(nodeTarget);

let rss = null;
let profileRows = null;
for (const make of targets) {
  const target = await make();
  try {
    const rows = await study(target, SETTINGS, 0);
    sections.push(table(`${target.name}: target on CPU 1, generator on CPU 0`, rows));
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
    sections.push(
      table(`${target.name}: nothing pinned, target and generator share both cores`, rows),
    );
  } finally {
    target.stop();
  }
} else if (only.has('gunicorn')) {
  notes.push(
    '- gunicorn + Flask not installed: no busy-poll study on a shared-core target (`apt-get install gunicorn python3-flask`).',
  );
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
  "  generator reported with what the server itself counted (nginx stub_status, or the demo server's own counter).",
];

const out = [
  '# Benchmark results',
  '',
  'Written by `npm run bench` (bench/run.js). Ratios compare medians measured in the same run.',
  '',
  ...machine,
  ...(notes.length ? ['', 'Skipped:', ...notes] : []),
  '',
  '## Throughput',
  '',
  sections.join('\n\n'),
  '',
];
if (overheadsS.length) {
  out.push(
    '## Wall time',
    '',
    `Wall time of the action process beyond its ${SECONDS} s \`duration\` (start-up, readiness, in-flight tail, exit), over ${overheadsS.length} runs:`,
    `median ${fmt(median(overheadsS), 3)} s, max ${fmt(Math.max(...overheadsS), 3)} s.`,
    '',
  );
}
if (rss) {
  out.push(
    '## Memory',
    '',
    `Peak RSS of the whole action process (GNU time), 10 connections against ${rss.target}:`,
    '',
    '| duration | requests | peak RSS |',
    '|---|---:|---:|',
    `| 5 s | ${fmt(rss.short.count)} | ${fmt(rss.short.rssMB, 1)} MB |`,
    `| 60 s | ${fmt(rss.long.count)} | ${fmt(rss.long.rssMB, 1)} MB |`,
    '',
    `Growth from 5 s to 60 s: ${fmt(rss.long.rssMB - rss.short.rssMB, 1)} MB.`,
    '',
  );
}
if (profileRows) {
  out.push(
    '## Where the CPU goes',
    '',
    `\`node --cpu-prof\` of the bundle, 10 connections, ${SECONDS} s; self time, top 15:`,
    '',
    '| self | function |',
    '|---:|---|',
    ...profileRows,
    '',
  );
}
if (targets.length > 0 || only.has('gunicorn')) {
  writeFileSync(args.out, out.join('\n'));
  console.log(out.join('\n'));
}
rmSync(work, { recursive: true, force: true });
if (only.has('endpoints')) {
  const endpoints = join(root, 'bench', 'endpoints.js');
  const argv = [endpoints, '--reps', String(REPS), '--seconds', String(SECONDS)];
  spawnSync(process.execPath, argv, { stdio: 'inherit' });
}
