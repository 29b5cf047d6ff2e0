/**
 * src/present/json.ts, pure: the JSON report. For an absolute, a paired and a saved check, a
 * cancelled run and an open-model run it is valid against docs/report.schema.json (schemaVersion
 * 3); it carries the settings with every header value masked (the gates' limits and the rate
 * among them), the decision with every gate judged, the result with its rate, its error rate, its
 * schedule and its p95 latency, the samples with their variation, the warnings as texts (the
 * min-requests noise warning included) and, for a comparison, where the baseline came from, the
 * shift, the verdict, the baseline's result and every slice with its outlier flag. The schema
 * rejects a report whose gates, schedule or p95 are missing or malformed. `jsonText` writes
 * indented JSON with a final newline.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { cancelled, judge, notComparable } from '../../src/check/judge.js';
import { SCHEMA_VERSION, type Check, type RunEnvironment } from '../../src/model/check.js';
import type { Settings } from '../../src/model/settings.js';
import { emptyResult, type LoadResult } from '../../src/model/result.js';
import { jsonReport, jsonText, type JsonReport } from '../../src/present/json.js';
import { warningsOf } from '../../src/present/warnings.js';
import { coefficientOfVariation } from '../../src/stats/noise.js';
import { VERSION } from '../../src/version.js';
import { absoluteCheck, comparisonCheck, result, saved, settingsOf } from '../helpers/fixtures.js';

const schema = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'report.schema.json'), 'utf8'),
);
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);

function assertValid(report: unknown): void {
  assert.ok(validate(report), JSON.stringify(validate.errors, null, 2));
}

/**
 * The schema rejects `report` once `change` is made to a copy of it, with an error at or under
 * `path` (the copy is checked valid first, so the rejection is the change's doing).
 */
function assertRejected(report: JsonReport, path: string, change: (copy: JsonReport) => void) {
  const copy: JsonReport = JSON.parse(jsonText(report));
  assertValid(copy);
  change(copy);
  assert.equal(validate(copy), false, `the schema accepts the report with ${path} changed`);
  assert.ok(
    validate.errors?.some((e) => e.instancePath.startsWith(path)),
    JSON.stringify(validate.errors, null, 2),
  );
}

/** Counted 12340; unexpected 5, errors 2, timeouts 1: 8 of 12348 sent failed. */
const errorRate = (100 * 8) / 12348;

const environment: RunEnvironment = {
  node: 'v24.0.0',
  platform: 'linux',
  arch: 'x64',
  cpus: 4,
  cpuModel: 'Test CPU',
  runnerOs: 'Linux',
  runnerName: 'runner-1',
  repository: 'org/repo',
  sha: 'abc123',
  ref: 'refs/pull/1/merge',
  runId: '42',
};
const createdAt = new Date('2026-11-28T12:00:00.000Z');

/** The report of `check`, with no warnings, at the fixed environment and time. */
const reportOf = (settings: Settings, check: Check): JsonReport =>
  jsonReport(settings, check, [], environment, createdAt);

