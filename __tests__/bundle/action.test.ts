/**
 * The runner contract of the action, through the built bundle (dist/index.js) run as the runner
 * runs it (helpers/bundle.ts): inputs from INPUT_* variables (hyphens kept), outputs appended to
 * GITHUB_OUTPUT and the job summary to GITHUB_STEP_SUMMARY, the exit code, the standard line byte
 * for byte, workflow commands (`::add-mask::` for header values, `::warning title=...::` with its
 * %-encoding, `::error::`), the report files in RUNNER_TEMP, SIGTERM, the runner's files when they
 * are unusable, and a bug of ours injected with --import. What a run does with its target is tested
 * in process (session/*.test.ts); only what needs the real adapter and process is here.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { TRIAL_MS } from '../../src/check/busy-poll.js';
import { runAction, startAction, type ActionRun } from '../helpers/bundle.js';
import { startGitHubApi } from '../helpers/github-api.js';
import { startServer, type TestServer } from '../helpers/servers.js';

const n = (run: ActionRun, name: string) => Number(run.outputs[name]);

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('dist/index.js as the runner runs it', () => {
  let target: TestServer;
  before(async () => (target = await startServer()));
  after(() => target.close());

  it('passes above min-requests: exit 0, outputs, standard line, summary table, files in RUNNER_TEMP', async () => {
    const before = target.served() + 1; // + the readiness probe
    const run = await runAction({ port: String(target.port), duration: '1', 'min-requests': '10' });
    const served = target.served() - before;

    assert.equal(run.code, 0, run.stdout);
    const requests = Number(run.outputs.requests);
    assert.ok(requests > 10, `requests=${run.outputs.requests}`);
    // busy-poll auto's trial ran first: its answers are the report's warm-up, counted nowhere else.
    const { warmup } = JSON.parse(readFileSync(run.outputs.report, 'utf8')).result;
    assert.ok(warmup.responses > 0, 'the trial was answered');
    assert.equal(
      requests + warmup.responses,
      served,
      'the count and the trial: what the server served',
    );
    assert.ok(
      run.stdout.includes(
        `http test running...\rhttp test running... ok, ${requests} requests made\n`,
      ),
      JSON.stringify(run.stdout),
    );
    assert.ok(run.stdout.startsWith('http test running...\r'), 'nothing before the standard line');
    assert.equal(run.outputs.passed, 'true');
    assert.equal(run.outputs.outcome, 'passed');
    assert.equal(run.outputs['unexpected-status'], '0');
    assert.equal(run.outputs.errors, '0');
    assert.equal(run.outputs.timeouts, '0');
    assert.ok(Number(run.outputs.rps) > 0);
    assert.ok(Number(run.outputs.duration) >= 1 && Number(run.outputs.duration) < 1.5);
    for (const name of ['latency-p50-ms', 'latency-p90-ms', 'latency-p99-ms', 'latency-max-ms']) {
      assert.match(run.outputs[name] ?? '', /^\d+\.\d{3}$/, name);
    }
    assert.ok(Number(run.outputs['latency-p50-ms']) > 0);
    assert.ok(Number(run.outputs['latency-p99-ms']) <= Number(run.outputs['latency-max-ms']));
    assert.equal(run.outputs.report, join(run.dir, 'http-load-check.json'));
    assert.equal(run.outputs['benchmark-file'], join(run.dir, 'http-load-check-benchmark.json'));
    assert.equal(JSON.parse(readFileSync(run.outputs.report, 'utf8')).result.requests, requests);
    assert.match(
      run.summary,
      /\| Latency \| p50 [\d.]+ ms, p90 [\d.]+ ms, p95 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms \|/,
    );
    assert.match(run.summary, /\| Requests \| \*\*\d+\*\* \(status 200-299\) \|/);
    assert.match(run.summary, /\| Outcome \| ✅ passed \|/);
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
        `::error::Check failed: ${run.outputs.requests} requests in 0.3 s, below min-requests 100000000`,
      ),
    );
    assert.match(run.summary, /\| Outcome \| ❌ failed \|/);
  });

  it('a bad input: exit 1, ::error:: naming it, no outputs, no summary, no connection', async () => {
    const connections = target.connections();
    const run = await runAction({
      port: String(target.port),
      duration: '5sec',
      'min-requests': '1',
    });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^::error::Invalid duration '5sec': expected seconds, or a number/m);
    assert.deepEqual(run.outputs, {});
    assert.equal(run.summary, '');
    assert.equal(target.connections(), connections);
  });
});

describe('workflow commands', () => {
  it('a warning with a title: annotated with title=, its text %-encoded; the step passes', async () => {
    // Answers the readiness probe and 10 requests, then never again: exactly 10 counted, so
    // min-requests 10 lies inside the noise band whatever the machine.
    const capped = await startServer((_req, res, index) => {
      if (index <= 10) res.end('ok');
    });
    try {
      const run = await runAction({
        port: String(capped.port),
        duration: '0.3',
        timeout: '0.5',
        'min-requests': '10',
        // The request left hanging times out: one error among 11, not this test's concern.
        'max-error-rate': '100',
        // No busy-poll trial: it would take the 10 answers.
        'busy-poll': 'false',
      });
      assert.equal(run.code, 0, run.stdout);
      assert.equal(run.outputs.requests, '10');
      assert.match(
        run.stdout,
        /^::warning title=min-requests is inside the noise::min-requests 10 is within 0%25 of the measured 10, inside the noise band of ±10%25 /m,
      );
    } finally {
      await capped.close();
    }
  });

  it('sends headers, masks the credentials and secret-headers, and never prints a value', async () => {
    const secret = 's3cr3t-token-value';
    let seen: http.IncomingHttpHeaders = {};
    const server = await startServer((req, res) => {
      seen = req.headers;
      res.end('ok');
    });
    try {
      const run = await runAction({
        port: String(server.port),
        duration: '0.3',
        'min-requests': '1',
        headers: `Authorization: Bearer ${secret}\nAccept: application/json`,
        'secret-headers': `X-Extra: ${secret}-2`,
      });
      assert.equal(run.code, 0, run.stdout);
      assert.equal(seen.authorization, `Bearer ${secret}`);
      assert.equal(seen['x-extra'], `${secret}-2`);
      assert.equal(seen.accept, 'application/json');
      assert.ok(
        !run.stdout.includes('::add-mask::application/json'),
        'a plain header is not masked',
      );
      const masked = run.stdout
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .join('\n');
      assert.ok(run.stdout.includes(`::add-mask::Bearer ${secret}`), 'registered as a secret');
      assert.ok(run.stdout.includes(`::add-mask::${secret}-2`), 'each value');
      assert.ok(!masked.includes(secret), 'not in the log');
      assert.ok(!run.summary.includes(secret), 'not in the summary');
      assert.ok(!JSON.stringify(run.outputs).includes(secret), 'not in the outputs');
      assert.match(
        run.summary,
        /\| Headers sent \| Authorization, Accept, X-Extra \(values hidden\) \|/,
      );
    } finally {
      await server.close();
    }
  });
});

describe('the pull-request comment', () => {
  it("posts with the runner's variables and masks the token; outside a PR, a ::notice::", async () => {
    const token = 'ghs_bundleToken42';
    const api = await startGitHubApi({ owner: 'octo', repo: 'shop', token });
    const server = await startServer();
    const dir = mkdtempSync(join(tmpdir(), 'http-load-check-event-'));
    const event = join(dir, 'event.json');
    writeFileSync(event, JSON.stringify({ pull_request: { number: 3 } }));
    const env = {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: 'octo/shop',
      GITHUB_API_URL: api.url,
      GITHUB_WORKFLOW: 'perf',
      GITHUB_JOB: 'load',
      GITHUB_ACTION: 'gate',
    };
    const inputs = {
      port: String(server.port),
      duration: '0.3',
      'busy-poll': 'true',
      comment: 'always',
      'github-token': token,
    };
    try {
      const run = await runAction(inputs, { env });
      assert.equal(run.code, 0, run.stdout);
      assert.ok(run.stdout.includes(`::add-mask::${token}`), run.stdout);
      const unmasked = run.stdout
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .join('\n');
      assert.ok(!unmasked.includes(token), 'not in the log');
      const report = readFileSync(join(run.dir, 'http-load-check.json'), 'utf8');
      assert.ok(!report.includes(token) && !run.summary.includes(token), 'not in the files');
      assert.deepEqual(
        api.calls.map((c) => `${c.method} ${c.path} ${c.authorization}`),
        [
          `GET /repos/octo/shop/issues/3/comments token ${token}`,
          `POST /repos/octo/shop/issues/3/comments token ${token}`,
        ],
      );
      assert.ok(api.comments[0].body.startsWith('<!-- http-load-check:perf/load/gate -->\n'));
      assert.match(run.stdout, /^Pull request comment created on pull request #3: /m);

      const push = await runAction(inputs, { env: { ...env, GITHUB_EVENT_NAME: 'push' } });
      assert.equal(push.code, 0, push.stdout);
      assert.match(
        push.stdout,
        /^::notice::Pull request comment skipped: this run is for the push event/m,
      );
      assert.equal(api.calls.length, 2);
    } finally {
      await Promise.all([api.close(), server.close()]);
    }
  });
});

describe('cancellation', () => {
  it('SIGTERM stops within 1 s; the standard line, outputs and summary say cancelled', async () => {
    const server = await startServer();
    try {
      const action = startAction({
        port: String(server.port),
        duration: '20',
        'min-requests': '1',
      });
      await sleep(TRIAL_MS + 1200);
      const signalled = performance.now();
      action.child.kill('SIGTERM');
      const run = await action.done;
      assert.ok(performance.now() - signalled < 1000, 'stopped within 1 s');
      assert.equal(run.code, 1);
      assert.equal(run.outputs.outcome, 'cancelled');
      assert.equal(run.outputs.passed, 'false');
      const requests = n(run, 'requests');
      assert.ok(requests > 0);
      assert.ok(
        run.stdout.includes(`\rhttp test running... ok, ${requests} requests made\n`),
        run.stdout,
      );
      assert.match(run.stdout, /::error::Check cancelled by SIGTERM after [\d.]+ s/);
      assert.match(run.summary, /\| Outcome \| ⏹️ cancelled \|/);
    } finally {
      await server.close();
    }
  });
});

describe("the runner's files", () => {
  let target: TestServer;
  const dir = mkdtempSync(join(tmpdir(), 'http-load-check-runner-files-'));
  beforeEach(async () => (target = await startServer()));
  afterEach(() => target.close());

  // Before: a passing check exited 1 with a stack trace and wrote its outputs twice, the second
  // set saying requests=0; an unusable GITHUB_OUTPUT also raised false report-file warnings.
  const unwritable: [string, string, (run: ActionRun) => void][] = [
    [
      'GITHUB_STEP_SUMMARY',
      'the job summary',
      (run) => {
        assert.equal(run.outputText.match(/^requests<</gm)?.length, 1, 'each output once');
        assert.ok(n(run, 'requests') > 0);
        assert.equal(run.outputs.outcome, 'passed');
      },
    ],
    [
      'GITHUB_OUTPUT',
      'the step outputs',
      (run) => {
        assert.doesNotMatch(run.stdout, /Could not write (report-file|benchmark-file)/);
        assert.match(run.summary, /\| Outcome \| ✅ passed \|/);
      },
    ],
  ];
  for (const [variable, what, check] of unwritable) {
    it(`${variable} cannot be written: a warning naming it, and the pass stands`, async () => {
      const path = join(dir, 'missing-folder', variable);
      const run = await runAction(
        { port: String(target.port), duration: '0.5', 'min-requests': '1' },
        { env: { [variable]: path } },
      );
      assert.equal(run.code, 0, run.stdout);
      assert.ok(
        run.stdout.includes(`::warning::Could not write ${what} to ${variable} ${path}`),
        run.stdout,
      );
      assert.doesNotMatch(run.stdout, /failed unexpectedly/);
      assert.ok(existsSync(join(run.dir, 'http-load-check.json')), 'the report is written');
      assert.ok(existsSync(join(run.dir, 'http-load-check-benchmark.json')));
      check(run);
    });
  }

  it('a FIFO as report-file, GITHUB_OUTPUT or GITHUB_STEP_SUMMARY: a warning, no hang', async () => {
    // Before: the run held for ever after its standard line, with no outputs.
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    for (const [inputs, env, message] of [
      [{ 'report-file': fifo }, {}, /::warning::Could not write report-file .*fifo: ENXIO/],
      [
        {},
        { GITHUB_OUTPUT: fifo },
        /::warning::Could not write the step outputs to GITHUB_OUTPUT .*fifo: it is not a regular file \(a FIFO\)/,
      ],
      [
        {},
        { GITHUB_STEP_SUMMARY: fifo },
        /::warning::Could not write the job summary to GITHUB_STEP_SUMMARY .*fifo: it is not a regular file \(a FIFO\)/,
      ],
    ] as const) {
      const run = await runAction(
        { port: String(target.port), duration: '0.3', 'min-requests': '1', ...inputs },
        { env },
      );
      assert.equal(run.code, 0, run.stdout);
      assert.match(run.stdout, message);
      assert.ok(run.elapsedMs < 5000, `took ${Math.round(run.elapsedMs)} ms`);
    }
  });

  // Before: the report replaced the runner's outputs.
  for (const how of ['by its path', 'through a hard link']) {
    it(`report-file names GITHUB_OUTPUT ${how}: refused before any connection, the file left alone`, async () => {
      const output = join(dir, `output-${how.length}`);
      writeFileSync(output, 'kept<<EOF\nyes\nEOF\n');
      let reportFile = output;
      if (how === 'through a hard link') {
        reportFile = join(dir, 'hard-link');
        linkSync(output, reportFile);
      }
      const run = await runAction(
        {
          port: String(target.port),
          duration: '0.3',
          'min-requests': '1',
          'report-file': reportFile,
        },
        { env: { GITHUB_OUTPUT: output } },
      );
      assert.equal(run.code, 1);
      assert.ok(
        run.stdout.includes(
          `::error::Invalid report-file '${reportFile}': it is the runner's GITHUB_OUTPUT file`,
        ),
        run.stdout,
      );
      assert.equal(readFileSync(output, 'utf8'), 'kept<<EOF\nyes\nEOF\n');
      assert.equal(target.connections(), 0);
    });
  }

  it('a bug of ours during the load: the error starts a line of its own; outputs once', async () => {
    // Makes the bundle throw from inside the load, after the standard line has started: its
    // deadline timer is the only one set to exactly the duration, 4.321 s.
    const fault =
      'data:text/javascript,const t=globalThis.setTimeout;' +
      'globalThis.setTimeout=(f,ms,...a)=>{if(ms===4321)throw new Error("injected fault");return t(f,ms,...a)};';
    const run = await runAction(
      { port: String(target.port), duration: '4.321', 'min-requests': '0' },
      { nodeArgs: ['--import', fault] },
    );
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /^http test running\.\.\.\n::error::http-load-check failed unexpectedly: Error: injected fault/m,
    );
    assert.equal(run.outputText.match(/^outcome<</gm)?.length, 1, 'each output written once');
    assert.equal(run.outputs.outcome, 'failed');
    assert.equal(run.outputs.passed, 'false');
    assert.match(run.summary, /\| Outcome \| ❌ failed \|/);
  });
});
