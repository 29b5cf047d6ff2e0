// Helpers shared by the benchmark (run.js) and the calibration (calibrate.js).
import { spawnSync } from 'node:child_process';
import net from 'node:net';

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
