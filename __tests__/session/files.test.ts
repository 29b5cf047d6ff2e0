/**
 * The files a run leaves behind, through the session (src/session.ts) run in this process
 * (helpers/session.ts) against real loopback servers: the JSON report (`report-file`, checked
 * against docs/report.schema.json), the github-action-benchmark file (`benchmark-file`), where they
 * go, a file that cannot be written, and a saved report used as `baseline-file` by a later run
 * (versions 1 and 2 accepted; an unusable file refused before any connection). Also the file
 * writer itself (src/system/files.ts) against a slow pipe. The action's default folder
 * (`RUNNER_TEMP`) and the runner's own files are bundle/action.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { doneOf, readJson, runInProcess } from '../helpers/session.js';
import { closedPort, startServer, type TestServer } from '../helpers/servers.js';
import {
  BETWEEN_RUN_SPREAD_PCT,
  compareRates,
  detectableRegressionPct,
  widenForBetweenRuns,
} from '../../src/stats/compare.js';

const schema = readJson(join(import.meta.dirname, '..', '..', 'docs', 'report.schema.json'));
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);

function assertValid(report: unknown): void {
  assert.ok(validate(report), JSON.stringify(validate.errors, null, 2));
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'http-load-check-files-'));
}

/**
 * A service that answers every request after `ms` on a timer: at 1 connection it manages at most
 * 1000 / ms requests a second, whatever the machine's load, against thousands for one that answers
 * at once. Verdicts between the two cannot depend on noise.
 */
function slowServer(ms: number): Promise<TestServer> {
  return startServer((_req, res) => setTimeout(() => res.end('ok'), ms));
}

