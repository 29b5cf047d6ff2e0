/**
 * src/check/judge.ts, pure: every decision a check reaches and its exact wording. Each gate
 * (min-requests, min-rps, max-error-rate, the latency percentiles) at, below and above its limit,
 * several failing at once; a cancelled run (never a pass); a target that never answered, with and
 * without its last error; a crash of ours with its stack; a comparison's decision for each
 * verdict, where a regression fails even when the gates passed and a failing gate of the head fails
 * faster, slower and unchanged; and a side that cannot be
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
  type GateLimits,
} from '../../src/check/judge.js';
import type { Gate, Shift, Slice, Verdict } from '../../src/model/check.js';
import { shiftOf } from '../helpers/fixtures.js';
import { emptyResult, type LoadResult } from '../../src/model/result.js';
import { formatSeconds } from '../../src/model/settings.js';

/** Gate limits as the defaults give them, with `extra` on top. */
function limitsOf(extra: Partial<GateLimits> = {}): GateLimits {
  return {
    minRequests: 0,
    minRps: null,
    maxErrorRatePct: 1,
    maxP50Ms: null,
    maxP95Ms: null,
    maxP99Ms: null,
    durationSec: 5,
    ...extra,
  };
}

/** A result of `requests` in 5 s with the given failures and latency (in ms). */
function resultOf(
  requests: number,
  extra: Partial<LoadResult> = {},
  latencyMs: { p50?: number; p95?: number; p99?: number } = {},
): LoadResult {
  const empty = emptyResult();
  return {
    ...empty,
    requests,
    windowMs: 5000,
    ...extra,
    latency: {
      ...empty.latency,
      count: requests,
      p50Us: (latencyMs.p50 ?? 1) * 1000,
      p95Us: (latencyMs.p95 ?? 2) * 1000,
      p99Us: (latencyMs.p99 ?? 3) * 1000,
    },
  };
}

describe('the gates of one result', () => {
  it('fails below min-requests with count, threshold and duration', () => {
    assert.deepEqual(judge(limitsOf({ minRequests: 1000 }), resultOf(812)), {
      passed: false,
      outcome: 'failed',
      message: 'Check failed: 812 requests in 5 s, below min-requests 1000',
      gates: [
        { name: 'min-requests', limit: 1000, value: 812, passed: false },
        { name: 'max-error-rate', limit: 1, value: 0, passed: true },
      ],
    });
    assert.equal(judge(limitsOf({ minRequests: 1000 }), resultOf(999)).passed, false);
  });

  it('passes at exactly min-requests, naming every gate', () => {
    assert.deepEqual(judge(limitsOf({ minRequests: 1000 }), resultOf(1000)), {
      passed: true,
      outcome: 'passed',
      message:
        'Check passed: 1000 requests in 5 s, at or above min-requests 1000; ' +
        'error rate 0.00%, within max-error-rate 1%',
      gates: [
        { name: 'min-requests', limit: 1000, value: 1000, passed: true },
        { name: 'max-error-rate', limit: 1, value: 0, passed: true },
      ],
    });
  });

  it('leaves min-requests out at 0; a window with nothing sent fails max-error-rate', () => {
    const decision = judge(limitsOf(), resultOf(0));
    assert.deepEqual(decision.gates, [
      { name: 'max-error-rate', limit: 1, value: null, passed: false },
    ]);
    assert.equal(
      decision.message,
      'Check failed: no request was sent in the window (max-error-rate)',
    );
  });

  it('fails a latency gate when no response was counted: there is no latency to hold', () => {
    const decision = judge(limitsOf({ maxP95Ms: 50 }), resultOf(0, { timeouts: 3 }));
    assert.deepEqual(decision.gates, [
      { name: 'max-error-rate', limit: 1, value: 100, passed: false },
      { name: 'max-p95-ms', limit: 50, value: null, passed: false },
    ]);
    assert.equal(
      decision.message,
      'Check failed: error rate 100.00%, above max-error-rate 1%; ' +
        'no counted response to measure p95 latency on (max-p95-ms 50)',
    );
  });

  it('fails an all-500 service on the error rate even with min-requests 0', () => {
    const decision = judge(limitsOf(), resultOf(0, { unexpectedStatus: 4000 }));
    assert.equal(decision.passed, false);
    assert.equal(decision.message, 'Check failed: error rate 100.00%, above max-error-rate 1%');
  });

  it('counts errors, timeouts and unexpected statuses against all that was sent', () => {
    // 2 + 1 + 1 failed of 100 sent: 4%.
    const result = resultOf(96, { unexpectedStatus: 2, errors: 1, timeouts: 1 });
    const [gate] = judge(limitsOf({ maxErrorRatePct: 5 }), result).gates;
    assert.deepEqual(gate, { name: 'max-error-rate', limit: 5, value: 4, passed: true });
    assert.equal(judge(limitsOf({ maxErrorRatePct: 4 }), result).passed, true, 'at the limit');
    assert.equal(judge(limitsOf({ maxErrorRatePct: 3.9 }), result).passed, false);
  });

  it('gates the rate over the window with min-rps', () => {
    // 1000 requests in a 5 s window: 200 req/s.
    assert.equal(judge(limitsOf({ minRps: 200 }), resultOf(1000)).passed, true);
    const below = judge(limitsOf({ minRps: 250 }), resultOf(1000));
    assert.equal(below.passed, false);
    assert.equal(below.message, 'Check failed: 200.0 req/s, below min-rps 250');
  });

  it('gates each latency percentile that is set, in ms, and names every failed gate', () => {
    const result = resultOf(1000, { unexpectedStatus: 50 }, { p50: 4, p95: 12.5, p99: 40 });
    const decision = judge(
      limitsOf({ minRps: 500, maxP50Ms: 5, maxP95Ms: 10, maxP99Ms: 30 }),
      result,
    );
    assert.deepEqual(
      decision.gates.map((g) => [g.name, g.value, g.passed]),
      [
        ['min-rps', 200, false],
        ['max-error-rate', (100 * 50) / 1050, false],
        ['max-p50-ms', 4, true],
        ['max-p95-ms', 12.5, false],
        ['max-p99-ms', 40, false],
      ],
    );
    assert.equal(
      decision.message,
      'Check failed: 200.0 req/s, below min-rps 500; error rate 4.76%, above max-error-rate 1%; ' +
        'p95 12.500 ms, above max-p95-ms 10; p99 40.000 ms, above max-p99-ms 30',
    );
    assert.equal(judge(limitsOf({ maxP95Ms: 12.5 }), result).gates[1].passed, true, 'at the limit');
  });

  it('formats seconds without noise', () => {
    assert.equal(formatSeconds(5), '5');
    assert.equal(formatSeconds(0.25), '0.25');
    assert.equal(formatSeconds(5.0004), '5');
    assert.equal(formatSeconds(0.0001), '0.0001', 'a short run never reads 0 s');
    assert.equal(formatSeconds(0.00012345), '0.00012');
    assert.match(
      judge(limitsOf({ minRequests: 5, durationSec: 0.0001 }), resultOf(3)).message,
      / 3 requests in 0\.0001 s,/,
    );
  });
});