describe('the JSON report of an absolute check', () => {
  const settings = settingsOf({
    'min-requests': '12000',
    headers: 'Authorization: Bearer s3cr3t\nX-Team: blue',
  });
  const check = absoluteCheck(settings);
  const warnings = warningsOf(settings, check);
  const report = jsonReport(settings, check, warnings, environment, createdAt);

  it('is valid against the schema, version 3', () => {
    assertValid(report);
    assert.equal(report.schemaVersion, 3);
    assert.equal(SCHEMA_VERSION, 3);
    assert.deepEqual(report.tool, { name: 'http-load-check', version: VERSION });
    assert.equal(report.createdAt, '2026-11-28T12:00:00.000Z');
    assert.equal(report.target, 'http://127.0.0.1:8080/');
    assert.deepEqual(report.environment, environment);
  });

  it('is valid for an https target over HTTP/2 with routes too', () => {
    const tls = settingsOf({
      port: '',
      url: 'https://localhost:8443/api/',
      http2: 'true',
      insecure: 'true',
      targets: 'GET /users\n\nPOST /orders\n\nGET /users',
    });
    const https = reportOf(tls, absoluteCheck(tls));
    assertValid(https);
    assert.equal(https.target, 'https://localhost:8443/users');
    assert.deepEqual(
      https.settings.routes.map((r) => [r.name, r.weight]),
      [
        ['GET /users', 2],
        ['POST /orders', 1],
      ],
    );
  });

  it('carries the settings with every header value masked, and no value anywhere', () => {
    const masked = [
      ['Authorization', '***'],
      ['X-Team', '***'],
    ];
    assert.deepEqual(report.settings, {
      ...settings,
      headers: masked,
      routes: [
        { name: 'GET /', method: 'GET', path: '/', headers: masked, bodyBytes: 0, weight: 1 },
      ],
      tls: { insecure: false, ca: false },
      // The input's word: the mode a trial chose is the result's `generator.busyPoll`.
      busyPoll: 'auto',
    });
    assert.equal(report.settings.minRps, null, 'off by default');
    assert.equal(report.settings.maxErrorRatePct, 1);
    assert.deepEqual(
      [report.settings.maxP50Ms, report.settings.maxP95Ms, report.settings.maxP99Ms],
      [null, null, null],
    );
    assert.equal(report.settings.rate, null, 'the closed loop');
    const text = jsonText(report);
    assert.doesNotMatch(text, /s3cr3t|blue/);
    assert.deepEqual(settings.headers[0], ['Authorization', 'Bearer s3cr3t'], 'settings untouched');
  });

  it('carries the decision, the result with its rates and the samples with their variation', () => {
    assert.deepEqual(report.decision, check.decision);
    assert.deepEqual(report.result, { ...result, rps: 2468, errorRatePct: errorRate });
    assert.equal(report.result.schedule, null, 'the closed loop has no schedule');
    assert.equal(report.result.latency.p95Us, 800);
    assert.deepEqual(report.samples, {
      sampleSec: 1,
      rps: result.perSecond,
      cv: coefficientOfVariation(result.perSecond),
    });
    assert.equal(report.comparison, null);
  });

  it("lists the warnings' texts, the min-requests noise warning among them", () => {
    assert.equal(report.warnings.length, 1);
    assert.match(
      report.warnings[0],
      /^min-requests 12000 is within 3% of the measured 12340, inside the noise band/,
    );
    assert.deepEqual(
      report.warnings,
      warnings.map((w) => w.text),
    );
    assertValid(reportOf(settings, check));
    assert.deepEqual(reportOf(settings, check).warnings, []);
  });

  it('lists every gate judged, each with its limit, its value and whether it held', () => {
    const gated = settingsOf({
      'min-requests': '12000',
      'min-rps': '3000',
      'max-error-rate': '0.5',
      'max-p50-ms': '1',
      'max-p95-ms': '0.5',
      'max-p99-ms': '2',
    });
    const failed = reportOf(gated, absoluteCheck(gated));
    assertValid(failed);
    assert.deepEqual(failed.decision.gates, [
      { name: 'min-requests', limit: 12000, value: 12340, passed: true },
      { name: 'min-rps', limit: 3000, value: 2468, passed: false },
      { name: 'max-error-rate', limit: 0.5, value: errorRate, passed: true },
      { name: 'max-p50-ms', limit: 1, value: 0.35, passed: true },
      { name: 'max-p95-ms', limit: 0.5, value: 0.8, passed: false },
      { name: 'max-p99-ms', limit: 2, value: 1.2, passed: true },
    ]);
    assert.equal(failed.decision.outcome, 'failed');
    assert.deepEqual(
      [
        failed.settings.minRps,
        failed.settings.maxErrorRatePct,
        failed.settings.maxP50Ms,
        failed.settings.maxP95Ms,
        failed.settings.maxP99Ms,
      ],
      [3000, 0.5, 1, 0.5, 2],
    );
    assert.deepEqual(report.decision.gates, [
      { name: 'min-requests', limit: 12000, value: 12340, passed: true },
      { name: 'max-error-rate', limit: 1, value: errorRate, passed: true },
    ]);
  });

  it('the schema checks the gates: required, each named, with a number or null as its value', () => {
    assertRejected(report, '/decision', (r) => Reflect.deleteProperty(r.decision, 'gates'));
    assertRejected(report, '/decision/gates/0/name', (r) =>
      Reflect.set(r.decision.gates[0], 'name', 'max-p90-ms'),
    );
    assertRejected(report, '/decision/gates/1/value', (r) =>
      Reflect.set(r.decision.gates[1], 'value', '0.06'),
    );
    assertRejected(report, '/decision/gates/1', (r) =>
      Reflect.deleteProperty(r.decision.gates[1], 'passed'),
    );
    assertRejected(report, '/settings', (r) => Reflect.deleteProperty(r.settings, 'maxP95Ms'));
    assertRejected(report, '/settings/rate', (r) => Reflect.set(r.settings, 'rate', 0));
  });

  it('the schema checks the result: its error rate, its schedule and its p95 latency', () => {
    assertRejected(report, '/result', (r) => Reflect.deleteProperty(r.result, 'errorRatePct'));
    assertRejected(report, '/result/errorRatePct', (r) =>
      Reflect.set(r.result, 'errorRatePct', 101),
    );
    assertRejected(report, '/result', (r) => Reflect.deleteProperty(r.result, 'schedule'));
    assertRejected(report, '/result/latency', (r) =>
      Reflect.deleteProperty(r.result.latency, 'p95Us'),
    );
    assertRejected(report, '/result/latency/p95Us', (r) =>
      Reflect.set(r.result.latency, 'p95Us', -1),
    );
  });

  it('an open-model run carries its schedule, and the schema checks it', () => {
    const open = settingsOf({ rate: '2500' });
    const scheduled: LoadResult = {
      ...result,
      schedule: { ratePerSec: 2500, scheduled: 12500, dropped: 152, achievedPerSec: 2469.6 },
    };
    const run = reportOf(open, absoluteCheck(open, { result: scheduled }));
    assertValid(run);
    assert.equal(run.settings.rate, 2500);
    assert.deepEqual(run.result.schedule, {
      ratePerSec: 2500,
      scheduled: 12500,
      dropped: 152,
      achievedPerSec: 2469.6,
    });
    assertRejected(run, '/result/schedule', (r) =>
      Reflect.deleteProperty(r.result.schedule ?? {}, 'dropped'),
    );
    assertRejected(run, '/result/schedule', (r) =>
      Reflect.set(r.result.schedule ?? {}, 'dropped', 1.5),
    );
    assertRejected(run, '/result/schedule', (r) =>
      Reflect.set(r.result.schedule ?? {}, 'ratePerSec', 0),
    );
  });

  it('carries the p95 latency of each route too', () => {
    const routed: LoadResult = {
      ...result,
      routes: [
        {
          name: 'GET /',
          requests: 12340,
          unexpectedStatus: 5,
          statusCounts: { 200: 12340, 503: 5 },
          errors: 2,
          timeouts: 1,
          latency: { ...result.latency, p95Us: 810 },
        },
      ],
    };
    const run = reportOf(settings, absoluteCheck(settings, { result: routed }));
    assertValid(run);
    assert.equal(run.result.routes[0].latency.p95Us, 810);
    assertRejected(run, '/result/routes/0/latency', (r) =>
      Reflect.deleteProperty(r.result.routes[0].latency, 'p95Us'),
    );
  });

  it('a cancelled run judged no gate: an empty list, still valid', () => {
    const stopped = absoluteCheck(settings, {
      result: emptyResult(true),
      decision: cancelled({ signal: 'SIGTERM', elapsedSec: 1, durationSec: 5, requests: 0 }),
      samples: { sampleSec: 1, rps: [] },
    });
    const run = reportOf(settings, stopped);
    assertValid(run);
    assert.equal(run.decision.outcome, 'cancelled');
    assert.deepEqual(run.decision.gates, []);
    assert.equal(run.result.errorRatePct, 0, 'nothing was sent');
    assert.equal(run.result.latency.p95Us, 0);
  });

  it('is written as indented JSON with a final newline', () => {
    const text = jsonText({ a: [1], b: null });
    assert.equal(text, '{\n  "a": [\n    1\n  ],\n  "b": null\n}\n');
    assert.deepEqual(JSON.parse(jsonText(report)), report);
  });
});

