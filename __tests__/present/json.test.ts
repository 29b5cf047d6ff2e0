/**
 * src/present/json.ts, pure: the JSON report. For an absolute, a paired and a saved check it is
 * valid against docs/report.schema.json (schemaVersion 2); it carries the settings with every
 * header value masked, the decision, the result with its rate, the samples with their variation,
 * the warnings as texts (the min-requests noise warning included) and, for a comparison, where the
 * baseline came from, the shift, the verdict, the baseline's result and every slice with its
 * outlier flag. `jsonText` writes indented JSON with a final newline.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { SCHEMA_VERSION, type RunEnvironment } from '../../src/model/check.js';
import { jsonReport, jsonText } from '../../src/present/json.js';
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

describe('the JSON report of an absolute check', () => {
  const settings = settingsOf({
    'min-requests': '12000',
    headers: 'Authorization: Bearer s3cr3t\nX-Team: blue',
  });
  const check = absoluteCheck(settings);
  const warnings = warningsOf(settings, check);
  const report = jsonReport(settings, check, warnings, environment, createdAt);

  it('is valid against the schema, version 2', () => {
    assertValid(report);
    assert.equal(report.schemaVersion, 2);
    assert.equal(SCHEMA_VERSION, 2);
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
    const https = jsonReport(tls, absoluteCheck(tls), [], environment, createdAt);
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
    });
    const text = jsonText(report);
    assert.doesNotMatch(text, /s3cr3t|blue/);
    assert.deepEqual(settings.headers[0], ['Authorization', 'Bearer s3cr3t'], 'settings untouched');
  });

  it('carries the decision, the result with its rate and the samples with their variation', () => {
    assert.deepEqual(report.decision, check.decision);
    assert.deepEqual(report.result, { ...result, rps: 2468 });
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
    assertValid(jsonReport(settings, check, [], environment, createdAt));
    assert.deepEqual(jsonReport(settings, check, [], environment, createdAt).warnings, []);
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
    const report = jsonReport(settings, check, [], environment, createdAt);
    assertValid(report);
    const { comparison } = report;
    assert.ok(comparison);
    assert.equal(comparison.kind, 'paired');
    assert.equal(comparison.baselineFile, null);
    assert.equal(comparison.verdict, 'slower');
    assert.deepEqual(comparison.shift, check.shift);
    assert.equal(comparison.maxRegressionPct, 5);
    assert.deepEqual(comparison.baseline, { ...check.baseline, rps: 2600 });
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
  });

  it('against a saved report: where it came from, its commit and ref', () => {
    const settings = settingsOf({ 'baseline-file': 'main.json' });
    const check = comparisonCheck(settings, 'saved');
    const report = jsonReport(settings, check, [], environment, createdAt);
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
    const unknown = jsonReport(settings, bare, [], environment, createdAt);
    assertValid(unknown);
    assert.equal(unknown.comparison?.baselineFile?.sha, null);
    assert.equal(unknown.comparison?.baselineFile?.ref, null);
  });

  it('with no interval: verdict and shift null, still valid', () => {
    const settings = settingsOf({ 'baseline-port': '9090' });
    const check = comparisonCheck(settings, 'paired', { shift: null, verdict: null, slices: [] });
    const report = jsonReport(settings, check, [], environment, createdAt);
    assertValid(report);
    assert.equal(report.comparison?.shift, null);
    assert.equal(report.comparison?.verdict, null);
  });
});
