// Helpers shared by the benchmark (run.js) and the calibration (calibrate.js).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** True when `cmd` is on the PATH. */
export const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

const taskset = has('taskset');

/** `argv` pinned to one CPU with taskset when it is installed (and `cpu` is not null). */
export const pin = (cpu, argv) =>
  taskset && cpu !== null ? ['taskset', '-c', String(cpu), ...argv] : argv;

/** A loopback port nothing listens on (bound, then released). */
export async function freePort() {
  const server = net.createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * A fresh bench/calibration-server.js on CPU 1 burning `costUs` of CPU per request; resolves when
 * it listens.
 */
export async function startCalibrationServer(costUs) {
  const port = await freePort();
  const argv = pin(1, [
    process.execPath,
    join(root, 'bench', 'calibration-server.js'),
    String(port),
    String(costUs),
  ]);
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => String(d).includes('listening') && resolve());
    child.on('exit', (code) => reject(new Error(`the calibration server exited (${code})`)));
  });
  return { port, stop: () => child.kill('SIGTERM') };
}

/**
 * Runs the action `bundle` on CPU 0 as the runner does, with RUNNER_TEMP `work`; resolves with its
 * outputs.
 */
export function runBundle(bundle, work, inputs) {
  const output = join(work, `out-${Math.random()}`);
  writeFileSync(output, '');
  const env = { ...process.env, GITHUB_OUTPUT: output, RUNNER_TEMP: work };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = String(v);
  const argv = pin(0, [process.execPath, bundle]);
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('close', () => {
      const text = readFileSync(output, 'utf8');
      rmSync(output, { force: true });
      const outputs = {};
      for (const m of text.matchAll(/^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1]] = m[3];
      resolve(outputs);
    });
  });
}

/** Wilson score interval for k successes in n trials, 95%. */
export function wilson(k, n) {
  if (n === 0) return [0, 1];
  const z = 1.959963984540054;
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** One-sided 95% upper bound on a rate with zero events in n trials (Clopper-Pearson). */
export const zeroUpper = (n) => 1 - 0.05 ** (1 / n);

export const median = (xs) => {
  const s = [...xs].filter(Number.isFinite).sort((x, y) => x - y);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/**
 * The block of a report between `<!-- conditions -->` and `<!-- /conditions -->`, markers included,
 * or '' when there is none: bench/CALIBRATION.md's table of every condition, kept by hand from the
 * reports of each calibration, which a rewrite of the quiet report must not drop.
 */
export function conditionsBlock(path) {
  if (!existsSync(path)) return '';
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf('<!-- conditions -->');
  const end = text.indexOf('<!-- /conditions -->');
  return start >= 0 && end > start ? text.slice(start, end + '<!-- /conditions -->'.length) : '';
}
