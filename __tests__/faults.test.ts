/**
 * Every fault of the target, through the built bundle as the runner runs it. Each row is a server
 * behaviour and what the user must see: the run ends in bounded time, the counts match what the
 * server itself counted, the outputs and the summary are written, and the exit code is right.
 */
import assert from 'node:assert/strict';
import type http from 'node:http';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { writeJson } from '../src/files.js';
import { runAction, startAction, type ActionRun } from './helpers/action.js';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, linkSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  closedPort,
  OK_RESPONSE,
  startRawHttpServer,
  startServer,
  startTcpServer,
  type Handler,
  type RawHttpServer,
  type TestServer,
} from './helpers/servers.js';

/** Node start-up, readiness and exit: what a run may take beyond its own time bounds. */
const SLACK_MS = 1500;

interface Row {
  name: string;
  /** Starts the misbehaving target; returns it and its port. */
  target: () => Promise<{
    port: number;
    server?: TestServer;
    raw?: RawHttpServer;
    after?: () => Promise<void>;
  }>;
  inputs?: Record<string, string>;
  /** Upper bound of the run's wall time, in ms, before SLACK_MS. */
  boundMs: number;
  check: (run: ActionRun, server?: TestServer, raw?: RawHttpServer) => void;
}

const n = (run: ActionRun, name: string) => Number(run.outputs[name]);

function assertWritten(run: ActionRun) {
  for (const name of ['requests', 'unexpected-status', 'errors', 'timeouts', 'passed', 'outcome']) {
    assert.ok(name in run.outputs, `output ${name} missing: ${JSON.stringify(run.outputs)}`);
  }
  assert.match(run.summary, /\| Verdict \| /);
}

/** Requests and unexpected statuses equal what the server finished sending. */
function assertCountsMatch(run: ActionRun, server: TestServer) {
  const byStatus = server.servedByStatus();
  let ok = 0;
  let other = 0;
  for (const [status, count] of Object.entries(byStatus)) {
    if (Number(status) >= 200 && Number(status) <= 299) ok += count;
    else other += count;
  }
  // The readiness probe is one response the server sent and the load did not count.
  const probe = 1;
  assert.equal(n(run, 'requests') + n(run, 'unexpected-status') + probe, ok + other, 'total');
  assert.ok(
    n(run, 'requests') === ok - probe || n(run, 'requests') === ok,
    `requests ${n(run, 'requests')} vs served ok ${ok}`,
  );
}

/** The check of the rows where every request fails with an error. */
function everyRequestFails(run: ActionRun) {
  assert.equal(run.code, 1);
  assert.equal(n(run, 'requests'), 0);
  assert.ok(n(run, 'errors') > 0, `errors ${run.outputs.errors}`);
}

/** The check of the rows where the service never finishes an answer. */
function timedOut(run: ActionRun) {
  assert.equal(run.code, 1);
  assert.equal(n(run, 'requests'), 0);
  assert.ok(n(run, 'timeouts') >= 1, `timeouts ${run.outputs.timeouts}`);
}

