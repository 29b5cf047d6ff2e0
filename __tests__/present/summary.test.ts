/**
 * src/present/summary.ts, pure: the job summary. The head's table (target, settings, counts,
 * latency, the generator, threshold and outcome) with the decision and the warnings under it; a
 * comparison's part (both sides' counts, slice variation and bursts, the interval and verdict, the
 * chart, and for a saved baseline the note and its settings warning); safety, since a saved report
 * may hold anything: no HTML, links, code-span breaks or rows of its own, header values never
 * shown; and GitHub's 1 MiB limit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge } from '../../src/check/judge.js';
import type { ComparisonCheck, SavedBaseline, Slice } from '../../src/model/check.js';
import {
  codeSpan,
  escapeText,
  fitSummary,
  SUMMARY_LIMIT_BYTES,
  summaryMarkdown,
} from '../../src/present/summary.js';
import { warningsOf } from '../../src/present/warnings.js';
import { verdictOf } from '../../src/check/judge.js';
import { compareRates, widenForBetweenRuns } from '../../src/stats/compare.js';
import { sliceNoise } from '../../src/stats/noise.js';
import {
  absoluteCheck,
  comparisonCheck,
  extension,
  result,
  saved,
  settingsOf,
} from '../helpers/fixtures.js';

describe('summary', () => {
  it('has a table with target, settings, counts, gates and outcome', () => {
    const settings = settingsOf({ 'min-requests': '20000', 'max-p95-ms': '0.5' });
    const check = absoluteCheck(settings);
    const md = summaryMarkdown(settings, check, warningsOf(settings, check));
    assert.match(md, /^## ❌ HTTP load check$/m);
    assert.match(md, /^\| Target \| `http:\/\/127\.0\.0\.1:8080\/` \|$/m);
    assert.match(
      md,
      /^\| Settings \| duration 5 s, 1 connection x 1 in flight, timeout 5 s, busy-poll auto \|$/m,
    );
    assert.match(
      md,
      /^\| Latency \| p50 0\.350 ms, p90 0\.420 ms, p95 0\.800 ms, p99 1\.200 ms, max 15\.321 ms \|$/m,
    );
    assert.match(md, /^\| Requests in each second \| 2400, 2500, 2470, 2475, 2500 \|$/m);
    assert.match(md, /^\| Errors by kind \| ECONNRESET: 2 \|$/m);
    assert.doesNotMatch(md, /Cancelled/);
    assert.match(md, /^\| Requests \| \*\*12340\*\* \(status 200-299\) \|$/m);
    assert.match(md, /^\| Unexpected status \| 5 \|$/m);
    assert.match(md, /^\| Requests\/s \| 2468\.0 \|$/m);
    assert.doesNotMatch(md, /Headers sent|Warm-up/);
    assert.match(md, /^\| Responses by status \| 200: 12340, 503: 5 \|$/m);
    assert.match(md, /^\| Errors \| 2 \|$/m);
    assert.match(md, /^\| Timeouts \| 1 \|$/m);
    assert.match(md, /^\| Error rate \| 0\.06% \(errors, timeouts and unexpected statuses\) \|$/m);
    assert.match(md, /^\| Outcome \| ❌ failed \|$/m);
    assert.ok(
      md.includes(
        '| Gate | Limit | Measured | |\n|---|---|---|---|\n' +
          '| `min-requests` | ≥ 20000 | 12340 | ❌ failed |\n' +
          '| `max-error-rate` | ≤ 1% | 0.06% | ✅ passed |\n' +
          '| `max-p95-ms` | ≤ 0.5 ms | 0.800 ms | ❌ failed |\n',
      ),
      md,
    );
    assert.match(
      md,
      /^Check failed: 12340 requests in 5 s, below min-requests 20000; p95 0\.800 ms, above max-p95-ms 0\.5$/m,
    );
    assert.doesNotMatch(md, /Rate \(open model\)|from each due time/);
    assert.match(
      md,
      /^\| Load generator \| CPU 40% of a core \(20% of 2 cores\), event loop busy 35%; 162 µs of CPU per request \|$/m,
    );
    assert.doesNotMatch(md, /saturated/);
    assert.doesNotMatch(md, /\[!WARNING\]|Head vs baseline/);
    // busy-poll auto: what the trial measured and chose, on the generator's row.
    const trial = { onPerSec: 41000, offPerSec: 30500.4, chosen: true };
    const tried = absoluteCheck(settings, {
      result: {
        ...result,
        generator: { ...result.generator, busyPoll: true, busyPollTrial: trial },
      },
    });
    assert.match(
      summaryMarkdown(settings, tried, warningsOf(settings, tried)),
      /^\| Load generator \| busy-poll \(a whole core by design\);.*; 162 µs of CPU per request\. busy-poll auto: on, from a trial of both \(41000\.0 req\/s spinning, 30500\.4 req\/s not\) \|$/m,
    );
    const busy = absoluteCheck(settings, {
      result: { ...result, generator: { ...result.generator, cpuPct: 97, utilization: 0.97 } },
    });
    assert.match(
      summaryMarkdown(settings, busy, warningsOf(settings, busy)),
      /> \[!WARNING\]\n> The load generator was saturated/,
    );
  });

  it('shows each outcome, the header names without their values, and the warm-up', () => {
    const settings = settingsOf({
      'min-requests': '100',
      headers: 'Authorization: Bearer s3cr3t\nX-Team: blue',
      warmup: '2',
      connections: '4',
    });
    const check = absoluteCheck(settings, {
      result: { ...result, cancelled: 2, warmup: { responses: 40, failures: 1 } },
    });
    const md = summaryMarkdown(settings, check, []);
    assert.match(md, /^## ✅ HTTP load check$/m);
    assert.match(md, /^\| Outcome \| ✅ passed \|$/m);
    assert.match(md, /^\| Headers sent \| Authorization, X-Team \(values hidden\) \|$/m);
    assert.doesNotMatch(md, /s3cr3t|blue/);
    assert.match(
      md,
      /^\| Settings \| duration 5 s, 4 connections x 1 in flight, timeout 5 s, warm-up 2 s \|$/m,
    );
    assert.match(md, /^\| Cancelled in flight \| 2 \|$/m);
    assert.match(md, /^\| Warm-up \(not counted\) \| 40 responses, 1 failures \|$/m);
    const ended = (decision: ReturnType<typeof judge>) =>
      summaryMarkdown(settings, { ...check, decision }, []);
    const stopped = ended({ passed: false, outcome: 'cancelled', message: 'stopped', gates: [] });
    assert.match(stopped, /^## ⏹️ HTTP load check$/m);
    assert.match(stopped, /^\| Outcome \| ⏹️ cancelled \|$/m);
    const down = ended({ passed: false, outcome: 'not-ready', message: 'down', gates: [] });
    assert.match(down, /^\| Outcome \| ❌ target not ready \|$/m);
  });

  it('shows the open model: the rate asked, sent and dropped, latency from the due time, and its warning', () => {
    const settings = settingsOf({ rate: '3000' });
    const schedule = { ratePerSec: 3000, scheduled: 15000, dropped: 2660, achievedPerSec: 2468 };
    const check = absoluteCheck(settings, { result: { ...result, schedule } });
    const md = summaryMarkdown(settings, check, warningsOf(settings, check));
    assert.match(
      md,
      /^\| Rate \(open model\) \| 3000 req\/s asked, 2468\.0 sent per second, 2660 dropped \(every slot busy\) \|$/m,
    );
    assert.match(md, /^\| Latency \(from each due time\) \| p50 0\.350 ms, /m);
    assert.match(
      md,
      /^> Sent 2468\.0 requests per second of the 3000 asked \(rate\), 2660 dropped/m,
    );
  });

  it('says why a noisy comparison measured more pairs, before what it could catch', () => {
    const settings = settingsOf({ 'baseline-port': '9090' });
    const check = comparisonCheck(settings, 'paired', { extension });
    assert.match(
      summaryMarkdown(settings, check, []),
      /\nNoisy run: its 10 planned slice pairs could catch only slowdowns of 11\.2% or more, above the 10\.0% aimed at \(max-regression \+ 5 points\), so it measured 5 more pairs \(at most 10 more\)\.\n\nThis run could catch slowdowns of \*\*7\.6% or more/,
    );
    assert.doesNotMatch(
      summaryMarkdown(settings, comparisonCheck(settings, 'paired'), []),
      /Noisy run/,
    );
  });

  it("compares both sides' error rate and latency, and warns of a failing baseline", () => {
    const paired = settingsOf({ 'baseline-port': '9090' });
    const baseline = {
      ...result,
      unexpectedStatus: 500,
      latency: { ...result.latency, p95Us: 2500 },
    };
    const check = comparisonCheck(paired, 'paired', { baseline });
    const md = summaryMarkdown(paired, check, warningsOf(paired, check));
    assert.match(md, /^\| Error rate \| 3\.92% \| 0\.06% \|$/m);
    assert.match(md, /^\| Latency p50 \| 0\.350 ms \| 0\.350 ms \|$/m);
    assert.match(md, /^\| Latency p95 \| 2\.500 ms \| 0\.800 ms \|$/m);
    assert.match(md, /^\| Latency p99 \| 1\.200 ms \| 1\.200 ms \|$/m);
    assert.match(
      md,
      /^> The baseline's error rate is 3\.92%, above max-error-rate 1% \(errors 2, timeouts 1, unexpected status 500\): the comparison is against a failing service\.$/m,
    );
    assert.match(
      md,
      /^\| `max-regression` \| interval not wholly below -5% \| interval ends at -5\.0% \| ✅ passed \|$/m,
    );
  });

  it('shows a gate with nothing to measure as such, not as a number', () => {
    const settings = settingsOf({ 'max-p95-ms': '50' });
    const none = { ...result, requests: 0, latency: { ...result.latency, count: 0 } };
    const check = absoluteCheck(settings, { result: none });
    const md = summaryMarkdown(settings, check, []);
    assert.match(md, /^\| `max-p95-ms` \| ≤ 50 ms \| nothing measured \| ❌ failed \|$/m);
  });

  it('escapes the decision and the warnings as text', () => {
    const settings = settingsOf();
    const check = absoluteCheck(settings, {
      decision: { passed: false, outcome: 'failed', message: 'bad <b>x</b>\n| row |', gates: [] },
    });
    const md = summaryMarkdown(settings, check, [{ text: 'see [here](https://example.invalid)' }]);
    assert.match(md, /^bad &lt;b&gt;x&lt;\/b&gt; \\\| row \\\|$/m);
    assert.match(md, /^> \[!WARNING\]\n> see \\\[here\\\]\(https:\/\/example\.invalid\)$/m);
  });
});

describe('comparison summary', () => {
  const settings = settingsOf({ connections: '4' });
  const rates = (values: number[], side: 'head' | 'baseline') =>
    values.map((rps) => ({ side, rps, requests: rps / 2 }));
  const head = rates([900, 910, 905, 600, 902], 'head');
  const baseline = rates([1000, 1004, 998, 1001, 999], 'baseline');
  const savedHere: SavedBaseline = {
    ...saved,
    samples: { sampleSec: 0.5, rps: baseline.map((s) => s.rps) },
    result,
  };

  it('has the table with slice variation and bursts, the interval, the chart, and for a saved baseline a note and a settings warning', () => {
    const slices: Slice[] = [...head, ...baseline];
    const noiseBySide = {
      head: sliceNoise(head.map((s) => s.rps)),
      baseline: sliceNoise(baseline.map((s) => s.rps)),
    };
    for (const i of noiseBySide.head.outliers) slices[i] = { ...slices[i], outlier: true };
    const shift = widenForBetweenRuns(
      compareRates(
        head.map((s) => s.rps),
        baseline.map((s) => s.rps),
        0.99,
      ),
      2.5,
    );
    const check: ComparisonCheck = comparisonCheck(settings, 'saved', {
      baseline: result,
      slices,
      shift,
      verdict: verdictOf(shift, 5),
      noise: noiseBySide,
      saved: savedHere,
    });
    const md = summaryMarkdown(settings, check, warningsOf(settings, check));
    assert.match(md, /^### Head vs baseline$/m);
    assert.match(
      md,
      /^\| Target \| `http:\/\/127\.0\.0\.1:8080\/`, saved in `main\.json` at 2026-11-20T10:00:00\.000Z \(commit 0123456789ab\) \| `http:\/\/127\.0\.0\.1:8080\/` \|$/m,
    );
    assert.match(md, /^\| Variation between slices \(CV\) \| 0\.2% \| 16\.1% \|$/m);
    assert.match(md, /^\| Slices hit by a burst \(outliers\) \| none \| #4 \(600\.0\) \|$/m);
    assert.match(md, /^\| Errors \| 2 \(ECONNRESET: 2\) \| 2 \(ECONNRESET: 2\) \|$/m);
    assert.match(md, /^\| Timeouts \| 1 \| 1 \|$/m);
    assert.match(
      md,
      /> \[!NOTE\]\n> The baseline is a report saved by an earlier run\. The interval accounts for both runs' own noise and for the spread between two runs on one machine up to 30 min apart \(2\.5% of req\/s as an SD, a calibrated upper bound\)\. It does not account for runs hours or days apart, or on a different runner/,
    );
    assert.match(md, /from both runs' noise and the spread between runs on one machine\)\*\*/);
    assert.match(md, /Mann-Whitney interval widened for the spread between runs, 5 \+ 5 samples\)/);
    assert.match(
      md,
      /> \[!WARNING\]\n> The saved baseline \(main\.json\) was measured with connections 1; this run uses connections 4/,
    );
    assert.match(md, /Verdict: \*\*regression\*\*/);
    assert.match(md, /```mermaid\nxychart-beta\n/);
    assert.match(md, /^ {2}line \[900, 910, 905, 600, 902\]$/m);
    assert.match(md, /^ {2}line \[1000, 1004, 998, 1001, 999\]$/m);
    assert.ok(
      md.indexOf('[!WARNING]') < md.indexOf('### Head vs baseline'),
      'the warnings come with the head, before the comparison',
    );
  });

  it("names a measured baseline's URL, its warm-up, and the paired interval; no saved-report note", () => {
    const paired = settingsOf({ 'baseline-port': '9090', 'baseline-path': '/old' });
    const check = comparisonCheck(paired, 'paired', {
      baseline: { ...result, warmup: { responses: 30, failures: 2 } },
    });
    const md = summaryMarkdown(paired, check, warningsOf(paired, check));
    assert.match(
      md,
      /^\| Target \| `http:\/\/127\.0\.0\.1:9090\/old` \| `http:\/\/127\.0\.0\.1:8080\/` \|$/m,
    );
    assert.match(md, /^\| Warm-up \(not counted\) \| 30 responses, 2 failures \| {2}\|$/m);
    assert.match(
      md,
      /^Change of head vs baseline: \*\*-7\.5%\*\*, 95% interval -10\.0% to -5\.0% \(Hodges-Lehmann estimate over 4 adjacent head\/baseline slice pairs, exact Wilcoxon signed-rank interval\)\. Verdict: \*\*slower\*\* \(a regression only when the whole interval lies below -5%\)\.$/m,
    );
    assert.doesNotMatch(md, /\[!NOTE\]|\[!WARNING\]/);
    assert.match(
      md,
      /^The interval accounts for the noise within this run: head and baseline ran/m,
    );
  });

  it('has no interval and no chart when a side has no slice', () => {
    const paired = settingsOf({ 'baseline-port': '9090' });
    const check = comparisonCheck(paired, 'paired', {
      slices: [{ side: 'head', rps: 100, requests: 50 }],
      shift: null,
      verdict: null,
    });
    const md = summaryMarkdown(paired, check, []);
    assert.match(md, /^### Head vs baseline$/m);
    assert.doesNotMatch(md, /Change of head vs baseline|mermaid/);
  });
});

describe('summary safety', () => {
  it('renders strings from a saved report harmless: no HTML, links, code-span breaks or new rows', () => {
    const hostile: SavedBaseline = {
      path: 'base`line.json',
      createdAt: '| forged | row |\n[click](https://example.invalid)',
      target: '`</td><img src=x onerror=alert(1)>` | https://example.invalid/x',
      environment: { sha: '<b>not a sha</b>' },
      settings: {
        connections: 1,
        pipelining: 1,
        path: '/![i](https://example.invalid/p.png)',
        durationSec: 5,
        scheme: 'http',
        http2: false,
        requests: null,
      },
      samples: { sampleSec: 0.5, rps: [100, 100] },
      result,
    };
    const settings = settingsOf({ path: '/other' });
    const check = comparisonCheck(settings, 'saved', {
      baseline: result,
      slices: [],
      shift: null,
      verdict: null,
      noise: { head: sliceNoise([]), baseline: sliceNoise([]) },
      saved: hostile,
    });
    const md = summaryMarkdown(settings, check, warningsOf(settings, check));
    const comparisonPart = md.slice(md.indexOf('### Head vs baseline'));
    const targetRow =
      comparisonPart.split('\n').find((line) => line.startsWith('| Target |')) ?? '';
    // The target and path are code spans (shown as they are, never as HTML or links); the rest is
    // escaped text.
    assert.equal(
      targetRow,
      '| Target | `` `</td><img src=x onerror=alert(1)>` \\| https://example.invalid/x ``, saved in ' +
        '``base`line.json`` at \\| forged \\| row \\| \\[click\\](https://example… | `http://127.0.0.1:8080/other` |',
    );
    const outsideCode = md.replace(/(`+)[^`].*?\1/g, '');
    assert.ok(!/<img|<b>|<\/td>/.test(outsideCode), outsideCode);
    assert.ok(!/(^|[^\\])\[click\]\(|!\[i\]\(/.test(md), 'no live link or image');
    assert.ok(!/(^|[^\\])\| forged/.test(md), "no cell of the file's own");
    assert.equal(targetRow.split(/(?<!\\)\|/).length, 5, 'three cells, as the table has');
    assert.doesNotMatch(targetRow, /commit/, 'a sha that is not hex is left out');
    assert.match(md, /measured with path \/\\!\\\[i\\\]/);
  });

  it('escapeText and codeSpan keep any text inline', () => {
    assert.equal(escapeText('a|b\nc<d>&`e`*_~!'), 'a\\|b c&lt;d&gt;&amp;\\`e\\`\\*\\_\\~\\!');
    assert.equal(codeSpan('x`y'), '``x`y``');
    assert.equal(codeSpan('`x'), '`` `x ``');
    assert.equal(codeSpan('a|b'), '`a\\|b`');
    assert.equal(escapeText('x'.repeat(600)).length, 501);
  });

  it("fits GitHub's 1 MiB, cut at a line, with a note; a summary that fits is unchanged", () => {
    const line = `| row | ${'é'.repeat(100)} |\n`;
    const big = line.repeat(Math.ceil((2 * SUMMARY_LIMIT_BYTES) / Buffer.byteLength(line)));
    const fitted = fitSummary(big);
    assert.ok(
      Buffer.byteLength(fitted) <= SUMMARY_LIMIT_BYTES,
      `${Buffer.byteLength(fitted)} bytes`,
    );
    assert.ok(Buffer.byteLength(fitted) > SUMMARY_LIMIT_BYTES - 2 * Buffer.byteLength(line));
    const [kept, note] = fitted.split('\n\n> [!NOTE]\n');
    assert.ok(
      kept.split('\n').every((l) => l === line.trimEnd()),
      'whole lines only',
    );
    assert.match(note, /cut: GitHub keeps at most 1 MiB per step/);
    assert.equal(fitSummary('small'), 'small');
  });

  it('cuts a whole summary that is too long: a check with many warnings', () => {
    const settings = settingsOf();
    const check = absoluteCheck(settings);
    const warnings = Array.from({ length: 400 }, (_, i) => ({ text: `${i} ${'w'.repeat(3990)}` }));
    const md = summaryMarkdown(settings, check, warnings);
    assert.ok(Buffer.byteLength(md) <= SUMMARY_LIMIT_BYTES, `${Buffer.byteLength(md)} bytes`);
    assert.match(md, /^## ✅ HTTP load check$/m);
    assert.match(md, /The rest of this summary was cut/);
  });
});
