/** The job summary, as Markdown. Pure: the action adapter writes what this returns. */
import type { ComparisonOutcome, Side } from '../check.js';
import type { LoadResult } from '../engine/load.js';
import { formatStatusRanges, targetUrl, type Settings } from '../inputs.js';
import { formatSeconds, type Outcome, type Verdict } from '../verdict.js';
import { clientBound, noise } from '../stats/noise.js';
import { baselineMismatch } from './json.js';
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
    ['Load generator', result.windowMs > 0 && generatorText(result.generator)],
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
    ...[warning, result.windowMs > 0 && clientBound(result.generator)].flatMap((text) =>
      text ? [`> [!WARNING]`, `> ${escapeHtml(text)}`, ''] : [],
    ),
  ].join('\n');
}

function generatorText(generator: LoadResult['generator']): string {
  const pct = (x: number) => `${Math.round(x)}%`;
  return generator.busyPoll
    ? `busy-poll (a whole core by design); loop handling responses ${pct(100 * generator.utilization)} of the time`
    : `CPU ${pct(generator.cpuPct)} of a core, event loop busy ${pct(100 * generator.utilization)}`;
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
  outcome: Pick<
    ComparisonOutcome,
    'result' | 'baseline' | 'slices' | 'shift' | 'comparison' | 'noise' | 'source' | 'saved'
  >,
): string {
  const { result, baseline, slices, shift, comparison, noise: sliceNoise, saved } = outcome;
  const base = settings.baseline;
  const baseTarget = base
    ? `\`${escapeCell(targetUrl({ ...settings, ...base }))}\``
    : saved
      ? `\`${escapeCell(saved.target)}\`, saved in \`${escapeCell(saved.path)}\`` +
        (saved.createdAt ? ` at ${saved.createdAt}` : '') +
        (saved.environment.sha ? ` (commit ${saved.environment.sha.slice(0, 12)})` : '')
      : '';
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
  const rate = (r: LoadResult) => formatRate(requestsPerSecond(r));
  const cv = (side: Side) => `${(100 * sliceNoise[side].cv).toFixed(1)}%`;
  const bursts = (side: Side) => {
    const own = slices.filter((s) => s.side === side);
    const list = own.flatMap((s, i) => (s.outlier ? [`#${i + 1} (${formatRate(s.rps)})`] : []));
    return list.length > 0 ? list.join(', ') : 'none';
  };
  const rows = [
    '| | baseline | head |',
    '|---|---|---|',
    `| Target | ${baseTarget} | \`${escapeCell(targetUrl(settings))}\` |`,
    `| Requests | ${baseline.requests} | ${result.requests} |`,
    `| Requests/s | ${rate(baseline)} | ${rate(result)} |`,
    `| Variation between slices (CV) | ${cv('baseline')} | ${cv('head')} |`,
    `| Slices hit by a burst (outliers) | ${bursts('baseline')} | ${bursts('head')} |`,
  ];
  const lines = [`### Head vs baseline`, '', ...rows, ''];
  if (saved) {
    lines.push(
      '> [!NOTE]',
      '> The baseline is a saved report from an earlier run. Runs on different runners or at ' +
        'different times differ by more than this interval covers (often 10-25% between runners): ' +
        'read the verdict as a hint. Measuring base and head in the same job (baseline-port) ' +
        'cancels that noise.',
      '',
    );
  }
  const mismatch = saved ? baselineMismatch(settings, saved) : null;
  if (mismatch) lines.push('> [!WARNING]', `> ${escapeHtml(mismatch)}`, '');
  if (shift && comparison) {
    lines.push(
      `Change of head vs baseline: **${pct(shift.changePct)}**, ` +
        `${Math.round(settings.confidence * 1000) / 10}% interval ${pct(shift.lowPct)} to ${pct(shift.highPct)} ` +
        (shift.test === 'signed-rank'
          ? `(Hodges-Lehmann estimate over ${shift.headSlices} adjacent head/baseline slice pairs, ` +
            `${shift.method} Wilcoxon signed-rank interval). `
          : `(Hodges-Lehmann shift of log req/s, ${shift.method} Mann-Whitney interval, ` +
            `${shift.headSlices} + ${shift.baselineSlices} ${saved ? 'samples' : 'slices'}). `) +
        `Verdict: **${comparison}** ` +
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
