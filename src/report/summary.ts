/** The job summary, as Markdown. Pure: the action adapter writes what this returns. */
import type { LoadResult } from '../engine/load.js';
import { targetUrl, type Settings } from '../inputs.js';
import { formatSeconds, type Verdict } from '../verdict.js';
import { formatCounts, formatLatency, formatRate, requestsPerSecond } from './text.js';

/** Per-second counts are listed in the summary up to this many seconds. */
const MAX_SECONDS_LISTED = 30;

export function summaryMarkdown(settings: Settings, result: LoadResult, verdict: Verdict): string {
  const icon = verdict.passed ? '✅' : '❌';
  const statuses = formatCounts(result.statusCounts);
  const kinds = formatCounts(result.errorsByKind);
  const listSeconds = result.perSecond.length > 1 && result.perSecond.length <= MAX_SECONDS_LISTED;
  const rows: [string, string | false][] = [
    ['Target', `\`${escapeCell(targetUrl(settings))}\``],
    [
      'Settings',
      `duration ${formatSeconds(settings.durationSec)} s, ` +
        `${plural(settings.connections, 'connection')} x ${settings.pipelining} in flight, ` +
        `timeout ${formatSeconds(settings.timeoutSec)} s` +
        (settings.busyPoll ? ', busy-poll' : ''),
    ],
    ['Requests', `**${result.requests}**`],
    ['Responses by status', statuses !== '' && statuses],
    ['Requests/s', formatRate(requestsPerSecond(result))],
    ['Responses in each second', listSeconds && result.perSecond.join(', ')],
    ['Latency', result.latency.count > 0 ? formatLatency(result.latency) : 'no response'],
    ['Measured window', `${formatSeconds(result.windowMs / 1000)} s`],
    ['Errors', String(result.errors)],
    ['Errors by kind', kinds !== '' && escapeCell(kinds)],
    ['Timeouts', String(result.timeouts)],
    ['Cancelled in flight', result.cancelled > 0 && String(result.cancelled)],
    ['Threshold', `min-requests ${settings.minRequests}`],
    ['Verdict', `${icon} ${verdict.passed ? 'passed' : 'failed'}`],
  ];

  return [
    `## ${icon} HTTP load check`,
    '',
    '| | |',
    '|---|---|',
    ...rows.flatMap(([name, value]) => (value === false ? [] : [`| ${name} | ${value} |`])),
    '',
    verdict.message,
    '',
  ].join('\n');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
