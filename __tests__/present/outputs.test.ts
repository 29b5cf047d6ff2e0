/**
 * src/present/outputs.ts, pure: the values of the step's outputs as text (counts as integers, the
 * rate to a tenth, the measured window and latencies to the millisecond's thousandth, the outcome
 * and pass/fail), the paths of the files written, and a comparison's outputs, empty when there is
 * no interval. That the names are exactly the options table's is __tests__/config/options.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { outputsOf } from '../../src/present/outputs.js';
import { absoluteCheck, comparisonCheck, result, settingsOf, shift } from '../helpers/fixtures.js';

describe('outputsOf', () => {
  it("gives an absolute check's counts, rate, window, latency and decision as text", () => {
    const settings = settingsOf({ 'min-requests': '20000' });
    assert.deepEqual(outputsOf(absoluteCheck(settings), {}), {
      requests: '12340',
      rps: '2468.0',
      'unexpected-status': '5',
      errors: '2',
      timeouts: '1',
      duration: '5.000',
      'latency-p50-ms': '0.350',
      'latency-p90-ms': '0.420',
      'latency-p95-ms': '0.800',
      'latency-p99-ms': '1.200',
      'latency-max-ms': '15.321',
      'error-rate': '0.06',
      dropped: '0',
      outcome: 'failed',
      passed: 'false',
      'failed-gates': 'min-requests',
    });
  });

  it('names every failed gate, comma-separated, and none when all passed', () => {
    const settings = settingsOf({
      'min-requests': '20000',
      'max-error-rate': '0.01',
      'max-p99-ms': '1',
      'max-p50-ms': '1',
    });
    const outputs = outputsOf(absoluteCheck(settings), {});
    assert.equal(outputs['failed-gates'], 'min-requests,max-error-rate,max-p99-ms');
    assert.equal(outputsOf(absoluteCheck(settingsOf()), {})['failed-gates'], '');
  });

  it('counts the dropped sends of the open model', () => {
    const settings = settingsOf({ rate: '3000' });
    const schedule = { ratePerSec: 3000, scheduled: 15000, dropped: 2660, achievedPerSec: 2468 };
    const outputs = outputsOf(absoluteCheck(settings, { result: { ...result, schedule } }), {});
    assert.equal(outputs.dropped, '2660');
  });

  it('names the files written', () => {
    const settings = settingsOf();
    const written = { report: '/tmp/r.json', 'benchmark-file': '/tmp/b.json' };
    const outputs = outputsOf(absoluteCheck(settings), written);
    assert.equal(outputs.report, '/tmp/r.json');
    assert.equal(outputs['benchmark-file'], '/tmp/b.json');
    assert.equal(outputs.passed, 'true');
    assert.equal(outputs.outcome, 'passed');
  });

  it("gives a comparison's baseline count, change and verdict", () => {
    const settings = settingsOf({ 'baseline-port': '9090' });
    const outputs = outputsOf(
      comparisonCheck(settings, 'paired', {
        shift: { ...shift, changePct: -7.456, lowPct: -10.004 },
      }),
      {},
    );
    assert.equal(outputs['baseline-requests'], '13000');
    assert.equal(outputs['change-percent'], '-7.46');
    assert.equal(outputs['change-low'], '-10.00');
    assert.equal(outputs['change-high'], '-5.00');
    assert.equal(outputs.verdict, 'slower');
  });

  it('leaves the change and the verdict empty when there is no interval', () => {
    const settings = settingsOf({ 'baseline-port': '9090' });
    const none = comparisonCheck(settings, 'paired', {
      result: { ...result, windowMs: 0, requests: 0 },
      shift: null,
      verdict: null,
      detectableRegressionPct: null,
    });
    const outputs = outputsOf(none, {});
    assert.equal(outputs['change-percent'], '');
    assert.equal(outputs['change-low'], '');
    assert.equal(outputs['change-high'], '');
    assert.equal(outputs.verdict, '');
    assert.equal(outputs.rps, '0.0', 'no window, no rate');
    assert.equal(outputs.duration, '0.000');
  });
});