/** A real HTTP server answering with `handler`, as a row's target. */
async function serve(handler?: Handler) {
  const server = await startServer(handler);
  return { port: server.port, server };
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const rows: Row[] = [
  {
    name: 'refuses connections: not ready after wait-timeout, names the URL and the last error',
    target: async () => ({ port: await closedPort() }),
    inputs: { 'wait-timeout': '1' },
    boundMs: 1000,
    check: (run) => {
      assert.equal(run.code, 1);
      assert.equal(run.outputs.outcome, 'not-ready');
      assert.equal(n(run, 'requests'), 0);
      assert.match(
        run.stdout,
        /::error::Target http:\/\/127\.0\.0\.1:\d+\/ did not answer within 1 s \(wait-timeout\); last error: connect ECONNREFUSED 127\.0\.0\.1:\d+/,
      );
      assert.ok(!run.stdout.includes('http test running'), 'the load never started');
    },
  },
  {
    name: 'refuses connections with wait-timeout 0: errors counted, no crash',
    target: async () => ({ port: await closedPort() }),
    inputs: { 'wait-timeout': '0' },
    boundMs: 1000,
    check: (run) => {
      assert.equal(run.code, 1);
      assert.equal(run.outputs.outcome, 'failed');
      assert.equal(n(run, 'requests'), 0);
      assert.ok(n(run, 'errors') > 0);
      assert.match(run.summary, /\| Errors by kind \| ECONNREFUSED: \d+ \|/);
    },
  },
  {
    name: 'comes up 2 s late: waits, then measures',
    target: async () => {
      const port = await closedPort();
      let server: TestServer | undefined;
      const late = sleep(2000).then(async () => (server = await startServer(undefined, port)));
      return {
        port,
        get server() {
          return server;
        },
        after: async () => void (await late),
      };
    },
    inputs: { 'wait-timeout': '10' },
    boundMs: 2000 + 1000,
    check: (run, server) => {
      assert.equal(run.code, 0, run.stdout);
      assert.match(run.stdout, /Target answered \(status 200\) after [12]\.\d s/);
      assert.ok(server);
      assertCountsMatch(run, server);
    },
  },
  {
    name: 'accepts then closes at once: errors, not requests',
    target: async () => {
      const server = await startTcpServer((socket) => socket.destroy());
      return { port: server.port, server };
    },
    inputs: { 'wait-timeout': '0' },
    boundMs: 1000,
    check: everyRequestFails,
  },
  {
    name: 'resets mid-response: errors, not requests',
    target: () =>
      serve((_req, res) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('partial');
        setTimeout(() => res.socket?.resetAndDestroy(), 5);
      }),
    inputs: { 'wait-timeout': '0' },
    boundMs: 1000,
    check: (run) => {
      assert.equal(run.code, 1);
      assert.equal(n(run, 'requests'), 0);
      assert.ok(n(run, 'errors') > 0);
      assert.match(run.summary, /\| Errors by kind \| (ECONNRESET|UND_ERR_SOCKET)/);
    },
  },
  {
    name: 'hangs forever: timeouts, and the run ends within duration + timeout + 1 s',
    target: () => serve(() => {}),
    inputs: { 'wait-timeout': '0', timeout: '0.5' },
    boundMs: 1000 + 500 + 1000,
    check: (run) => {
      assert.equal(run.code, 1);
      assert.equal(n(run, 'requests'), 0);
      assert.ok(n(run, 'timeouts') >= 1, `timeouts ${run.outputs.timeouts}`);
      assert.equal(n(run, 'errors'), 0);
    },
  },
  {
    name: 'drips the body one byte a second: the whole-request timeout fires',
    target: () =>
      serve((_req, res) => {
        res.writeHead(200, { 'content-length': '1000' });
        const timer = setInterval(() => res.write('x'), 1000);
        res.on('close', () => clearInterval(timer));
        res.write('x');
      }),
    inputs: { 'wait-timeout': '0', timeout: '1.5' },
    boundMs: 1000 + 1500 + 1000,
    check: timedOut,
  },
  {
    name: 'sends a 100 MB body: read in full and counted',
    target: async () => {
      const chunk = Buffer.alloc(1 << 20, 120);
      const server = await startServer((_req, res) => {
        res.writeHead(200, { 'content-length': String(100 * chunk.length) });
        let sent = 0;
        const more = () => {
          while (sent < 100) {
            sent++;
            if (!res.write(chunk)) return void res.once('drain', more);
          }
          res.end();
        };
        more();
      });
      return { port: server.port, server };
    },
    inputs: { 'wait-timeout': '0', timeout: '10' },
    boundMs: 1000 + 10_000,
    check: (run, server) => {
      assert.ok(server);
      assert.ok(n(run, 'requests') >= 1);
      assert.equal(n(run, 'requests'), server.served());
      assert.equal(n(run, 'errors'), 0);
    },
  },
  {
    name: 'sends a chunked body that never ends: timeouts',
    target: () =>
      serve((_req, res) => {
        res.writeHead(200);
        const timer = setInterval(() => res.write('chunk\n'), 50);
        res.on('close', () => clearInterval(timer));
      }),
    inputs: { 'wait-timeout': '0', timeout: '0.5' },
    boundMs: 1000 + 500 + 1000,
    check: timedOut,
  },
  {
    name: 'answers 500 always: unexpected status, not requests; exit 1',
    target: () =>
      serve((_req, res) => {
        res.statusCode = 500;
        res.end('boom');
      }),
    boundMs: 1000,
    check: (run, server) => {
      assert.ok(server);
      assert.equal(run.code, 1);
      assert.equal(n(run, 'requests'), 0);
      assert.equal(n(run, 'unexpected-status'), server.served() - 1 /* readiness probe */);
      assert.match(run.summary, /\| Responses by status \| 500: \d+ \|/);
    },
  },
  {
    name: 'answers 503 every third request: counted apart',
    target: () =>
      serve((_req, res, i) => {
        res.statusCode = i % 3 === 2 ? 503 : 200;
        res.end();
      }),
    boundMs: 1000,
    check: (run, server) => {
      assert.ok(server);
      assert.equal(run.code, 0);
      assertCountsMatch(run, server);
      assert.equal(n(run, 'unexpected-status'), server.servedByStatus()[503]);
      assert.match(run.summary, /\| Responses by status \| 200: \d+, 503: \d+ \|/);
    },
  },
  {
    name: 'crashes mid-run: what was served counts, the rest are errors',
    target: async () => {
      const server = await startServer();
      return {
        port: server.port,
        server,
        after: async () => {
          await sleep(700); // readiness and start-up, then half of the window
          await server.close();
        },
      };
    },
    inputs: { duration: '1.5' },
    boundMs: 1500,
    check: (run, server) => {
      assert.ok(server);
      assertCountsMatch(run, server);
      assert.ok(n(run, 'errors') > 0, 'refused after the crash');
    },
  },
  {
    name: 'closes the connection after every response (like gunicorn sync workers)',
    target: () =>
      serve((_req, res) => {
        res.setHeader('connection', 'close');
        res.end('ok');
      }),
    boundMs: 1000,
    check: (run, server) => {
      assert.ok(server);
      assert.equal(run.code, 0);
      assertCountsMatch(run, server);
      assert.equal(n(run, 'errors'), 0);
      assert.ok(server.connections() > 10);
    },
  },
  {
    name: 'closes the connection after every 100 requests',
    target: () =>
      serve((_req, res, i) => {
        if (i % 100 === 99) res.setHeader('connection', 'close');
        res.end('ok');
      }),
    boundMs: 1000,
    check: (run, server) => {
      assert.ok(server);
      assert.equal(run.code, 0);
      assertCountsMatch(run, server);
      assert.equal(n(run, 'errors'), 0);
    },
  },
  {
    name: 'closes the connection after every 100 responses without saying so',
    target: () =>
      serve((_req, res, i) => {
        res.end('ok', () => {
          if (i % 100 === 99) res.socket?.destroy();
        });
      }),
    boundMs: 1000,
    check: (run, server) => {
      assert.ok(server);
      assert.equal(run.code, 0);
      assertCountsMatch(run, server);
      const closes = Math.ceil(server.served() / 100);
      assert.ok(n(run, 'errors') <= closes, `errors ${run.outputs.errors}, closes ${closes}`);
    },
  },
  {
    name: 'answers 301: not followed, an unexpected status',
    target: () =>
      serve((_req, res) => {
        res.writeHead(301, { location: 'http://127.0.0.1:1/elsewhere' });
        res.end();
      }),
    boundMs: 1000,
    check: (run, server) => {
      assert.ok(server);
      assert.equal(run.code, 1);
      assert.equal(n(run, 'requests'), 0);
      assert.equal(n(run, 'unexpected-status'), server.served() - 1);
      assert.match(run.summary, /\| Responses by status \| 301: \d+ \|/);
    },
  },
  {
    name: 'answers every request twice: each extra response is an error, never an answer',
    target: async () => {
      const raw = await startRawHttpServer((socket) => socket.write(OK_RESPONSE + OK_RESPONSE));
      return { port: raw.port, server: raw, raw };
    },
    boundMs: 1000,
    check: (run, _server, raw) => {
      assert.ok(raw);
      // Every request the server received (but the readiness probe) was answered and counted, or
      // met an extra response and counted as that error.
      assert.equal(n(run, 'requests') + n(run, 'errors'), raw.received() - 1);
      assert.ok(n(run, 'errors') >= n(run, 'requests') - 1, run.outputs.errors);
      assert.match(run.summary, /\| Errors by kind \| UNSOLICITED\\_RESPONSE: \d+ \|/);
    },
  },
  {
    name: 'closes every keep-alive connection silently: reconnects at once',
    target: async () => {
      const raw = await startRawHttpServer((socket) => socket.end(OK_RESPONSE));
      return { port: raw.port, server: raw, raw };
    },
    boundMs: 1000,
    check: (run, _server, raw) => {
      assert.ok(raw);
      // With a 10 ms pause after each close, fewer than 100 in 1 s; thousands without.
      assert.ok(n(run, 'requests') >= 200, run.outputs.requests);
      assert.ok(n(run, 'requests') <= raw.received() - 1);
    },
  },
  {
    name: 'sends 103 Early Hints before each answer: counted by the final status',
    target: async () => {
      const raw = await startRawHttpServer((socket) =>
        socket.write(
          `HTTP/1.1 103 Early Hints\r\nlink: </a.css>; rel=preload\r\n\r\n${OK_RESPONSE}`,
        ),
      );
      return { port: raw.port, server: raw, raw };
    },
    boundMs: 1000,
    check: (run, _server, raw) => {
      assert.ok(raw);
      assert.equal(run.code, 0);
      assert.equal(n(run, 'requests'), raw.received() - 1);
      assert.equal(n(run, 'errors'), 0);
      assert.match(run.summary, /\| Responses by status \| 200: \d+ \|/);
    },
  },
  {
    name: 'sends 100 Continue before each answer: refused by undici (a known limit), errors',
    target: async () => {
      const raw = await startRawHttpServer((socket) =>
        socket.write(`HTTP/1.1 100 Continue\r\n\r\n${OK_RESPONSE}`),
      );
      return { port: raw.port, server: raw, raw };
    },
    inputs: { 'wait-timeout': '0' },
    boundMs: 1000,
    check: (run) => {
      everyRequestFails(run);
      assert.match(run.summary, /\| Errors by kind \| UND\\_ERR\\_SOCKET: \d+ \|/);
    },
  },
];