describe('report-file and benchmark-file', () => {
  let target: TestServer;
  before(async () => (target = await startServer()));
  after(() => target.close());

  it('writes both to the default paths and names them in the outputs; the report is schemaVersion 3', async () => {
    const run = await runInProcess({
      port: String(target.port),
      duration: '1',
      'min-requests': '1',
      headers: 'Authorization: Bearer s3cr3t-value\nAccept: application/json',
      'secret-headers': 'X-Tenant: t3nant-value',
    });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs.report, join(run.dir, 'http-load-check.json'));
    assert.equal(run.outputs['benchmark-file'], join(run.dir, 'http-load-check-benchmark.json'));
    assert.equal(
      run.outputs['benchmark-latency-file'],
      join(run.dir, 'http-load-check-latency.json'),
    );

    const text = readFileSync(run.outputs.report, 'utf8');
    const files = [text, 'benchmark-file', 'benchmark-latency-file'].map((t, i) =>
      i === 0 ? t : readFileSync(run.outputs[t], 'utf8'),
    );
    for (const value of ['s3cr3t-value', 't3nant-value', 'application/json']) {
      for (const written of [...files, run.summary, JSON.stringify(run.outputs)]) {
        assert.ok(!written.includes(value), `${value} is written nowhere`);
      }
    }
    // Masked in the log: the credential header's value and secret-headers'; not Accept's.
    assert.deepEqual(run.secrets, ['Bearer s3cr3t-value', 't3nant-value']);
    const report = JSON.parse(text);
    assertValid(report);
    assert.deepEqual(report, JSON.parse(JSON.stringify(doneOf(run).report)), 'what --json prints');
    assert.equal(report.schemaVersion, 3);
    assert.deepEqual(report.decision, {
      passed: true,
      outcome: 'passed',
      message: doneOf(run).check.decision.message,
      gates: [
        { name: 'min-requests', limit: 1, value: report.result.requests, passed: true },
        { name: 'max-error-rate', limit: 1, value: 0, passed: true },
      ],
    });
    assert.ok(!('verdict' in report), 'version 1 called the decision verdict');
    assert.equal(report.result.requests, Number(run.outputs.requests));
    assert.equal(report.target, `http://127.0.0.1:${target.port}/`);
    assert.deepEqual(report.settings.headers, [
      ['Authorization', '***'],
      ['Accept', '***'],
      ['X-Tenant', '***'],
    ]);
    assert.deepEqual(report.settings.secretHeaders, ['x-tenant']);
    assert.equal(report.comparison, null);
    assert.deepEqual(report.warnings, run.warnings, 'the same warnings as the log');
    // rounds auto = 2 samples of 0.5 s in 1 s; answers after the deadline are in no sample.
    assert.equal(report.samples.sampleSec, 0.5);
    assert.equal(report.samples.rps.length, 2);
    assert.ok(!('samples' in report.result), 'version 1 called the counts result.samples');
    assert.deepEqual(
      report.samples.rps,
      report.result.sampleCounts.map((count: number) => count / 0.5),
    );
    const sampled = report.samples.rps.reduce((a: number, r: number) => a + r * 0.5, 0);
    assert.ok(sampled <= report.result.requests && sampled >= report.result.requests * 0.9);
    assert.ok(report.result.generator.cpuPct > 0 && report.result.generator.cpuPct <= 100);
    // busy-poll auto at 1 connection: a trial chose the mode, and the report says so.
    assert.equal(report.settings.busyPoll, 'auto');
    const { busyPollTrial } = report.result.generator;
    assert.ok(
      busyPollTrial.onPerSec > 0 && busyPollTrial.offPerSec > 0,
      JSON.stringify(busyPollTrial),
    );
    assert.equal(report.result.generator.busyPoll, busyPollTrial.chosen);
    assert.equal(busyPollTrial.chosen, busyPollTrial.onPerSec > busyPollTrial.offPerSec);

    const entries = readJson(run.outputs['benchmark-file']);
    assert.deepEqual(
      entries.map((e: { name: string; unit: string }) => [e.name, e.unit]),
      [['GET / (1 connection) throughput', 'req/s']],
    );
    assert.equal(entries[0].value, Number(run.outputs.rps));
    assert.match(entries[0].range, /^± \d+\.\d%$/);
    assert.match(entries[0].extra, new RegExp(`^${run.outputs.requests} requests in `));
    const latency = readJson(run.outputs['benchmark-latency-file']);
    assert.deepEqual(
      latency.map((e: { name: string; unit: string }) => [e.name, e.unit]),
      [
        ['GET / (1 connection) latency p50', 'ms'],
        ['GET / (1 connection) latency p95', 'ms'],
        ['GET / (1 connection) latency p99', 'ms'],
      ],
    );
    assert.ok(Math.abs(latency[1].value - Number(run.outputs['latency-p95-ms'])) <= 0.001);
  });

  it('writes where report-file and benchmark-file say, creating folders', async () => {
    const dir = tempDir();
    const report = join(dir, 'deep', 'er', 'r.json');
    const bench = join(dir, 'b.json');
    const run = await runInProcess({
      port: String(target.port),
      duration: '0.5',
      'min-requests': '0',
      'report-file': report,
      'benchmark-file': bench,
      'benchmark-latency-file': join(dir, 'l', 'latency.json'),
    });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs.report, report);
    assert.equal(run.outputs['benchmark-file'], bench);
    assert.equal(run.outputs['benchmark-latency-file'], join(dir, 'l', 'latency.json'));
    assertValid(readJson(report));
    assert.equal(readJson(bench).length, 1);
    assert.equal(readJson(join(dir, 'l', 'latency.json')).length, 3);
  });

  it('a report-file that cannot be written: a warning naming it; the benchmark file and the pass stand', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a-file'), ''); // a file where a folder would have to be
    const report = join(dir, 'a-file', 'report.json');
    const run = await runInProcess({
      port: String(target.port),
      duration: '0.3',
      'min-requests': '1',
      'report-file': report,
    });
    assert.equal(run.code, 0, run.stdout);
    assert.ok(
      run.warnings.some((w) => w.startsWith(`Could not write report-file ${report}: `)),
      JSON.stringify(run.warnings),
    );
    assert.equal(run.outputs.report, undefined);
    assert.equal(run.outputs['benchmark-file'], join(run.dir, 'http-load-check-benchmark.json'));
    assert.equal(
      run.outputs['benchmark-latency-file'],
      join(run.dir, 'http-load-check-latency.json'),
    );
    assert.equal(run.outputs.outcome, 'passed');
    assert.match(run.summary, /\| Outcome \| ✅ passed \|/);
  });

  it('still writes a valid report when the target never answers', async () => {
    const run = await runInProcess({
      port: String(await closedPort()),
      'wait-timeout': '0.2',
      duration: '1',
      'min-requests': '0',
    });
    assert.equal(run.code, 3);
    assert.equal(run.outputs.outcome, 'not-ready');
    const report = readJson(run.outputs.report);
    assertValid(report);
    assert.equal(report.decision.outcome, 'not-ready');
    assert.deepEqual(report.samples.rps, []);
    assert.deepEqual(report.result.sampleCounts, []);
  });
});

