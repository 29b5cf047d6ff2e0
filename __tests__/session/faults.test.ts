/**
 * Every fault of the target, through the session (src/session.ts) run in this process with a
 * recording sink (helpers/session.ts), against real servers on ephemeral loopback ports. Each row is
 * a server behaviour and what the user must see: the run ends in bounded time, the counts match
 * what the server itself counted, the outputs and the summary are written, and the decision is
 * right. Also: bad inputs (refused before any connection), a comparison with a side that never
 * answers, and a path beyond ASCII. Runs share the process a few at a time: every bound here is a
 * timer's and every count is compared with the server's own, so neither depends on the CPU left
 * over (no statistics are judged here). How the action's runner sees the same run (exit codes,
 * workflow commands, its files) is bundle/action.test.ts.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { TRIAL_MS } from '../../src/check/busy-poll.js';
import type { ComparisonCheck } from '../../src/model/check.js';
import { doneOf, runInProcess, type SessionRun } from '../helpers/session.js';
import {
  closedPort,
  OK_RESPONSE,
  startRawHttpServer,
  startServer,
  startTcpServer,
  type Handler,
  type RawHttpServer,
  type TestServer,
} from '../helpers/servers.js';

/** Readiness and timer slack on a busy machine: what a run may take beyond its own time bounds. */
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
  check: (run: SessionRun, server?: TestServer, raw?: RawHttpServer) => void;
}

const n = (run: SessionRun, name: string) => Number(run.outputs[name]);

function assertWritten(run: SessionRun) {
  for (const name of ['requests', 'unexpected-status', 'errors', 'timeouts', 'passed', 'outcome']) {
    assert.ok(name in run.outputs, `output ${name} missing: ${JSON.stringify(run.outputs)}`);
  }
  assert.match(run.summary, /\| Outcome \| /);
}

