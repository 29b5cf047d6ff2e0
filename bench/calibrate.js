// `npm run calibrate`: how often does the head-vs-baseline gate cry wolf, and how often does it catch
// a real 10% slowdown, on this machine, at the default settings?
//
// - A/A trials: two identical server processes; any `regression` verdict is a false alarm.
// - A/B trials: the head costs more CPU per request than the baseline, tuned (and checked by
//   measurement) so that it serves about 10% fewer requests; a `regression` verdict is a detection.
// Each block of trials gets fresh server processes; which process plays head in A/A is random.
// Servers are pinned to CPU 1 and the action to CPU 0 when taskset is present. Rates come with
// Wilson 95% intervals. Writes bench/CALIBRATION.md. Not part of `npm test`.
//
//   npm run calibrate                                   300 A/A + 60 A/B per setting, 5 s per side
//   npm run calibrate -- --aa 40 --ab 15 --connections 1,4 --seconds 5
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, has, pin } from './lib.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    aa: { type: 'string', default: '300' },
    ab: { type: 'string', default: '60' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '1,4' },
    'base-cost-us': { type: 'string', default: '100' },
    block: { type: 'string', default: '10' },
    out: { type: 'string', default: join(root, 'bench', 'CALIBRATION.md') },
  },
});
const AA = Number(args.aa);
const AB = Number(args.ab);
const SECONDS = Number(args.seconds);
const BLOCK = Number(args.block);
const BASE_COST_US = Number(args['base-cost-us']);
const work = mkdtempSync(join(tmpdir(), 'http-load-check-calibrate-'));
const taskset = has('taskset');
const log = (...parts) => console.error('[calibrate]', ...parts);

async function startServer(costUs) {
  const port = await freePort();
  const argv = pin(1, [
    process.execPath,
    join(root, 'bench', 'calibration-server.js'),
    String(port),
    String(costUs),
  ]);
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) =>
    child.stdout.on('data', (d) => String(d).includes('listening') && resolve()),
  );
  return { port, stop: () => child.kill('SIGTERM') };
}

/** Runs the bundle as the runner does; returns its outputs. */
function action(inputs) {
  const output = join(work, `out-${Math.random()}`);
  writeFileSync(output, '');
  const env = { ...process.env, GITHUB_OUTPUT: output };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = String(v);
  const argv = pin(0, [process.execPath, join(root, 'dist', 'index.js')]);
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('close', () => {
      const text = readFileSync(output, 'utf8');
      const outputs = {};
      for (const m of text.matchAll(/^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1]] = m[3];
      resolve(outputs);
    });
  });
}

/** Measures the cost that makes a server ~10% slower than the baseline, at this setting. */
async function tuneSlowCost(connections) {
  const rate = async (costUs) => {
    const server = await startServer(costUs);
    const out = await action({
      port: server.port,
      duration: 3,
      'min-requests': 0,
      connections,
      'wait-timeout': 5,
    });
    server.stop();
    return Number(out.rps);
  };
  let cost = BASE_COST_US * 1.15;
  let ratio = 0;
  for (let i = 0; i < 4; i++) {
    const [base, slow] = [await rate(BASE_COST_US), await rate(cost)];
    ratio = slow / base;
    log(
      `connections ${connections}: cost ${cost.toFixed(0)} us -> ${(100 * (ratio - 1)).toFixed(1)}%`,
    );
    if (Math.abs(ratio - 0.9) < 0.015) break;
    cost = BASE_COST_US + ((cost - BASE_COST_US) * 0.1) / Math.max(0.01, 1 - ratio);
  }
  return { costUs: cost, measuredChangePct: 100 * (ratio - 1) };
}

