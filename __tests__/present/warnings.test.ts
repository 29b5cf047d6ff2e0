/**
 * src/present/warnings.ts, pure: the one list of warnings a check raises besides its decision.
 * Nothing when the load never started; the min-requests noise warning (with its annotation title)
 * for an absolute check only; the saturated-generator warning when there was a window; and, for a
 * saved baseline, `baselineMismatch` when it was measured with other connections, pipelining,
 * scheme, protocol or requests (the path, for a report older than routes); and, for a same-job
 * comparison that passed, `tooNoisyToGate` when it could catch only slowdowns above max-regression
 * + 5 points and its interval reaches below -max-regression. The order is the list's: noise, generator, mismatch, too noisy.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { notReady } from '../../src/check/judge.js';
import { emptyResult } from '../../src/model/result.js';
import { baselineMismatch, tooNoisyToGate, warningsOf } from '../../src/present/warnings.js';
import {
  absoluteCheck,
  comparisonCheck,
  extension,
  result,
  saved,
  settingsOf,
  shiftOf,
} from '../helpers/fixtures.js';

/** 12340 requests measured, gate at 12000: inside the ±10% noise band. */
const nearGate = settingsOf({ 'min-requests': '12000' });
const saturated = {
  ...result,
  generator: { ...result.generator, cpuPct: 98, utilization: 0.95 },
};

describe('warningsOf', () => {
  it('returns nothing when the load never started, whatever the result holds', () => {
    const check = absoluteCheck(nearGate, {
      result: saturated,
      loadStarted: false,
      decision: notReady({ url: 'http://127.0.0.1:8080/', waitTimeoutSec: 30 }),
    });
    assert.deepEqual(warningsOf(nearGate, check), []);
    const never = comparisonCheck(settingsOf({ connections: '4' }), 'saved', {
      result: saturated,
      loadStarted: false,
    });
    assert.deepEqual(warningsOf(settingsOf({ connections: '4' }), never), []);
    // The same checks, started, do warn.
    assert.equal(warningsOf(nearGate, { ...check, loadStarted: true }).length, 2);
  });

  it('warns when min-requests lies inside the noise of an absolute check, with a title', () => {
    const warnings = warningsOf(nearGate, absoluteCheck(nearGate));
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].title, 'min-requests is inside the noise');
    assert.match(
      warnings[0].text,
      /^min-requests 12000 is within 3% of the measured 12340, inside the noise band of ±10%/,
    );
    const far = settingsOf({ 'min-requests': '5000' });
    assert.deepEqual(warningsOf(far, absoluteCheck(far)), []);
  });

  it('leaves the noise warning out of a comparison, whose gate is the interval', () => {
    for (const kind of ['paired', 'saved'] as const) {
      assert.deepEqual(warningsOf(nearGate, comparisonCheck(nearGate, kind)), [], kind);
    }
  });

  it("warns when the generator took over a quarter of the machine's cores, once", () => {
    const settings = settingsOf();
    const at = (generator: Partial<typeof result.generator>) =>
      warningsOf(
        settings,
        absoluteCheck(settings, {
          result: { ...result, generator: { ...result.generator, ...generator } },
        }),
      );
    // The fixture: 40% of a core on 2 cores, 20% of the machine.
    assert.deepEqual(at({}), []);
    const [warning] = at({ cpuPct: 60 });
    assert.equal(warning.title, 'generator took CPU from the service');
    assert.equal(
      warning.text,
      "The load generator used 60% of a CPU core (162 µs of CPU per request), 30% of this machine's " +
        '2 cores: where the service shares these cores, as on a hosted runner, that CPU was taken ' +
        'from it, so its req/s are understated and its latency overstated. Fewer connections, or a ' +
        'runner with more cores, leave it more.',
    );
    assert.deepEqual(at({ cpuPct: 85, cores: 4 }), [], '21% of 4 cores');
    // Busy-poll: the spin is left out, the loop time spent on responses counts.
    assert.deepEqual(at({ cpuPct: 100, busyPoll: true, utilization: 0.3 }), []);
    assert.match(
      at({ cpuPct: 100, busyPoll: true, utilization: 0.7 })[0].text,
      /^The load generator's busy-poll loop was handling responses 70% of the time \(162 µs/,
    );
    // Saturated: that warning alone.
    const saturatedOnly = at({ cpuPct: 98, utilization: 0.95 });
    assert.equal(saturatedOnly.length, 1);
    assert.match(saturatedOnly[0].text, /^The load generator was saturated/);
  });

  it('warns when the generator was saturated, only when there was a window', () => {
    const settings = settingsOf();
    const warnings = warningsOf(settings, absoluteCheck(settings, { result: saturated }));
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].title, undefined);
    assert.match(warnings[0].text, /^The load generator was saturated \(it used 98% of a CPU core/);
    const noWindow = { ...emptyResult(), generator: saturated.generator };
    assert.deepEqual(warningsOf(settings, absoluteCheck(settings, { result: noWindow })), []);
    const paired = comparisonCheck(settings, 'paired', { result: saturated });
    assert.match(warningsOf(settings, paired)[0]?.text ?? '', /saturated/);
  });

  it('warns when a saved baseline was measured with other settings, after the others', () => {
    const settings = settingsOf({ connections: '4', 'min-requests': '12000' });
    const check = comparisonCheck(settings, 'saved', { result: saturated });
    const texts = warningsOf(settings, check).map((w) => w.text);
    assert.equal(texts.length, 2);
    assert.match(texts[0], /saturated/);
    assert.equal(texts[1], baselineMismatch(settings, saved));
    // A measured baseline has no saved settings to differ from.
    assert.equal(warningsOf(settings, comparisonCheck(settings, 'paired')).length, 0);
  });

  it('warns when a same-job comparison passed too noisy to rule out a regression', () => {
    const settings = settingsOf();
    const noisy = {
      shift: shiftOf(-18.4, -3.6, -10.5),
      detectableRegressionPct: 18.44,
      extension: { ...extension, rounds: 20 },
    };
    const warnings = warningsOf(settings, comparisonCheck(settings, 'paired', noisy));
    assert.deepEqual(warnings, [
      {
        title: 'comparison too noisy',
        text:
          'This comparison could catch only slowdowns of 18.4% or more, above the 10.0% aimed at ' +
          '(max-regression + 5 points), even after measuring on to 20 slice pairs, twice the 10 ' +
          "planned (the most it measures). It passed as 'slower', but its 95% interval, -18.4% " +
          'to -3.6%, does not rule out a slowdown beyond max-regression 5%. Its slice pairs ' +
          'disagreed this much, most often because something else used the CPU during the run ' +
          "(a parallel step, or a neighbour on the runner's host), or the service's own speed " +
          'swings. Rerun the job where nothing else runs, or give a longer duration.',
      },
    ]);
    const at = (check: Parameters<typeof tooNoisyToGate>[1], over = settings) =>
      tooNoisyToGate(over, check);
    const paired = (over: Parameters<typeof comparisonCheck>[2], s = settings) =>
      at(comparisonCheck(s, 'paired', { ...noisy, ...over }), s);
    assert.match(paired({ verdict: 'unchanged' }) ?? '', / It passed as 'unchanged', but /);
    // At the aim; an interval that ends above -max-regression (a faster one always does); a
    // failed step; a saved baseline: nothing.
    assert.equal(paired({ detectableRegressionPct: 10 }), null);
    assert.equal(paired({ shift: shiftOf(-4.9, 30) }), null);
    assert.equal(paired({ shift: shiftOf(2, 40), verdict: 'faster' }), null);
    const failed = { passed: false, outcome: 'failed' as const, message: 'x', gates: [] };
    assert.equal(paired({ decision: failed }), null);
    assert.deepEqual(warningsOf(settings, comparisonCheck(settings, 'saved', noisy)), []);
    // The aim and the line follow max-regression.
    const wider = settingsOf({ 'max-regression': '10' });
    assert.equal(paired({ detectableRegressionPct: 14.9 }, wider), null);
    assert.equal(paired({ shift: shiftOf(-9.9, 1) }, wider), null);
    assert.match(
      paired({ detectableRegressionPct: 15.1, extension: null }, wider) ?? '',
      /^This comparison could catch only slowdowns of 15\.1% or more, above the 15\.0% aimed at \(max-regression \+ 5 points\), with its 10 planned slice pairs: a slice had timeouts, which more pairs would not average away\. .* beyond max-regression 10%\./,
    );
    // Measuring on stopped short of the cap: by timeouts in a later batch.
    assert.match(
      paired({ extension: { ...extension, rounds: 15 } }) ?? '',
      /, after measuring on to 15 slice pairs of at most 20: a slice then had timeouts, /,
    );
    // An explicit rounds never measures on.
    const fixed = settingsOf({ rounds: '10' });
    assert.match(
      paired({ extension: null }, fixed) ?? '',
      /, with the 10 slice pairs of rounds 10 \(at rounds auto, a noisy run measures on\)\. It passed/,
    );
  });
});