describe('baseline-file: a saved report as the baseline', () => {
  let saved: string;
  let base: TestServer;
  before(async () => {
    base = await startServer();
    const run = await runInProcess({ port: String(base.port), duration: '2', 'min-requests': '1' });
    assert.equal(run.code, 0, run.stdout);
    saved = run.outputs.report;
  });
  after(() => base.close());

  it('round trip: the same service again is no regression, and the summary warns of cross-run noise', async (t) => {
    // Two runs apart on a busy machine may differ by more than 5%: a regression here would take
    // the whole interval below -50%, which the same service cannot do.
    const run = await runInProcess({
      port: String(base.port),
      duration: '2',
      'min-requests': '1',
      'baseline-file': saved,
      'max-regression': '50',
    });
    t.diagnostic(`same service vs saved: ${run.outputs['change-percent']}% ${run.outputs.verdict}`);
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.outputs.verdict, /^(unchanged|slower|faster)$/);
    assert.equal(Number(run.outputs['baseline-requests']), readJson(saved).result.requests);
    assert.match(run.summary, /spread between two runs on one machine/);
    assert.match(
      run.summary,
      /does not account for runs hours or days apart, or on a different runner/,
    );
    assert.match(run.summary, /xychart-beta/);
    const report = readJson(run.outputs.report);
    assertValid(report);
    assert.equal(report.comparison.kind, 'saved');
    assert.equal(report.comparison.baselineFile.path, saved);
    assert.equal(report.comparison.shift.headSlices, 4);
    assert.equal(report.comparison.shift.baselineSlices, 4);
    assert.equal(report.comparison.shift.test, 'mann-whitney');
    // The interval is the two sets' own, widened by the calibrated spread between runs; the
    // detectable regression counts that spread too.
    assert.ok(BETWEEN_RUN_SPREAD_PCT > 0);
    const own = compareRates(report.samples.rps, readJson(saved).samples.rps, 0.95);
    const widened = widenForBetweenRuns(own, BETWEEN_RUN_SPREAD_PCT);
    assert.equal(report.comparison.shift.betweenRunSpreadPct, BETWEEN_RUN_SPREAD_PCT);
    assert.ok(Math.abs(report.comparison.shift.lowPct - widened.lowPct) < 1e-9);
    assert.ok(Math.abs(report.comparison.shift.highPct - widened.highPct) < 1e-9);
    assert.ok(
      report.comparison.shift.highPct - report.comparison.shift.lowPct > own.highPct - own.lowPct,
    );
    assert.equal(report.comparison.detectableRegressionPct, detectableRegressionPct(widened, 50));
    assert.match(run.stdout, /from both runs' noise and the spread between runs on one machine\)/);
  });

  it('a service far slower than the saved run is a regression: the check fails', async (t) => {
    // At most 200 req/s against thousands: every head sample is far below every saved one.
    const slow = await slowServer(5);
    try {
      const run = await runInProcess({
        port: String(slow.port),
        duration: '2',
        'min-requests': '1',
        'baseline-file': saved,
      });
      t.diagnostic(
        `slow service vs saved: ${run.outputs['change-percent']}% ${run.outputs.verdict}`,
      );
      assert.equal(run.code, 1, run.stdout);
      assert.equal(run.outputs.verdict, 'regression');
      assert.ok(Number(run.outputs['change-high']) < -50, run.outputs['change-high']);
      assert.match(run.failure ?? '', /^Check failed: throughput regression, head vs baseline/);
      assert.match(run.stdout, /\nsaved baseline: \d+ requests, [\d.]+ req\/s\n/);
    } finally {
      await slow.close();
    }
  });

  it('warns when the saved run used other settings, in the log, the summary and the report', async () => {
    const run = await runInProcess({
      port: String(base.port),
      duration: '1',
      connections: '2',
      'min-requests': '0',
      'baseline-file': saved,
    });
    const warning = run.warnings.find((w) => w.startsWith('The saved baseline'));
    assert.match(
      warning ?? '',
      /^The saved baseline .* was measured with connections 1; this run uses connections 2/,
    );
    assert.ok(run.stdout.includes(`::warning::${warning}\n`));
    assert.match(run.summary, /not like for like/);
    assert.ok(readJson(run.outputs.report).warnings.includes(warning));
  });

  it('reads a report of schemaVersion 1 (decision called verdict, sampleCounts called samples)', async () => {
    const { decision, result, ...rest } = readJson(saved);
    const { sampleCounts, ...counts } = result;
    const v1 = join(tempDir(), 'v1.json');
    writeFileSync(
      v1,
      JSON.stringify({
        ...rest,
        schemaVersion: 1,
        verdict: decision,
        result: { ...counts, samples: sampleCounts },
      }),
    );
    const run = await runInProcess({
      port: String(base.port),
      duration: '1',
      'min-requests': '1',
      'baseline-file': v1,
      'max-regression': '50',
    });
    assert.equal(run.code, 0, run.stdout);
    const { check } = doneOf(run);
    assert.equal(check.kind, 'saved');
    assert.equal(check.kind === 'saved' && check.saved?.samples.rps.length, 4);
    assert.equal(Number(run.outputs['baseline-requests']), result.requests);
  });

  it('rejects an unusable file before any connection, naming the input', async () => {
    const dir = tempDir();
    const write = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const report = readJson(saved);
    const withSamples = (name: string, sampleSec: number, rps: number[]) =>
      write(name, JSON.stringify({ ...report, samples: { sampleSec, rps } }));
    const fifo = () => {
      const path = join(dir, 'fifo');
      execFileSync('mkfifo', [path]);
      return path;
    };
    const sparse = (name: string, bytes: number) => {
      const path = write(name, '');
      truncateSync(path, bytes);
      return path;
    };
    const cases: [Record<string, string>, RegExp][] = [
      [{ 'baseline-file': join(dir, 'missing.json') }, /cannot read it \(ENOENT\)/],
      [{ 'baseline-file': write('text.json', 'not json') }, /not JSON/],
      [
        { 'baseline-file': write('v4.json', JSON.stringify({ ...report, schemaVersion: 4 })) },
        /schemaVersion is 4/,
      ],
      [
        {
          'baseline-file': write(
            'one.json',
            JSON.stringify({ ...report, samples: { sampleSec: 0.5, rps: [100] } }),
          ),
        },
        /holds 1 sample/,
      ],
      [
        { 'baseline-file': saved, 'baseline-port': '1' },
        /either baseline-port .* or baseline-file/,
      ],
      // Before: the heap ran out after 14 s (1e-9), or a RangeError with a stack (1e-13).
      [
        { 'baseline-file': withSamples('tiny.json', 1e-9, [100, 100]) },
        /samples are 1e-9 s long, so 10000000000 would fit in the 10 s of this run, more than 2000: set duration to at most 0\.000002/,
      ],
      [{ 'baseline-file': withSamples('tinier.json', 1e-13, [100, 100]) }, /more than 2000/],
      [{ 'baseline-file': withSamples('zero.json', 0, [100, 100]) }, /samples\.sampleSec is 0/],
      // Before: accepted, with a CV of NaN% and an interval up to +7e305%.
      [
        { 'baseline-file': withSamples('vast.json', 0.5, [1e308, 1e308, 100]) },
        /sample 1 is 1e\+308 req\/s, not a rate of at least 1 request per 0\.5 s sample and at most 1000000000 req\/s/,
      ],
      [
        { 'baseline-file': withSamples('dust.json', 0.5, [100, 1e-300]) },
        /sample 2 is 1e-300 req\/s/,
      ],
      [
        { 'baseline-file': withSamples('many.json', 0.5, new Array(2001).fill(100)) },
        /holds 2001 samples, more than 2000/,
      ],
      // Before: "a side answered no request" after the whole run.
      [
        { 'baseline-file': withSamples('long.json', 6, [100, 100]), duration: '10' },
        /samples are 6 s long, so 1 fit\(s\) in the 10 s of this run and at least 2 are needed: set duration to at least 12/,
      ],
      [{ 'baseline-file': dir }, /it is not a regular file \(a directory\)/],
      [{ 'baseline-file': '/dev/null' }, /it is not a regular file \(a device\)/],
      // Before: a FIFO blocked the run for ever.
      [{ 'baseline-file': fifo() }, /it is not a regular file \(a FIFO\)/],
      [{ 'baseline-file': sparse('huge.json', 9 * 1024 * 1024) }, /larger than 8 MiB/],
    ];
    const target = await startServer();
    try {
      for (const [inputs, message] of cases) {
        const run = await runInProcess({
          port: String(target.port),
          'min-requests': '0',
          ...inputs,
        });
        assert.equal(run.code, 2, JSON.stringify(inputs));
        assert.ok(run.elapsedMs < 5000, `took ${Math.round(run.elapsedMs)} ms`);
        assert.doesNotMatch(run.stdout, /\n\s+at /, 'no stack trace');
        assert.match(run.failure ?? '', /^Invalid baseline-file '/);
        assert.match(run.failure ?? '', message);
        assert.deepEqual(run.outputs, {});
      }
      assert.equal(target.connections(), 0, 'no connection for a bad baseline-file');
    } finally {
      await target.close();
    }
  });
});