describe('faults of the target (bundle, real servers)', () => {
  for (const row of rows) {
    it(row.name, async (t) => {
      const target = await row.target();
      try {
        const running = runAction({
          port: String(target.port),
          duration: '1',
          'min-requests': '1',
          ...row.inputs,
        });
        await target.after?.();
        const run = await running;
        assertWritten(run);
        assert.ok(
          run.elapsedMs < row.boundMs + SLACK_MS,
          `took ${Math.round(run.elapsedMs)} ms, bound ${row.boundMs} + ${SLACK_MS} ms`,
        );
        t.diagnostic(
          `outcome ${run.outputs.outcome}, exit ${run.code}, ${Math.round(run.elapsedMs)} ms; ` +
            ['requests', 'unexpected-status', 'errors', 'timeouts']
              .map((name) => `${name} ${run.outputs[name]}`)
              .join(', ') +
            (target.server ? `; server sent ${target.server.served()}` : ''),
        );
        row.check(run, target.server, target.raw);
      } finally {
        await target.server?.close();
      }
    });
  }
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
      await sleep(1200);
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
      assert.match(run.stdout, /::error::Throughput check cancelled by SIGTERM after [\d.]+ s/);
      assert.match(run.summary, /\| Verdict \| ⏹️ cancelled \|/);
    } finally {
      await server.close();
    }
  });
});