async function trials(kind, count, connections, slowCostUs) {
  const verdicts = [];
  const changes = [];
  for (let done = 0; done < count; done += BLOCK) {
    const a = await startServer(BASE_COST_US);
    const b = await startServer(kind === 'A/A' ? BASE_COST_US : slowCostUs);
    try {
      for (let i = done; i < Math.min(count, done + BLOCK); i++) {
        const swap = kind === 'A/A' && Math.random() < 0.5;
        const [head, baseline] = kind === 'A/A' ? (swap ? [b, a] : [a, b]) : [b, a];
        const out = await action({
          port: head.port,
          'baseline-port': baseline.port,
          duration: SECONDS,
          'min-requests': 0,
          connections,
          'wait-timeout': 5,
        });
        verdicts.push(out.verdict);
        changes.push(Number(out['change-percent']));
        log(
          `${kind} c=${connections} #${i + 1}: ${out.verdict} ${out['change-percent']}% [${out['change-low']}, ${out['change-high']}]`,
        );
      }
    } finally {
      a.stop();
      b.stop();
    }
  }
  return { verdicts, changes };
}

/** Wilson score interval for k successes in n trials, 95%. */
function wilson(k, n) {
  if (n === 0) return [0, 1];
  const z = 1.959963984540054;
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

const pct = (x) => `${(100 * x).toFixed(1)}%`;
const median = (xs) => {
  const s = [...xs].filter(Number.isFinite).sort((x, y) => x - y);
  return s.length ? s[s.length >> 1] : NaN;
};

const started = new Date();
const rows = [];
for (const connections of args.connections.split(',').map(Number)) {
  const tuned = await tuneSlowCost(connections);
  const aa = await trials('A/A', AA, connections, tuned.costUs);
  const ab = await trials('A/B', AB, connections, tuned.costUs);
  const falseAlarms = aa.verdicts.filter((v) => v === 'regression').length;
  const detected = ab.verdicts.filter((v) => v === 'regression').length;
  rows.push({ connections, tuned, aa, ab, falseAlarms, detected });
}

const lines = [
  '# Calibration of the head-vs-baseline gate',
  '',
  'Written by `npm run calibrate` (bench/calibrate.js).',
  '',
  `- Date: ${started.toISOString()}; ${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, Linux ${release()}, Node ${process.version}.`,
  `- Each trial runs the bundle with \`baseline-port\`, \`duration: ${SECONDS}\` (per side), default \`rounds\`, \`confidence\` and \`max-regression\` (5%).`,
  `- Servers: bench/calibration-server.js burning ${BASE_COST_US} us of CPU per request (baseline); fresh processes every ${BLOCK} trials; ${taskset ? 'servers on CPU 1, the action on CPU 0' : 'no pinning (taskset missing)'}.`,
  '- False alarm: a `regression` verdict in an A/A trial. Detection: a `regression` verdict in an A/B trial. Intervals: Wilson, 95%.',
  '',
  '| connections | A/A trials | false alarms | rate (95% interval) | A/B slowdown (measured) | A/B trials | detected | rate (95% interval) | median change A/A, A/B |',
  '|---:|---:|---:|---|---|---:|---:|---|---|',
];
for (const r of rows) {
  const [fl, fh] = wilson(r.falseAlarms, r.aa.verdicts.length);
  const [dl, dh] = wilson(r.detected, r.ab.verdicts.length);
  lines.push(
    `| ${r.connections} | ${r.aa.verdicts.length} | ${r.falseAlarms} | ${pct(r.falseAlarms / r.aa.verdicts.length)} (${pct(fl)}-${pct(fh)}) | ` +
      `${r.tuned.measuredChangePct.toFixed(1)}% (${r.tuned.costUs.toFixed(0)} us/request) | ${r.ab.verdicts.length} | ${r.detected} | ` +
      `${pct(r.detected / r.ab.verdicts.length)} (${pct(dl)}-${pct(dh)}) | ${median(r.aa.changes).toFixed(1)}%, ${median(r.ab.changes).toFixed(1)}% |`,
  );
}
lines.push(
  '',
  'A claim of a false-alarm rate at or below 1% needs at least 300 A/A trials without a failure, and',
  'a detection rate of at least 95% needs about 60 A/B trials without a miss; fewer trials give the',
  'wider intervals above.',
  '',
);
writeFileSync(args.out, lines.join('\n'));
rmSync(work, { recursive: true, force: true });
console.log(lines.join('\n'));
