import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadResult } from '../src/engine/load.js';
import { readSettings } from '../src/inputs.js';
import type { Slice } from '../src/check.js';
import { parseSavedBaseline, type SavedBaseline } from '../src/report/json.js';
import {
  codeSpan,
  comparisonMarkdown,
  escapeText,
  fitSummary,
  SUMMARY_LIMIT_BYTES,
  summaryMarkdown,
} from '../src/report/summary.js';
import { compareRates, judgeShift } from '../src/stats/compare.js';
import { sliceNoise } from '../src/stats/noise.js';
import { detailLines, finalLine, requestsPerSecond, startLine } from '../src/report/text.js';
import { cancelled, formatSeconds, judge, notReady } from '../src/verdict.js';

const result: LoadResult = {
  requests: 12340,
  unexpectedStatus: 5,
  statusCounts: { 200: 12340, 503: 5 },
  errors: 2,
  errorsByKind: { ECONNRESET: 2 },
  timeouts: 1,
  cancelled: 0,
  warmup: { responses: 0, failures: 0 },
  windowMs: 5000,
  perSecond: [2400, 2500, 2470, 2475, 2500],
  samples: [],
  generator: { cpuPct: 40, utilization: 0.35, busyPoll: false },
  latency: { count: 12345, p50Us: 350, p90Us: 420, p99Us: 1200, maxUs: 15321, meanUs: 380.2 },
  aborted: false,
};

describe('standard line', () => {
  it('is byte for byte the original client output', () => {
    assert.equal(
      startLine() + finalLine(12345),
      'http test running...\rhttp test running... ok, 12345 requests made\n',
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
      'latency: p50 0.350 ms, p90 0.420 ms, p99 1.200 ms, max 15.321 ms',
      'responses by status: 200: 12340, 503: 5',
      'errors by kind: ECONNRESET: 2',
    ]);
  });

  it('reports the warm-up and cancelled requests when there were any', () => {
    const lines = detailLines({ ...result, cancelled: 3, warmup: { responses: 100, failures: 1 } });
    assert.ok(lines.includes('cancelled in flight: 3'));
    assert.ok(lines.includes('warm-up (not counted): 100 responses, 1 failures'));
  });
});

