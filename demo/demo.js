// `npm start`: starts the demo service on an ephemeral loopback port, runs the built action
// (dist/index.js) against it exactly as the GitHub runner would (INPUT_* variables, GITHUB_OUTPUT
// and GITHUB_STEP_SUMMARY files), then prints the outputs and the server's own count.
//
//   npm start                       5 s, 1 connection, min-requests 1000
//   npm start -- 2 4                2 s, 4 connections
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [duration = '5', connections = '1', minRequests = '1000'] = process.argv.slice(2);

const server = fork(join(here, 'server.js'), ['0'], {
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
});
const port = await new Promise((resolve) =>
  server.on('message', (m) => m.listening && resolve(m.listening)),
);

const dir = mkdtempSync(join(tmpdir(), 'http-load-check-demo-'));
const outputFile = join(dir, 'output');
const summaryFile = join(dir, 'summary.md');
writeFileSync(outputFile, '');
writeFileSync(summaryFile, '');

console.log(
  `demo server on 127.0.0.1:${port}; running dist/index.js for ${duration} s, ${connections} connection(s)\n`,
);
const action = spawn(process.execPath, [join(here, '..', 'dist', 'index.js')], {
  stdio: 'inherit',
  env: {
    ...process.env,
    INPUT_PORT: String(port),
    INPUT_DURATION: duration,
    INPUT_CONNECTIONS: connections,
    'INPUT_MIN-REQUESTS': minRequests,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
  },
});
const code = await new Promise((resolve) => action.on('close', resolve));

server.send('served?');
const served = await new Promise((resolve) =>
  server.on('message', (m) => 'served' in m && resolve(m.served)),
);
server.kill();

const outputs = [
  ...readFileSync(outputFile, 'utf8').matchAll(/^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm),
];
console.log('\noutputs:', outputs.map(([, name, , value]) => `${name}=${value}`).join(' '));
// The action's readiness probe (wait-timeout) is one more response the server sent.
const load = served - 1;
const requests = Number(outputs.find(([, name]) => name === 'requests')?.[3]);
console.log(
  `the server sent ${served} responses: ${load} to the load (${load === requests ? 'equal to' : 'NOT equal to'} ` +
    `the action's count) + 1 readiness probe`,
);
console.log(`job summary: ${summaryFile}`);
process.exitCode = code ?? 1;
