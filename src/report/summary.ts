/** The job summary, as Markdown. Pure: the action adapter writes what this returns. */
import type { LoadResult } from '../engine/load.js';
import { targetUrl, type Settings } from '../inputs.js';
import { formatSeconds, type Verdict } from '../verdict.js';
import { formatCounts, formatRate, requestsPerSecond } from './text.js';

export function summaryMarkdown(settings: Settings, result: LoadResult, verdict: Verdict): string {
  const icon = verdict.passed ? '✅' : '❌';
  const rows: [string, string][] = [
    ['Target', `\`${escapeCell(targetUrl(settings))}\``],
    [
      'Settings',
      `duration ${formatSeconds(settings.durationSec)} s, ${settings.connections} ` +
        `connection${settings.connections === 1 ? '' : 's'} (1 request in flight each), ` +
        `timeout ${formatSeconds(settings.timeoutSec)} s`,
    ],
    ['Requests', `**${result.requests}**`],
    ['Requests/s', formatRate(requestsPerSecond(result))],
    ['Measured window', `${formatSeconds(result.windowMs / 1000)} s`],
    ['Errors', String(result.errors)],
    ['Timeouts', String(result.timeouts)],
    ['Threshold', `min-requests ${settings.minRequests}`],
    ['Verdict', `${icon} ${verdict.passed ? 'passed' : 'failed'}`],
  ];
  const statuses = formatCounts(result.statusCounts);
  if (statuses) rows.splice(4, 0, ['Responses by status', statuses]);
  const kinds = formatCounts(result.errorsByKind);
  if (kinds) rows.push(['Errors by kind', escapeCell(kinds)]);
  if (result.cancelled > 0) rows.push(['Cancelled in flight', String(result.cancelled)]);

  return [
    `## ${icon} HTTP load check`,
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([name, value]) => `| ${name} | ${value} |`),
    '',
    verdict.message,
    '',
  ].join('\n');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