describe('baselineMismatch', () => {
  it('names each setting that differs, both ways, and nothing when they match', () => {
    assert.equal(baselineMismatch(settingsOf(), saved), null);
    assert.equal(
      baselineMismatch(settingsOf({ connections: '4', pipelining: '2', path: '/x' }), saved),
      'The saved baseline (main.json) was measured with connections 1, pipelining 1, requests ' +
        '(GET /); this run uses connections 4, pipelining 2, requests (GET /x): the comparison ' +
        'is not like for like.',
    );
    // A report older than routes: its path instead of its requests.
    const old = { ...saved, settings: { ...saved.settings, requests: null } };
    assert.match(
      baselineMismatch(settingsOf({ path: '/x' }), old) ?? '',
      /measured with path \/; this run uses path \/x:/,
    );
    // Scheme, protocol and the requests' methods and weights count too.
    const tls = settingsOf({ port: '', url: 'https://127.0.0.1:8443/', http2: 'true' });
    assert.match(
      baselineMismatch(tls, saved) ?? '',
      /measured with scheme http, http2 false; this run uses scheme https, http2 true:/,
    );
    const weighted = settingsOf({ targets: 'POST /\n\nGET /\n\nGET /' });
    assert.match(
      baselineMismatch(weighted, saved) ?? '',
      /requests \(GET \/\); this run uses requests \(POST \/, GET \/ x2\):/,
    );
    assert.match(
      baselineMismatch(settingsOf({ pipelining: '8' }), saved) ?? '',
      /measured with pipelining 1; this run uses pipelining 8:/,
    );
  });

  it('leaves out the duration and the host', () => {
    assert.equal(baselineMismatch(settingsOf({ duration: '20', host: 'localhost' }), saved), null);
  });
});