describe('a run that did not run to its end', () => {
  it('words a cancellation, which never passes, whatever was counted', () => {
    const stopped = cancelled({
      requests: 812,
      durationSec: 60,
      signal: 'SIGTERM',
      elapsedSec: 2.5,
    });
    assert.deepEqual(stopped, {
      passed: false,
      outcome: 'cancelled',
      gates: [],
      message: 'Check cancelled by SIGTERM after 2.5 s of 60 s: 812 requests counted so far',
    });
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
      gates: [],
      message:
        'Target http://127.0.0.1:8080/ did not answer within 30 s (wait-timeout); last error: connect ECONNREFUSED 127.0.0.1:8080',
    });
    assert.deepEqual(notReady({ url: 'http://[::1]:9/x', waitTimeoutSec: 0.5 }), {
      passed: false,
      outcome: 'not-ready',
      gates: [],
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
      gates: [],
      message: 'http-load-check failed unexpectedly: a string',
    });
  });
});

describe('the decision of a comparison', () => {
  const limits = { confidence: 0.99, maxRegressionPct: 5, durationSec: 5 };
  const passing = judge(limitsOf({ minRequests: 1000 }), resultOf(5000));
  const failing = judge(limitsOf({ minRequests: 1000 }), resultOf(500));
  const regressionGate = (value: number, passed: boolean): Gate => ({
    name: 'max-regression',
    limit: 5,
    value,
    passed,
  });

  const passes: [Verdict, Shift, string][] = [
    [
      'faster',
      shiftOf(1, 5, 3),
      'head is faster than baseline: +3.0% (99% interval +1.0% to +5.0%)',
    ],
    [
      'slower',
      shiftOf(-4.5, -1.25, -3),
      'head is slower than baseline, within max-regression 5%: -3.0% (99% interval -4.5% to -1.3%)',
    ],
    [
      'unchanged',
      shiftOf(-2, 2.5, 0.2),
      'no significant change between head and baseline: +0.2% (99% interval -2.0% to +2.5%)',
    ],
  ];
  for (const [verdict, shift, words] of passes) {
    it(`passes on ${verdict} when the head's gates passed, naming the verdict and the interval`, () => {
      const decision = comparisonDecision(shift, verdict, limits, passing);
      assert.equal(decision.passed, true);
      assert.equal(decision.outcome, 'passed');
      assert.equal(
        decision.message,
        `Check passed: ${words}; 5000 requests in 5 s, at or above min-requests 1000; ` +
          `error rate 0.00%, within max-error-rate 1%; the change's interval ends at ` +
          `${shift.highPct >= 0 ? '+' : ''}${shift.highPct.toFixed(1)}%, within -5% (max-regression)`,
      );
      assert.deepEqual(decision.gates, [...passing.gates, regressionGate(shift.highPct, true)]);
    });

    it(`a failing gate of the head fails ${verdict}, and is named`, () => {
      const decision = comparisonDecision(shift, verdict, limits, failing);
      assert.equal(decision.passed, false);
      assert.equal(decision.outcome, 'failed');
      assert.equal(
        decision.message,
        `Check failed: ${words}; 500 requests in 5 s, below min-requests 1000`,
      );
    });
  }

  it('fails on a regression even when the gates passed, and names failed gates too', () => {
    const regression = shiftOf(-15, -9, -12);
    const message =
      'Check failed: throughput regression, head vs baseline -12.0% (99% interval -15.0% to ' +
      '-9.0%), the whole interval below -5% (max-regression)';
    assert.deepEqual(comparisonDecision(regression, 'regression', limits, passing), {
      passed: false,
      outcome: 'failed',
      message,
      gates: [...passing.gates, regressionGate(-9, false)],
    });
    assert.equal(
      comparisonDecision(regression, 'regression', limits, failing).message,
      `${message}; 500 requests in 5 s, below min-requests 1000`,
    );
  });

  it('states the confidence asked for, to a hundredth of a percent', () => {
    const at = (confidence: number) =>
      comparisonDecision(shiftOf(1, 5, 3), 'faster', { ...limits, confidence }, passing).message;
    assert.match(at(0.95), /\(95% interval /);
    assert.match(at(0.999), /\(99\.9% interval /);
    assert.match(at(0.5), /\(50% interval /);
    // The highest confidence accepted must not read as certainty.
    assert.match(at(0.9999), /\(99\.99% interval /);
  });
});

describe('a comparison that cannot be made', () => {
  const limitsAt = (timeoutSec: number) => ({ timeoutSec, maxRegressionPct: 5, durationSec: 5 });
  const slices = (side: Slice['side'], rates: number[]): Slice[] =>
    rates.map((rps) => ({ side, rps, requests: Math.round(rps / 2) }));
  const good = { result: { ...emptyResult(), requests: 400 }, slices: slices('head', [100, 100]) };
  const counts = (extra: Partial<LoadResult>): LoadResult => ({ ...emptyResult(), ...extra });
  const passing = judge(limitsOf(), resultOf(400));

  it('is null when both sides have at least 2 slices, each with requests', () => {
    const baseline = { ...good, slices: slices('baseline', [90, 95, 99]) };
    assert.equal(notComparable({ head: good, baseline }, 'paired', limitsAt(5), passing), null);
    assert.equal(notComparable({ head: good, baseline }, 'saved', limitsAt(5), passing), null);
  });

  it('names a baseline that answered nothing, in its own counts', () => {
    const baseline = {
      result: counts({ timeouts: 3 }),
      slices: slices('baseline', [0, 0, 0, 0]),
    };
    assert.deepEqual(notComparable({ head: good, baseline }, 'paired', limitsAt(2), passing), {
      passed: false,
      outcome: 'failed',
      gates: [...passing.gates, { name: 'max-regression', limit: 5, value: null, passed: false }],
      message:
        'Check failed: the throughput comparison cannot be made: the baseline answered no request with an expected status in 4 of 4 slices ' +
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
      notComparable({ head, baseline }, 'saved', limitsAt(0.5), passing)?.message,
      'Check failed: the throughput comparison cannot be made: the head had 1 slice(s), at least 2 are needed ' +
        '(7 requests; unexpected status 1, errors 2, timeouts 0 at timeout 0.5 s); ' +
        'the saved baseline answered no request with an expected status in 1 of 3 slices ' +
        '(50 requests; unexpected status 0, errors 0, timeouts 0 at timeout 0.5 s)',
    );
    // The head's own failed gates are named after the reasons.
    const failing = judge(limitsOf({ minRequests: 100 }), resultOf(7, { errors: 2 }));
    assert.match(
      notComparable({ head, baseline }, 'saved', limitsAt(0.5), failing)?.message ?? '',
      /at timeout 0\.5 s\); 7 requests in 5 s, below min-requests 100; error rate 22\.22%, above max-error-rate 1%$/,
    );
    const none = { result: counts({}), slices: [] };
    assert.match(
      notComparable({ head: none, baseline: good }, 'paired', limitsAt(5), passing)?.message ?? '',
      /^Check failed: the throughput comparison cannot be made: the head had 0 slice\(s\), at least 2 are needed \(0 requests;/,
    );
  });

  it('adds what the warm-up got, when it got anything: a side may fail there only', () => {
    const baseline = {
      result: counts({ errors: 4, warmup: { responses: 12, failures: 3 } }),
      slices: slices('baseline', [0, 0]),
    };
    assert.equal(
      notComparable({ head: good, baseline }, 'paired', limitsAt(5), passing)?.message,
      'Check failed: the throughput comparison cannot be made: the baseline answered no request with an expected status in 2 of 2 slices ' +
        '(0 requests; unexpected status 0, errors 4, timeouts 0 at timeout 5 s; ' +
        'in the warm-up 12 responses and 3 failures)',
    );
    const failedOnly = {
      ...baseline,
      result: counts({ warmup: { responses: 0, failures: 1 } }),
    };
    assert.match(
      notComparable({ head: good, baseline: failedOnly }, 'paired', limitsAt(5), passing)
        ?.message ?? '',
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
