/**
 * src/present/text.ts, pure: the log. The standard line is byte for byte the original script's;
 * the detail lines after it (rate over the measured window, latency, statuses, errors by kind,
 * cancelled and warm-up only when there were any); a comparison's lines (a measured baseline's own
 * counts, a saved baseline's rate, the change with its verdict); the ready and progress lines; and
 * the number formats they share.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  noiseAccountedFor,
  comparisonLines,
  detailLines,
  finalLine,
  formatCounts,
  formatMs,
  formatRate,
  progressLine,
  readyLine,
  startLine,
} from '../../src/present/text.js';
import { requestsPerSecond } from '../../src/model/result.js';
import { result, shift } from '../helpers/fixtures.js';

describe('standard line', () => {
  it('is byte for byte the original client output', () => {
    assert.equal(
      startLine() + finalLine(12345),
      'http test running...\rhttp test running... ok, 12345 requests made\n',
    );
  });

  it('is overwritten by the progress line on a terminal, which clears what was there', () => {
    assert.equal(
      progressLine({ elapsedMs: 1250, requests: 3000, rps: 2468.04, warmingUp: false }),
      '\r\x1b[Khttp test running... 1.3 s, 2468.0 req/s',
    );
    assert.equal(
      progressLine({ elapsedMs: 1250, requests: 0, rps: 0, warmingUp: true }),
      '\r\x1b[Khttp test running... 1.3 s, warming up',
    );
  });
});

describe('details', () => {
  it('computes req/s over the measured window', () => {
    assert.equal(requestsPerSecond(result), 2468);
    assert.equal(requestsPerSecond({ requests: 3, windowMs: 0 }), 0);
  });

  it('lists rate, errors and statuses on their own lines', () => {
    assert.deepEqual(detailLines(result), [
      '2468.0 req/s over 5 s; unexpected status: 5, errors: 2, timeouts: 1',
      'latency: p50 0.350 ms, p90 0.420 ms, p95 0.800 ms, p99 1.200 ms, max 15.321 ms',
      'responses by status: 200: 12340, 503: 5',
      'errors by kind: ECONNRESET: 2',
    ]);
  });

  it('reports the warm-up and cancelled requests when there were any', () => {
    const lines = detailLines({ ...result, cancelled: 3, warmup: { responses: 100, failures: 1 } });
    assert.ok(lines.includes('cancelled in flight: 3'));
    assert.ok(lines.includes('warm-up (not counted): 100 responses, 1 failures'));
  });

  it('leaves out latency, statuses and kinds when there were none', () => {
    const nothing = {
      ...result,
      requests: 0,
      unexpectedStatus: 0,
      errors: 0,
      timeouts: 0,
      statusCounts: {},
      errorsByKind: {},
      latency: { count: 0, p50Us: 0, p90Us: 0, p95Us: 0, p99Us: 0, maxUs: 0, meanUs: 0 },
    };
    assert.deepEqual(detailLines(nothing), [
      '0.0 req/s over 5 s; unexpected status: 0, errors: 0, timeouts: 0',
    ]);
  });

  it('says when the target answered after some waiting', () => {
    assert.equal(
      readyLine({ status: 503, waitedMs: 2345 }),
      'Target answered (status 503) after 2.3 s',
    );
  });
});

describe('comparison lines', () => {
  const baseline = { ...result, requests: 10000, errors: 3, errorsByKind: { ECONNREFUSED: 3 } };

  it("show a measured baseline's own counts and faults, then the change and its verdict", () => {
    const paired = { kind: 'paired', baseline, shift, verdict: 'slower', extension: null } as const;
    assert.deepEqual(comparisonLines({ ...paired, detectableRegressionPct: 7.62 }), [
      'baseline: 10000 requests, 2000.0 req/s over 5 s; unexpected status: 5, errors: 3, timeouts: 1',
      'baseline errors by kind: ECONNREFUSED: 3',
      'head vs baseline: -7.5% (interval -10.0% to -5.0%), verdict slower',
      'this run could catch slowdowns of 7.6% or more (about 95% of the time, from its own noise)',
    ]);
  });

  it('say why a noisy run measured more pairs, before what it could catch', () => {
    const extension = {
      plannedRounds: 10,
      rounds: 20,
      plannedDetectableRegressionPct: 13.46,
      aimPct: 10,
    };
    const paired = { kind: 'paired', baseline, shift, verdict: 'slower', extension } as const;
    assert.deepEqual(comparisonLines({ ...paired, detectableRegressionPct: 8.1 }).slice(-2), [
      'noisy run: its 10 planned slice pairs could catch only slowdowns of 13.5% or more, above ' +
        'the 10.0% aimed at (max-regression + 5 points), so it measured 10 more pairs (at most 10 more)',
      'this run could catch slowdowns of 8.1% or more (about 95% of the time, from its own noise)',
    ]);
  });

  it("show a saved baseline's count and rate, and no change when there is no interval", () => {
    const none = { shift: null, verdict: null, detectableRegressionPct: null, extension: null };
    assert.deepEqual(comparisonLines({ kind: 'saved', baseline, ...none }), [
      'saved baseline: 10000 requests, 2000.0 req/s',
    ]);
  });

  it("count a saved baseline's spread between runs in what the run could catch, and say which noise the interval covers", () => {
    const widened = { ...shift, test: 'mann-whitney', betweenRunSpreadPct: 2.5 } as const;
    const saved = {
      kind: 'saved',
      baseline,
      shift: widened,
      verdict: 'slower',
      extension: null,
    } as const;
    assert.equal(
      comparisonLines({ ...saved, detectableRegressionPct: 12.04 }).at(-1),
      "this run could catch slowdowns of 12.0% or more (about 95% of the time, from both runs' noise and the spread between runs on one machine)",
    );
    assert.match(
      noiseAccountedFor(widened),
      /^The baseline is a report saved by an earlier run\. The interval accounts for both runs' own noise and for the spread between two runs on one machine up to 30 min apart \(2\.5% of req\/s as an SD, a calibrated upper bound\)\. It does not account for runs hours or days apart/,
    );
    // A spread of 0 (nothing to widen by) is not claimed as calibrated.
    const unwidened = { ...widened, betweenRunSpreadPct: 0 };
    assert.match(noiseAccountedFor(unwidened), /own noise, not for the spread between runs\./);
    assert.doesNotMatch(noiseAccountedFor(unwidened), /calibrated/);
    assert.match(
      comparisonLines({ ...saved, shift: unwidened, detectableRegressionPct: 9 }).at(-1) ?? '',
      /from its own noise\)$/,
    );
    assert.match(noiseAccountedFor(widened), /or on a different runner or host/);
    assert.match(noiseAccountedFor(shift), /^The interval accounts for the noise within this run/);
  });
});

describe('number formats', () => {
  it('writes milliseconds with 3 decimals and rates with 1, without grouping', () => {
    assert.equal(formatMs(81), '0.081');
    assert.equal(formatMs(15321), '15.321');
    assert.equal(formatRate(1234.5), '1234.5');
    assert.equal(formatRate(12345.678), '12345.7');
    assert.equal(formatRate(0), '0.0');
  });

  it('orders counts by key, numbers as numbers', () => {
    assert.equal(formatCounts({ 500: 2, 200: 10, 99: 1 }), '99: 1, 200: 10, 500: 2');
    assert.equal(
      formatCounts({ UND_ERR_SOCKET: 1, ECONNRESET: 2 }),
      'ECONNRESET: 2, UND_ERR_SOCKET: 1',
    );
    assert.equal(formatCounts({}), '');
  });
});
