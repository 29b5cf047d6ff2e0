/**
 * src/check/judge.ts, pure: every decision a check reaches and its exact wording. The
 * `min-requests` gate at, below and above the threshold; a cancelled run (never a pass); a target
 * that never answered, with and without its last error; a crash of ours with its stack; a
 * comparison's decision for each verdict, where a regression fails even when the gate passed and a
 * failing gate has the last word over faster, slower and unchanged; and a side that cannot be
 * compared (head, measured baseline, saved baseline), with the warm-up clause when the warm-up got
 * anything. Also `formatSeconds` (src/model/settings.ts), which every one of these sentences uses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cancelled,
  comparisonDecision,
  verdictOf,
  crashed,
  judge,
  notComparable,
  notReady,
} from '../../src/check/judge.js';
import type { Decision, Shift, Slice, Verdict } from '../../src/model/check.js';
import { shiftOf } from '../helpers/fixtures.js';
import { emptyResult, type LoadResult } from '../../src/model/result.js';
import { formatSeconds } from '../../src/model/settings.js';

describe('the min-requests gate', () => {
  it('fails below min-requests with count, threshold and duration', () => {
    assert.deepEqual(judge({ requests: 812, minRequests: 1000, durationSec: 5 }), {
      passed: false,
      outcome: 'failed',
      message: 'Throughput check failed: 812 requests in 5 s, below min-requests 1000',
    });
    assert.equal(judge({ requests: 999, minRequests: 1000, durationSec: 5 }).passed, false);
  });

  it('passes at exactly min-requests', () => {
    assert.deepEqual(judge({ requests: 1000, minRequests: 1000, durationSec: 5 }), {
      passed: true,
      outcome: 'passed',
      message: 'Throughput check passed: 1000 requests in 5 s, at or above min-requests 1000',
    });
    assert.equal(judge({ requests: 0, minRequests: 0, durationSec: 5 }).passed, true);
  });

  it('formats seconds without noise', () => {
    assert.equal(formatSeconds(5), '5');
    assert.equal(formatSeconds(0.25), '0.25');
    assert.equal(formatSeconds(5.0004), '5');
    assert.equal(formatSeconds(0.0001), '0.0001', 'a short run never reads 0 s');
    assert.equal(formatSeconds(0.00012345), '0.00012');
    assert.match(
      judge({ requests: 3, minRequests: 0, durationSec: 0.0001 }).message,
      / 3 requests in 0\.0001 s,/,
    );
  });
});

describe('a run that did not run to its end', () => {
  it('words a cancellation, which never passes, even above min-requests', () => {
    const stopped = cancelled({
      requests: 812,
      minRequests: 1000,
      durationSec: 60,
      signal: 'SIGTERM',
      elapsedSec: 2.5,
    });
    assert.deepEqual(stopped, {
      passed: false,
      outcome: 'cancelled',
      message:
        'Throughput check cancelled by SIGTERM after 2.5 s of 60 s: 812 requests counted so far (min-requests 1000)',
    });
    const enough = cancelled({
      requests: 5000,
      minRequests: 1000,
      durationSec: 60,
      signal: 'abort',
      elapsedSec: 30,
    });
    assert.equal(enough.passed, false);
    assert.equal(enough.outcome, 'cancelled');
  });

  it('words a target that never answered, with its last error when there was one', () => {
    const down = notReady({
      url: 'http://127.0.0.1:8080/',
      waitTimeoutSec: 30,
      lastError: 'connect ECONNREFUSED 127.0.0.1:8080',
    });
    assert.deepEqual(down, {
      passed: false,
      outcome: 'not-ready',
      message:
        'Target http://127.0.0.1:8080/ did not answer within 30 s (wait-timeout); last error: connect ECONNREFUSED 127.0.0.1:8080',
    });
    assert.deepEqual(notReady({ url: 'http://[::1]:9/x', waitTimeoutSec: 0.5 }), {
      passed: false,
      outcome: 'not-ready',
      message: 'Target http://[::1]:9/x did not answer within 0.5 s (wait-timeout)',
    });
    assert.equal(
      notReady({ url: 'http://h:1/', waitTimeoutSec: 1, lastError: '' }).message,
      'Target http://h:1/ did not answer within 1 s (wait-timeout)',
      'an empty error adds nothing',
    );
  });

  it('advises on a refused certificate by its cause, and not ca-file twice', () => {
    const refusedWith = (lastErrorCode: string, caFile = false) =>
      notReady({
        url: 'https://127.0.0.1:8443/',
        waitTimeoutSec: 30,
        certificate: true,
        lastError: `some text (${lastErrorCode})`,
        lastErrorCode,
        caFile,
      }).message;
    assert.equal(
      refusedWith('DEPTH_ZERO_SELF_SIGNED_CERT'),
      'Target https://127.0.0.1:8443/ refused: its certificate is not trusted: some text ' +
        '(DEPTH_ZERO_SELF_SIGNED_CERT). For a local service with a self-signed certificate set ' +
        'insecure: true, or give its CA in ca-file',
    );
    assert.match(
      refusedWith('DEPTH_ZERO_SELF_SIGNED_CERT', true),
      /\. ca-file does not hold the CA that signed it: give that CA, or set insecure: true$/,
    );
    assert.match(
      refusedWith('ERR_TLS_CERT_ALTNAME_INVALID', true),
      /\. It does not name this host: use a host name or address it names, or set insecure: true$/,
    );
    assert.match(refusedWith('CERT_HAS_EXPIRED'), /outside its validity dates/);
  });

  it('words a crash of ours with its stack, or the value thrown', () => {
    const error = new Error('boom');
    const decision = crashed(error);
    assert.equal(decision.passed, false);
    assert.equal(decision.outcome, 'failed');
    assert.equal(decision.message, `http-load-check failed unexpectedly: ${error.stack}`);
    assert.match(decision.message, /Error: boom\n\s+at /);
    assert.deepEqual(crashed('a string'), {
      passed: false,
      outcome: 'failed',
      message: 'http-load-check failed unexpectedly: a string',
    });
  });
});

describe('the decision of a comparison', () => {
  const limits = { confidence: 0.99, maxRegressionPct: 5 };
  const passing = judge({ requests: 5000, minRequests: 1000, durationSec: 5 });
  const failing = judge({ requests: 500, minRequests: 1000, durationSec: 5 });

  const passes: [Verdict, Shift, string][] = [
    [
      'faster',
      shiftOf(1, 5, 3),
      'Head is faster than baseline: +3.0% (99% interval +1.0% to +5.0%)',
    ],
    [
      'slower',
      shiftOf(-4.5, -1.25, -3),
      'Head is slower than baseline, within max-regression 5%: -3.0% (99% interval -4.5% to -1.3%)',
    ],
    [
      'unchanged',
      shiftOf(-2, 2.5, 0.2),
      'No significant change between head and baseline: +0.2% (99% interval -2.0% to +2.5%)',
    ],
  ];
  for (const [verdict, shift, message] of passes) {
    it(`passes on ${verdict} when the gate passed, naming the verdict and the interval`, () => {
      assert.deepEqual(comparisonDecision(shift, verdict, limits, passing), {
        passed: true,
        outcome: 'passed',
        message,
      });
    });

    it(`a failing gate has the last word over ${verdict}`, () => {
      assert.deepEqual(comparisonDecision(shift, verdict, limits, failing), failing);
    });
  }

  it('fails on a regression even when the gate passed, and over a failing gate', () => {
    const regression = shiftOf(-15, -9, -12);
    const expected: Decision = {
      passed: false,
      outcome: 'failed',
      message:
        'Throughput regression: head vs baseline -12.0% (99% interval -15.0% to -9.0%), the whole interval below -5% (max-regression)',
    };
    assert.deepEqual(comparisonDecision(regression, 'regression', limits, passing), expected);
    assert.deepEqual(comparisonDecision(regression, 'regression', limits, failing), expected);
  });

  it('states the confidence asked for, to a hundredth of a percent', () => {
    const at = (confidence: number) =>
      comparisonDecision(shiftOf(1, 5, 3), 'faster', { confidence, maxRegressionPct: 5 }, passing)
        .message;
    assert.match(at(0.95), /\(95% interval /);
    assert.match(at(0.999), /\(99\.9% interval /);
    assert.match(at(0.5), /\(50% interval /);
    // The highest confidence accepted must not read as certainty.
    assert.match(at(0.9999), /\(99\.99% interval /);
  });
});

describe('a comparison that cannot be made', () => {
  const slices = (side: Slice['side'], rates: number[]): Slice[] =>
    rates.map((rps) => ({ side, rps, requests: Math.round(rps / 2) }));
  const good = { result: { ...emptyResult(), requests: 400 }, slices: slices('head', [100, 100]) };
  const counts = (extra: Partial<LoadResult>): LoadResult => ({ ...emptyResult(), ...extra });

  it('is null when both sides have at least 2 slices, each with requests', () => {
    const baseline = { ...good, slices: slices('baseline', [90, 95, 99]) };
    assert.equal(notComparable({ head: good, baseline }, 'paired', 5), null);
    assert.equal(notComparable({ head: good, baseline }, 'saved', 5), null);
  });

  it('names a baseline that answered nothing, in its own counts', () => {
    const baseline = {
      result: counts({ timeouts: 3 }),
      slices: slices('baseline', [0, 0, 0, 0]),
    };
    assert.deepEqual(notComparable({ head: good, baseline }, 'paired', 2), {
      passed: false,
      outcome: 'failed',
      message:
        'Throughput comparison failed: the baseline answered no request with an expected status in 4 of 4 slices ' +
        '(0 requests; unexpected status 0, errors 0, timeouts 3 at timeout 2 s)',
    });
  });

  it('names a head with too few slices, and a saved baseline as such', () => {
    const head = {
      result: counts({ requests: 7, unexpectedStatus: 1, errors: 2 }),
      slices: slices('head', [14]),
    };
    const baseline = {
      result: counts({ requests: 50 }),
      slices: slices('baseline', [100, 0, 100]),
    };
    assert.equal(
      notComparable({ head, baseline }, 'saved', 0.5)?.message,
      'Throughput comparison failed: the head had 1 slice(s), at least 2 are needed ' +
        '(7 requests; unexpected status 1, errors 2, timeouts 0 at timeout 0.5 s); ' +
        'the saved baseline answered no request with an expected status in 1 of 3 slices ' +
        '(50 requests; unexpected status 0, errors 0, timeouts 0 at timeout 0.5 s)',
    );
    const none = { result: counts({}), slices: [] };
    assert.match(
      notComparable({ head: none, baseline: good }, 'paired', 5)?.message ?? '',
      /^Throughput comparison failed: the head had 0 slice\(s\), at least 2 are needed \(0 requests;/,
    );
  });

  it('adds what the warm-up got, when it got anything: a side may fail there only', () => {
    const baseline = {
      result: counts({ errors: 4, warmup: { responses: 12, failures: 3 } }),
      slices: slices('baseline', [0, 0]),
    };
    assert.equal(
      notComparable({ head: good, baseline }, 'paired', 5)?.message,
      'Throughput comparison failed: the baseline answered no request with an expected status in 2 of 2 slices ' +
        '(0 requests; unexpected status 0, errors 4, timeouts 0 at timeout 5 s; ' +
        'in the warm-up 12 responses and 3 failures)',
    );
    const failedOnly = {
      ...baseline,
      result: counts({ warmup: { responses: 0, failures: 1 } }),
    };
    assert.match(
      notComparable({ head: good, baseline: failedOnly }, 'paired', 5)?.message ?? '',
      /; in the warm-up 0 responses and 1 failures\)$/,
    );
  });
});

describe('the verdict of a shift', () => {
  const shift = shiftOf;
  it('fails only when the whole interval lies below -max-regression', () => {
    assert.equal(verdictOf(shift(-12, -6), 5), 'regression');
    assert.equal(verdictOf(shift(-12, -4), 5), 'slower');
    assert.equal(verdictOf(shift(-3, 2), 5), 'unchanged');
    assert.equal(verdictOf(shift(1, 4), 5), 'faster');
  });
});
