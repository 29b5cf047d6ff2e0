/**
 * The built bundle, run as the runner runs it: `node dist/index.js` with INPUT_* variables (hyphens
 * kept) and real GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from './helpers/servers.js';

const BUNDLE = join(import.meta.dirname, '..', 'dist', 'index.js');

interface ActionRun {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'http-load-check-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the bundle asynchronously (the test's own server must keep serving meanwhile). */
async function runAction(inputs: Record<string, string>): Promise<ActionRun> {
  const outputFile = join(dir, `output-${Math.random()}`);
  const summaryFile = join(dir, `summary-${Math.random()}`);
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(INPUT_|GITHUB_|NODE_TEST)/.test(key)) env[key] = value;
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  env.GITHUB_OUTPUT = outputFile;
  env.GITHUB_STEP_SUMMARY = summaryFile;

  const child = spawn(process.execPath, [BUNDLE], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    code,
    stdout,
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
  };
}

/** Parses the `name<<delimiter ... delimiter` blocks that core.setOutput appends. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const block = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(block)) outputs[match[1]] = match[3];
  return outputs;
}

describe('dist/index.js as the runner runs it', () => {
  let target: TestServer;
  before(async () => (target = await startServer()));
  after(() => target.close());

  it('passes above min-requests: exit 0, outputs, standard line, summary table', async () => {
    const before = target.served();
    const run = await runAction({ port: String(target.port), duration: '1', 'min-requests': '10' });
    const served = target.served() - before;

    assert.equal(run.code, 0, run.stdout);
    const requests = Number(run.outputs.requests);
    assert.ok(requests > 10, `requests=${run.outputs.requests}`);
    assert.equal(requests, served, 'the count equals what the server served');
    assert.ok(
      run.stdout.includes(
        `http test running...\rhttp test running... ok, ${requests} requests made\n`,
      ),
      JSON.stringify(run.stdout),
    );
    assert.ok(run.stdout.startsWith('http test running...\r'), 'nothing before the standard line');
    assert.equal(run.outputs.passed, 'true');
    assert.equal(run.outputs.errors, '0');
    assert.equal(run.outputs.timeouts, '0');
    assert.ok(Number(run.outputs.rps) > 0);
    assert.ok(Number(run.outputs.duration) >= 1 && Number(run.outputs.duration) < 1.5);
    for (const name of ['latency-p50-ms', 'latency-p90-ms', 'latency-p99-ms', 'latency-max-ms']) {
      assert.match(run.outputs[name] ?? '', /^\d+\.\d{3}$/, name);
    }
    assert.ok(Number(run.outputs['latency-p50-ms']) > 0);
    assert.ok(Number(run.outputs['latency-p99-ms']) <= Number(run.outputs['latency-max-ms']));
    assert.match(
      run.summary,
      /\| Latency \| p50 [\d.]+ ms, p90 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms \|/,
    );
    assert.match(run.summary, /\| Requests \| \*\*\d+\*\* \|/);
    assert.match(run.summary, /\| Verdict \| ✅ passed \|/);
  });

  it('fails below min-requests: exit 1, passed=false, outputs and summary still written', async () => {
    const run = await runAction({
      port: String(target.port),
      duration: '0.3',
      'min-requests': '100000000',
    });
    assert.equal(run.code, 1);
    assert.equal(run.outputs.passed, 'false');
    assert.ok(Number(run.outputs.requests) > 0);
    assert.match(
      run.stdout,
      new RegExp(
        `::error::Throughput check failed: ${run.outputs.requests} requests in 0.3 s, below min-requests 100000000`,
      ),
    );
    assert.match(run.summary, /\| Verdict \| ❌ failed \|/);
  });

  for (const [name, value] of [
    ['port', 'abc'],
    ['duration', '5s'],
    ['min-requests', '1.5'],
    ['connections', '0'],
  ] as const) {
    it(`a bad ${name} exits 1 with a clear error and sends no connection`, async () => {
      const connections = target.connections();
      const inputs: Record<string, string> = {
        port: String(target.port),
        duration: '0.3',
        'min-requests': '1',
        [name]: value,
      };
      const run = await runAction(inputs);
      assert.equal(run.code, 1);
      assert.match(run.stdout, new RegExp(`::error::Invalid ${name} '${value}': expected `));
      assert.ok(!run.stdout.includes('http test running'), 'the load never started');
      assert.deepEqual(run.outputs, {});
      assert.equal(target.connections(), connections, 'the server saw no connection');
    });
  }
});
