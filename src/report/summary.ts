/** The job summary, as Markdown. Pure: the action adapter writes what this returns. */
import type { ComparisonOutcome, Side } from '../check.js';
import type { LoadResult } from '../engine/load.js';
import { formatStatusRanges, targetUrl, type Settings } from '../inputs.js';
import { formatSeconds, type Outcome, type Verdict } from '../verdict.js';
import { noise } from '../stats/noise.js';
import { formatCounts, formatLatency, formatRate, requestsPerSecond } from './text.js';

/** Per-second counts are listed in the summary up to this many seconds. */
const MAX_SECONDS_LISTED = 30;

const VERDICT_TEXT: Record<Outcome, string> = {
  passed: '✅ passed',
  failed: '❌ failed',
  cancelled: '⏹️ cancelled',
  'not-ready': '❌ target not ready',
};

/**
 * The summary never shows header values (they may be secrets): only the header names.
 */
export function summaryMarkdown(settings: Settings, result: LoadResult, verdict: Verdict): string {
  const statuses = formatCounts(result.statusCounts);
  const kinds = formatCounts(result.errorsByKind);
  const listSeconds = result.perSecond.length > 1 && result.perSecond.length <= MAX_SECONDS_LISTED;
  const { warmup } = result;
  const headerNames = settings.headers.map(([name]) => name).join(', ');
  const { perSecondCv, band, warning } = noise(
    result.requests,
    settings.minRequests,
    result.perSecond,
  );
  const rows: [string, string | false][] = [
    ['Target', `\`${escapeCell(targetUrl(settings))}\``],
    [
      'Settings',
      `duration ${formatSeconds(settings.durationSec)} s, ` +
        `${plural(settings.connections, 'connection')} x ${settings.pipelining} in flight, ` +
        `timeout ${formatSeconds(settings.timeoutSec)} s` +
        (settings.warmupSec > 0 ? `, warm-up ${formatSeconds(settings.warmupSec)} s` : '') +
        (settings.busyPoll ? ', busy-poll' : ''),
    ],
    ['Headers sent', headerNames !== '' && `${escapeCell(headerNames)} (values hidden)`],
    ['Requests', `**${result.requests}** (status ${formatStatusRanges(settings.expectedStatus)})`],
    ['Unexpected status', String(result.unexpectedStatus)],
    ['Responses by status', statuses !== '' && statuses],
    ['Requests/s', formatRate(requestsPerSecond(result))],
    ['Requests in each second', listSeconds && result.perSecond.join(', ')],
    [
      'Variation between seconds',
      result.perSecond.length > 1 &&
        `${(perSecondCv * 100).toFixed(1)}% (noise band taken as ±${(band * 100).toFixed(0)}%)`,
    ],
    ['Latency', result.latency.count > 0 ? formatLatency(result.latency) : 'no response'],
    ['Measured window', `${formatSeconds(result.windowMs / 1000)} s`],
    ['Errors', String(result.errors)],
    ['Errors by kind', kinds !== '' && escapeCell(kinds)],
    ['Timeouts', String(result.timeouts)],
    ['Cancelled in flight', result.cancelled > 0 && String(result.cancelled)],
    [
      'Warm-up (not counted)',
      warmup.responses + warmup.failures > 0 &&
        `${warmup.responses} responses, ${warmup.failures} failures`,
    ],
    ['Threshold', `min-requests ${settings.minRequests}`],
    ['Verdict', VERDICT_TEXT[verdict.outcome]],
  ];

  return [
    `## ${VERDICT_TEXT[verdict.outcome].split(' ')[0]} HTTP load check`,
    '',
    '| | |',
    '|---|---|',
    ...rows.flatMap(([name, value]) => (value === false ? [] : [`| ${name} | ${value} |`])),
    '',
    escapeHtml(verdict.message),
    '',
    ...(warning ? [`> [!WARNING]`, `> ${escapeHtml(warning)}`, ''] : []),
  ].join('\n');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function escapeHtml(text: string): string {
  return text.replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The head vs baseline part of the summary: a table and a chart of req/s per slice. */
export function comparisonMarkdown(
  settings: Settings,
  outcome: Pick<ComparisonOutcome, 'result' | 'baseline' | 'slices' | 'shift' | 'comparison'>,
): string {
  const { result, baseline, slices, shift, comparison } = outcome;
  const base = settings.baseline;
  if (base === null) return '';
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
  const rate = (r: LoadResult) => formatRate(requestsPerSecond(r));
  const rows = [
    '| | baseline | head |',
    '|---|---|---|',
    `| Target | \`${escapeCell(targetUrl({ ...settings, ...base }))}\` | \`${escapeCell(targetUrl(settings))}\` |`,
    `| Requests | ${baseline.requests} | ${result.requests} |`,
    `| Requests/s | ${rate(baseline)} | ${rate(result)} |`,
  ];
  const lines = [`### Head vs baseline`, '', ...rows, ''];
  if (shift && comparison) {
    lines.push(
      `Change of head vs baseline: **${pct(shift.changePct)}**, ` +
        `${Math.round(settings.confidence * 1000) / 10}% interval ${pct(shift.lowPct)} to ${pct(shift.highPct)} ` +
        `(Hodges-Lehmann shift of log req/s, ${shift.method} Mann-Whitney interval, ` +
        `${shift.headSlices} + ${shift.baselineSlices} slices). Verdict: **${comparison}** ` +
        `(a regression only when the whole interval lies below -${settings.maxRegressionPct}%).`,
      '',
    );
  }
  const side = (name: Side) => slices.filter((s) => s.side === name).map((s) => Math.round(s.rps));
  const head = side('head');
  const baselineRates = side('baseline');
  if (head.length > 0 && baselineRates.length > 0) {
    const n = Math.max(head.length, baselineRates.length);
    lines.push(
      'Requests per second in each slice (first line: head, second: baseline):',
      '',
      '```mermaid',
      'xychart-beta',
      '  title "req/s per slice"',
      `  x-axis "slice" [${Array.from({ length: n }, (_, i) => i + 1).join(', ')}]`,
      '  y-axis "req/s"',
      `  line [${head.join(', ')}]`,
      `  line [${baselineRates.join(', ')}]`,
      '```',
      '',
    );
  }
  return lines.join('\n');
}