describe('secret headers', () => {
  it('sends the header but never prints its value, except in the add-mask command', async () => {
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
        headers: `Authorization: Bearer ${secret}\nX-Extra: ${secret}-2`,
      });
      assert.equal(run.code, 0, run.stdout);
      assert.equal(seen.authorization, `Bearer ${secret}`);
      assert.equal(seen['x-extra'], `${secret}-2`);
      const masked = run.stdout
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .join('\n');
      assert.ok(run.stdout.includes(`::add-mask::Bearer ${secret}`), 'registered as a secret');
      assert.ok(!masked.includes(secret), 'not in the log');
      assert.ok(!run.summary.includes(secret), 'not in the summary');
      assert.ok(!JSON.stringify(run.outputs).includes(secret), 'not in the outputs');
      assert.match(run.summary, /\| Headers sent \| Authorization, X-Extra \(values hidden\) \|/);
    } finally {
      await server.close();
    }
  });
});

describe('bad inputs', () => {
  const bad: [string, string][] = [
    ['port', ''],
    ['port', '0'],
    ['port', '65536'],
    ['port', 'abc'],
    ['duration', '0'],
    ['duration', '-1'],
    ['duration', '5s'],
    ['min-requests', ''],
    ['min-requests', '-1'],
    ['min-requests', '1.5'],
    ['connections', '0'],
    ['connections', '1001'],
    ['pipelining', '0'],
    ['busy-poll', 'yes'],
    ['timeout', '0'],
    ['timeout', '5s'],
    ['wait-timeout', '-1'],
    ['warmup', 'abc'],
    ['expected-status', '2xx'],
    ['headers', 'no colon here'],
    ['host', 'http://127.0.0.1'],
    ['path', 'health'],
    ['baseline-port', '0'],
    ['rounds', '1'],
    ['max-regression', 'x'],
    ['confidence', '2'],
    // Values the URL parser or undici would refuse later, on every request.
    ['host', '127.0.0.1:8080'],
    ['host', '999.1.1.1'],
    ['host', 'a:b'],
    ['headers', 'Expect: 100-continue'],
    ['headers', 'Host: a.example\nHost: b.example'],
    ['headers', 'X-Value: caf\u20ac'],
    ['headers', 'X-Value: a\u0001b'],
    ['headers', 'Transfer-Encoding: chunked'],
    ['headers', 'Upgrade: h2c'],
    ['headers', 'Keep-Alive: timeout=5'],
    ['headers', 'Content-Length: 5'],
    ['path', '/a\u0001b'],
  ];
  for (const [name, value] of bad) {
    it(`${name} '${value}': exit 1, a message naming the input, and no connection at all`, async () => {
      const server = await startServer();
      try {
        const run = await runAction({
          port: String(server.port),
          duration: '0.3',
          'min-requests': '1',
          [name]: value,
        });
        assert.equal(run.code, 1);
        assert.match(run.stdout, new RegExp(`::error::(Invalid |Input ')${name}`));
        assert.deepEqual(run.outputs, {});
        assert.equal(server.connections(), 0, 'not even a readiness probe');
        if (name === 'headers') assert.ok(!run.stdout.includes(value), 'a header is never echoed');
      } finally {
        await server.close();
      }
    });
  }
});