/** Requests and unexpected statuses equal what the server finished sending. */
function assertCountsMatch(run: SessionRun, server: TestServer) {
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
function everyRequestFails(run: SessionRun) {
  assert.equal(run.code, 1);
  assert.equal(n(run, 'requests'), 0);
  assert.ok(n(run, 'errors') > 0, `errors ${run.outputs.errors}`);
}

/** The check of the rows where the service never finishes an answer. */
function timedOut(run: SessionRun) {
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
      assert.equal(run.code, 3);
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
      assert.match(run.stdout, /^Target answered \(status 200\) after [12]\.\d s\nhttp test/);
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
    name: 'hangs forever, busy-poll auto: the trial takes its 0.8 s and chooses no spinning',
    target: () => serve(() => {}),
    inputs: { 'wait-timeout': '0', timeout: '0.5', 'busy-poll': 'auto' },
    boundMs: TRIAL_MS + 1000 + 500 + 1000,
    check: (run) => {
      assert.equal(run.code, 1);
      assert.equal(n(run, 'requests'), 0);
      assert.ok(n(run, 'timeouts') >= 1, `timeouts ${run.outputs.timeouts}`);
      const { generator, warmup } = doneOf(run).check.result;
      assert.deepEqual(generator.busyPollTrial, { onPerSec: 0, offPerSec: 0, chosen: false });
      assert.equal(generator.busyPoll, false);
      assert.ok(warmup.failures >= 1, 'the trial timed out too');
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
    name: 'answers 500 always: unexpected status, not requests; the check fails',
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
      // A third of the answers are 503: far above the default max-error-rate of 1%.
      assert.equal(run.code, 1);
      assert.equal(run.outputs['failed-gates'], 'max-error-rate');
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
      // met an extra response and counted as that error. The request an extra response cuts off
      // was written, but undici then resets the connection, and a reset can discard it unread on
      // the server's side: so an error may stand for a request the server never saw, and a count
      // never does.
      const received = raw.received() - 1;
      assert.ok(n(run, 'requests') <= received, `${run.outputs.requests} of ${received}`);
      assert.ok(n(run, 'requests') + n(run, 'errors') >= received, JSON.stringify(run.outputs));
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

describe('faults of the target (session in process, real servers)', { concurrency: 4 }, () => {
  for (const row of rows) {
    it(row.name, async (t) => {
      const target = await row.target();
      try {
        const running = runInProcess({
          port: String(target.port),
          duration: '1',
          'min-requests': '1',
          // The mode set, not tried: the trial of `auto` sends requests the server counts and the
          // load does not (tested in busy-poll.test.ts), and these rows count exactly.
          'busy-poll': 'true',
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
          `outcome ${run.outputs.outcome}, code ${run.code}, ${Math.round(run.elapsedMs)} ms; ` +
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

describe('bad inputs', () => {
  const bad: [string, string][] = [
    ['url', 'ftp://127.0.0.1/'],
    ['port', '0'],
    ['port', '65536'],
    ['port', 'abc'],
    ['duration', '0'],
    ['duration', '-1'],
    ['duration', '5sec'],
    ['min-requests', '-1'],
    ['max-error-rate', '101'],
    ['max-p95-ms', '0'],
    ['rate', '0'],
    ['min-requests', '1.5'],
    ['connections', '0'],
    ['connections', '1001'],
    ['pipelining', '0'],
    ['busy-poll', 'yes'],
    ['timeout', '0'],
    ['timeout', '5 seconds'],
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
    it(`${name} '${value}': code 2, a message naming the input, nothing published, no connection at all`, async () => {
      const server = await startServer();
      try {
        const run = await runInProcess({
          ...(name === 'url' ? {} : { port: String(server.port) }),
          duration: '0.3',
          'min-requests': '1',
          [name]: value,
        });
        assert.equal(run.code, 2);
        assert.equal(run.end.status, 'bad-input');
        assert.match(run.failure ?? '', new RegExp(`^(Invalid |Input ')${name}`));
        assert.deepEqual(run.outputs, {});
        assert.equal(run.summary, '');
        assert.deepEqual(run.secrets, []);
        assert.deepEqual(readdirSync(run.dir), [], 'no report written');
        assert.equal(server.connections(), 0, 'not even a readiness probe');
        if (name === 'headers') assert.ok(!run.stdout.includes(value), 'a header is never echoed');
      } finally {
        await server.close();
      }
    });
  }
});

describe(
  'a comparison with a side that never answers (session in process)',
  { concurrency: true },
  () => {
    // duration 1 s per side in 4 slices of 0.25 s: 6 warm-up slices of 0.25 s per side. Before, a
    // hung side held every one of its 10 slices for a whole timeout: 10 x 2 s. The bound is
    // 2 x duration + both sides' warm-up + the busy-poll trial on the head + timeout + 1 s, plus
    // timer slack on a busy machine (the slices' own timers, 20 of them here).
    const inputs = { duration: '1', rounds: '4', 'min-requests': '0' };
    const boundMs = (timeoutSec: number) =>
      2 * 1000 + 2 * 1500 + TRIAL_MS + timeoutSec * 1000 + 1000 + 500;
    const hangs: Handler = () => {};
    /** Answers the first request (the readiness probe), then never again. */
    const answersOnceThenHangs: Handler = (_req, res, index) => {
      if (index === 0) res.end('ok');
    };

    async function compare(
      headHandler: Handler | undefined,
      baselineHandler: Handler | undefined,
      extra: Record<string, string>,
    ): Promise<{ run: SessionRun; check: ComparisonCheck }> {
      const head = await startServer(headHandler);
      const baseline = await startServer(baselineHandler);
      try {
        const run = await runInProcess({
          ...inputs,
          ...extra,
          port: String(head.port),
          'baseline-port': String(baseline.port),
        });
        const { check } = doneOf(run);
        assert.equal(check.kind, 'paired');
        return { run, check };
      } finally {
        await Promise.all([head.close(), baseline.close()]);
      }
    }

    it('the baseline accepts and never answers (no readiness wait): bounded; log, summary and decision name the baseline', async () => {
      const { run, check } = await compare(undefined, hangs, { timeout: '1', 'wait-timeout': '0' });
      assert.ok(run.elapsedMs < boundMs(1), `took ${Math.round(run.elapsedMs)} ms`);
      assert.equal(run.code, 1);
      assert.equal(run.outputs.outcome, 'failed');
      assert.equal(run.outputs['baseline-requests'], '0');
      assert.equal(run.outputs.verdict, '');
      assert.match(
        run.stdout,
        /\nbaseline: 0 requests, 0\.0 req\/s over [\d.]+ s; unexpected status: 0, errors: 0, timeouts: \d+\n/,
      );
      assert.match(
        run.failure ?? '',
        /^Check failed: the throughput comparison cannot be made: the baseline answered no request with an expected status in 4 of 4 slices \(0 requests; unexpected status 0, errors 0, timeouts \d+ at timeout 1 s(; in the warm-up 0 responses and \d+ failures)?\)$/,
      );
      assert.match(run.summary, /\| Timeouts \| \d+ \| 0 \|/);
      assert.match(run.summary, /\| Errors \| 0 \| 0 \|/);
      // A request that hangs from the warm-up on fails there: the table says so.
      assert.match(
        run.summary,
        /\| Warm-up \(not counted\) \| 0 responses, [1-9]\d* failures \| [1-9]\d* responses, 0 failures \|/,
      );
      assert.equal(check.decision.passed, false);
      assert.ok(check.baseline.warmup.failures >= 1, `warm-up ${check.baseline.warmup.failures}`);
      assert.ok(check.result.requests > 0, 'the head was measured');
      assert.equal(check.shift, null);
      assert.equal(check.verdict, null);
    });

    it('the baseline answers the readiness probe, then hangs: bounded; the decision names the baseline', async () => {
      const { run, check } = await compare(undefined, answersOnceThenHangs, { timeout: '2' });
      assert.ok(run.elapsedMs < boundMs(2), `took ${Math.round(run.elapsedMs)} ms`);
      assert.equal(run.code, 1);
      assert.equal(check.decision.outcome, 'failed');
      assert.match(
        check.decision.message,
        /^Check failed: the throughput comparison cannot be made: the baseline answered no request with an expected status in 4 of 4 slices \(0 requests; unexpected status 0, errors 0, timeouts \d+ at timeout 2 s(; in the warm-up 0 responses and \d+ failures)?\)$/,
      );
      // The hung request times out in whichever slice sent it: a counted one or the warm-up.
      const { timeouts, warmup } = check.baseline;
      assert.ok(
        timeouts + warmup.failures >= 1,
        `timeouts ${timeouts}, warm-up ${warmup.failures}`,
      );
      assert.ok(check.result.requests > 0, 'the head was measured');
      assert.equal(check.shift, null);
    });

    it('the head hangs: bounded; the decision names the head, not the baseline', async () => {
      const { run, check } = await compare(hangs, undefined, { timeout: '2', 'wait-timeout': '0' });
      assert.ok(run.elapsedMs < boundMs(2), `took ${Math.round(run.elapsedMs)} ms`);
      assert.equal(run.code, 1);
      assert.match(
        check.decision.message,
        /^Check failed: the throughput comparison cannot be made: the head answered no request/,
      );
      assert.doesNotMatch(check.decision.message, /the baseline/);
      assert.ok(check.result.timeouts + check.result.warmup.failures >= 1);
      assert.ok(check.baseline.requests > 0);
      assert.equal(run.outputs.requests, '0');
    });
  },
);

describe('a path beyond ASCII', () => {
  it('is sent percent-encoded as UTF-8: /€ arrives as /%E2%82%AC, and every request counts', async () => {
    const urls = new Set<string>();
    const target = await startServer((req, res) => {
      urls.add(req.url ?? '');
      res.end('ok');
    });
    try {
      const run = await runInProcess({
        port: String(target.port),
        duration: '0.3',
        path: '/€',
        'min-requests': '1',
        'busy-poll': 'true',
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