describe('verdict', () => {
  it('fails below min-requests with count, threshold and duration', () => {
    assert.deepEqual(judge({ requests: 812, minRequests: 1000, durationSec: 5 }), {
      passed: false,
      outcome: 'failed',
      message: 'Throughput check failed: 812 requests in 5 s, below min-requests 1000',
    });
  });

  it('passes at exactly min-requests', () => {
    assert.equal(judge({ requests: 1000, minRequests: 1000, durationSec: 5 }).passed, true);
    assert.equal(judge({ requests: 0, minRequests: 0, durationSec: 5 }).passed, true);
  });

  it('words a cancellation and a target that never answered', () => {
    const stopped = cancelled({
      requests: 812,
      minRequests: 1000,
      durationSec: 60,
      signal: 'SIGTERM',
      elapsedSec: 2.5,
    });
    assert.equal(stopped.passed, false);
    assert.equal(stopped.outcome, 'cancelled');
    assert.equal(
      stopped.message,
      'Throughput check cancelled by SIGTERM after 2.5 s of 60 s: 812 requests counted so far (min-requests 1000)',
    );
    const down = notReady({
      url: 'http://127.0.0.1:8080/',
      waitTimeoutSec: 30,
      lastError: 'connect ECONNREFUSED 127.0.0.1:8080',
    });
    assert.equal(down.outcome, 'not-ready');
    assert.equal(
      down.message,
      'Target http://127.0.0.1:8080/ did not answer within 30 s (wait-timeout); last error: connect ECONNREFUSED 127.0.0.1:8080',
    );
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

describe('summary', () => {
  it('has a table with target, settings, counts, threshold and verdict', () => {
    const settings = readSettings(
      (name) => ({ port: '8080', 'min-requests': '20000' })[name] ?? '',
    );
    const verdict = judge({ requests: 12340, minRequests: 20000, durationSec: 5 });
    const md = summaryMarkdown(settings, result, verdict);
    assert.match(md, /^## ❌ HTTP load check$/m);
    assert.match(md, /^\| Target \| `http:\/\/127\.0\.0\.1:8080\/` \|$/m);
    assert.match(
      md,
      /^\| Settings \| duration 5 s, 1 connection x 1 in flight, timeout 5 s, busy-poll \|$/m,
    );
    assert.match(
      md,
      /^\| Latency \| p50 0\.350 ms, p90 0\.420 ms, p99 1\.200 ms, max 15\.321 ms \|$/m,
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
    assert.match(md, /^\| Threshold \| min-requests 20000 \|$/m);
    assert.match(md, /^\| Verdict \| ❌ failed \|$/m);
    assert.match(md, /^Throughput check failed: 12340 requests in 5 s, below min-requests 20000$/m);
    assert.match(md, /^\| Load generator \| CPU 40% of a core, event loop busy 35% \|$/m);
    assert.doesNotMatch(md, /saturated/);
    const busy = { ...result, generator: { cpuPct: 97, utilization: 0.97, busyPoll: false } };
    assert.match(
      summaryMarkdown(settings, busy, verdict),
      /> \[!WARNING\]\n> The load generator was saturated/,
    );
  });
});

describe('comparison summary', () => {
  const settings = readSettings(
    (name) => ({ port: '8080', 'min-requests': '0', connections: '4' })[name] ?? '',
  );
  const rates = (values: number[], side: 'head' | 'baseline') =>
    values.map((rps) => ({ side, rps, requests: rps / 2 }));
  const head = rates([900, 910, 905, 600, 902], 'head');
  const baseline = rates([1000, 1004, 998, 1001, 999], 'baseline');
  const saved: SavedBaseline = {
    path: 'main.json',
    createdAt: '2026-11-20T10:00:00.000Z',
    target: 'http://127.0.0.1:8080/',
    environment: { sha: '0123456789abcdef0123' },
    settings: { connections: 1, pipelining: 1, path: '/', durationSec: 5 },
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
    const shift = compareRates(
      head.map((s) => s.rps),
      baseline.map((s) => s.rps),
      0.99,
    );
    const md = comparisonMarkdown(settings, {
      result,
      baseline: result,
      slices,
      shift,
      comparison: judgeShift(shift, 5),
      noise: noiseBySide,
      source: 'file',
      saved,
    });
    assert.match(
      md,
      /^\| Target \| `http:\/\/127\.0\.0\.1:8080\/`, saved in `main\.json` at 2026-11-20T10:00:00\.000Z \(commit 0123456789ab\) \| `http:\/\/127\.0\.0\.1:8080\/` \|$/m,
    );
    assert.match(md, /^\| Variation between slices \(CV\) \| 0\.2% \| 16\.1% \|$/m);
    assert.match(md, /^\| Slices hit by a burst \(outliers\) \| none \| #4 \(600\.0\) \|$/m);
    assert.match(md, /^\| Errors \| 2 \(ECONNRESET: 2\) \| 2 \(ECONNRESET: 2\) \|$/m);
    assert.match(md, /^\| Timeouts \| 1 \| 1 \|$/m);
    assert.match(md, /> \[!NOTE\]\n> The baseline is a saved report from an earlier run/);
    assert.match(md, /measured with connections 1; this run uses connections 4/);
    assert.match(md, /Verdict: \*\*regression\*\*/);
    assert.match(md, /```mermaid\nxychart-beta\n/);
    assert.match(md, /^ {2}line \[900, 910, 905, 600, 902\]$/m);
    assert.match(md, /^ {2}line \[1000, 1004, 998, 1001, 999\]$/m);
  });
});

describe('summary safety', () => {
  it('renders strings from a saved report harmless: no HTML, links, code-span breaks or new rows', () => {
    const saved: SavedBaseline = {
      path: 'base`line.json',
      createdAt: '| forged | row |\n[click](https://example.invalid)',
      target: '`</td><img src=x onerror=alert(1)>` | https://example.invalid/x',
      environment: { sha: '<b>not a sha</b>' },
      settings: {
        connections: 1,
        pipelining: 1,
        path: '/![i](https://example.invalid/p.png)',
        durationSec: 5,
      },
      samples: { sampleSec: 0.5, rps: [100, 100] },
      result,
    };
    const md = comparisonMarkdown(
      readSettings((name) => ({ port: '8080', 'min-requests': '0', path: '/other' })[name] ?? ''),
      {
        result,
        baseline: result,
        slices: [],
        shift: null,
        comparison: null,
        noise: { head: sliceNoise([]), baseline: sliceNoise([]) },
        source: 'file',
        saved,
      },
    );
    const targetRow = md.split('\n').find((line) => line.startsWith('| Target |')) ?? '';
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

  it('reads a saved result as plain numbers: text in a count reads 0, odd keys are dropped', () => {
    const text = JSON.stringify({
      schemaVersion: 1,
      createdAt: 'see https://example.invalid',
      settings: { connections: 1, pipelining: 1, path: '/', durationSec: 5 },
      samples: { sampleSec: 0.5, rps: [100, 100] },
      result: {
        requests: 100,
        unexpectedStatus: '0 | [x](https://example.invalid)',
        errors: -3,
        timeouts: 'HUGE',
        windowMs: 1000,
        statusCounts: { 200: 100, '<b>': 1 },
        errorsByKind: { ECONNRESET: 2, 'a | b': 3, UND_ERR_SOCKET: 'many' },
        latency: { p50Us: 'x', p99Us: 250 },
      },
      // A number JSON.parse reads as Infinity.
    }).replace('"HUGE"', '1e400');
    const { result: saved } = parseSavedBaseline(text, 'saved.json', 5);
    assert.equal(saved.requests, 100);
    assert.equal(saved.unexpectedStatus, 0);
    assert.equal(saved.errors, 0);
    assert.equal(saved.timeouts, 0);
    assert.deepEqual(saved.statusCounts, { 200: 100 });
    assert.deepEqual(saved.errorsByKind, { ECONNRESET: 2, UND_ERR_SOCKET: 0 });
    assert.equal(saved.latency.p50Us, 0);
    assert.equal(saved.latency.p99Us, 250);
    assert.equal(parseSavedBaseline(text, 'saved.json', 5).createdAt, '', 'not a time: left out');
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
});