describe('a comparison with a side that never answers (bundle)', () => {
  it('ends within 2 x duration + warm-up + timeout + 1 s; log and summary say which side and why', async () => {
    const head = await startServer();
    const baseline = await startServer(() => {}); // accepts, never answers
    try {
      const run = await runAction({
        port: String(head.port),
        'baseline-port': String(baseline.port),
        duration: '1',
        rounds: '4',
        timeout: '1',
        'wait-timeout': '0',
        'min-requests': '0',
      });
      const boundMs = 2 * 1000 + 2 * 1500 + 1000 + 1000;
      assert.ok(run.elapsedMs < boundMs + SLACK_MS, `took ${Math.round(run.elapsedMs)} ms`);
      assert.equal(run.code, 1);
      assert.equal(run.outputs.outcome, 'failed');
      assert.equal(run.outputs['baseline-requests'], '0');
      assert.equal(run.outputs.verdict, '');
      assert.match(
        run.stdout,
        /\nbaseline: 0 requests, 0\.0 req\/s over [\d.]+ s; unexpected status: 0, errors: 0, timeouts: \d+\n/,
      );
      assert.match(
        run.stdout,
        /::error::Throughput comparison failed: the baseline answered no request with an expected status in 4 of 4 slices/,
      );
      assert.match(run.summary, /\| Timeouts \| \d+ \| 0 \|/);
      assert.match(run.summary, /\| Errors \| 0 \| 0 \|/);
      // A request that hangs from the warm-up on fails there: the table says so.
      assert.match(
        run.summary,
        /\| Warm-up \(not counted\) \| 0 answers, [1-9]\d* failed requests \| [1-9]\d* answers, 0 failed requests \|/,
      );
    } finally {
      await Promise.all([head.close(), baseline.close()]);
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
        assert.match(run.summary, /\| Verdict \| ✅ passed \|/);
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

  it('a report bigger than a pipe buffer, to a FIFO with a slow reader: written whole', async () => {
    // Opened non-blocking to find a reader; before, the writes stayed non-blocking and failed
    // with EAGAIN once the pipe was full.
    const fifo = join(dir, 'slow-fifo');
    execFileSync('mkfifo', [fifo]);
    // The reader writes to a file: our write is synchronous, so nothing would drain a pipe to us.
    const copy = join(dir, 'slow-fifo-copy');
    const reader = spawn('sh', ['-c', 'exec 3<"$0"; sleep 0.3; cat <&3 >"$1"', fifo, copy]);
    const closed = new Promise((resolve) => reader.on('close', resolve));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const value = { filler: 'x'.repeat(256 * 1024) };
    // Until the reader's shell has opened the FIFO, the write fails with ENXIO: try again.
    for (let i = 0; ; i++) {
      try {
        writeJson(fifo, value);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENXIO' || i > 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    await closed;
    assert.deepEqual(JSON.parse(readFileSync(copy, 'utf8')), value);
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
    assert.match(run.summary, /\| Verdict \| ❌ failed \|/);
  });
});

describe('a path beyond ASCII (bundle)', () => {
  it('is sent percent-encoded as UTF-8: /€ arrives as /%E2%82%AC, and every request counts', async () => {
    const urls = new Set<string>();
    const target = await startServer((req, res) => {
      urls.add(req.url ?? '');
      res.end('ok');
    });
    try {
      const run = await runAction({
        port: String(target.port),
        duration: '0.3',
        path: '/€',
        'min-requests': '1',
      });
      assert.equal(run.code, 0, run.stdout);
      assert.deepEqual([...urls], ['/%E2%82%AC']);
      assert.equal(n(run, 'errors'), 0);
      assert.equal(n(run, 'requests'), target.served() - 1);
      assert.match(run.summary, /\| Target \| `http:\/\/127\.0\.0\.1:\d+\/%E2%82%AC` \|/);
    } finally {
      await target.close();
    }
  });
});