describe('the JSON report of a comparison', () => {
  it('against a service: kind, shift, verdict, the baseline and every slice', () => {
    const settings = settingsOf({ 'baseline-port': '9090' });
    const check = comparisonCheck(settings, 'paired');
    check.slices[1] = { ...check.slices[1], outlier: true };
    const report = reportOf(settings, check);
    assertValid(report);
    const { comparison } = report;
    assert.ok(comparison);
    assert.equal(comparison.kind, 'paired');
    assert.equal(comparison.baselineFile, null);
    assert.equal(comparison.verdict, 'slower');
    assert.deepEqual(comparison.shift, check.shift);
    assert.equal(comparison.maxRegressionPct, 5);
    assert.deepEqual(comparison.baseline, {
      ...check.baseline,
      rps: 2600,
      errorRatePct: (100 * 8) / 13008,
    });
    assert.equal(comparison.baseline.latency.p95Us, 800);
    assert.equal(comparison.baseline.schedule, null);
    assert.deepEqual(
      comparison.slices.map((s) => s.outlier),
      [false, true, false, false, false, false, false, false],
      'every slice says whether it is an outlier',
    );
    assert.deepEqual(comparison.noise, check.noise);
    assert.deepEqual(report.settings.baseline, {
      scheme: 'http',
      host: '127.0.0.1',
      port: 9090,
      path: '/',
      routes: [{ name: 'GET /', method: 'GET', path: '/', headers: [], bodyBytes: 0, weight: 1 }],
    });
    assert.deepEqual(report.decision, check.decision);
    assert.deepEqual(report.decision.gates, [
      { name: 'max-error-rate', limit: 1, value: errorRate, passed: true },
      { name: 'max-regression', limit: 5, value: -5, passed: true },
    ]);
    assertRejected(report, '/comparison', (r) =>
      Reflect.deleteProperty(r.comparison?.baseline.latency ?? {}, 'p95Us'),
    );
    assertRejected(report, '/comparison', (r) =>
      Reflect.deleteProperty(r.comparison?.baseline ?? {}, 'errorRatePct'),
    );
  });

  it('against a saved report: where it came from, its commit and ref', () => {
    const settings = settingsOf({ 'baseline-file': 'main.json' });
    const check = comparisonCheck(settings, 'saved');
    const report = reportOf(settings, check);
    assertValid(report);
    assert.equal(report.comparison?.kind, 'saved');
    assert.deepEqual(report.comparison?.baselineFile, {
      path: 'main.json',
      createdAt: '2026-11-20T10:00:00.000Z',
      target: 'http://127.0.0.1:8080/',
      sha: '0123456789abcdef0123',
      ref: 'refs/heads/main',
    });
    const bare = comparisonCheck(settings, 'saved', { saved: { ...saved, environment: {} } });
    const unknown = reportOf(settings, bare);
    assertValid(unknown);
    assert.equal(unknown.comparison?.baselineFile?.sha, null);
    assert.equal(unknown.comparison?.baselineFile?.ref, null);
  });

  it('with no interval: verdict and shift null, the max-regression gate without a value, still valid', () => {
    const settings = settingsOf({ 'baseline-port': '9090' });
    const side = { result, slices: [] };
    const decision = notComparable(
      { head: side, baseline: side },
      'paired',
      settings,
      judge(settings, result),
    );
    assert.ok(decision);
    const check = comparisonCheck(settings, 'paired', {
      shift: null,
      verdict: null,
      detectableRegressionPct: null,
      slices: [],
      decision,
    });
    const report = reportOf(settings, check);
    assertValid(report);
    assert.equal(report.comparison?.shift, null);
    assert.equal(report.comparison?.verdict, null);
    assert.deepEqual(report.decision.gates.at(-1), {
      name: 'max-regression',
      limit: 5,
      value: null,
      passed: false,
    });
  });
});
