/**
 * The pull-request comment, as Markdown: the verdict, the gates, a comparison's change and a link
 * to the run, short enough to read in a PR's conversation. Pure: the session posts what this
 * returns (src/system/github.ts). Like the summary it names no header value.
 */
import { createHash } from 'node:crypto';
import type { Check } from '../model/check.js';
import { errorRatePct, requestsPerSecond } from '../model/result.js';
import { formatChange, formatConfidence, targetUrl, type Settings } from '../model/settings.js';
import { codeSpan, escapeText, gatesTable, latencyCell, OUTCOME_TEXT } from './summary.js';
import { detectableText, extensionText, formatRate, noiseAccountedFor } from './text.js';
import type { Warning } from './warnings.js';
import { VERSION } from '../version.js';

/** Warnings listed in the comment; the job summary has them all. */
const MAX_WARNINGS = 3;

/** Which step a comment belongs to: the runner's GITHUB_WORKFLOW, GITHUB_JOB and GITHUB_ACTION. */
export interface CommentKey {
  workflow: string;
  job: string;
  step: string;
}

/** Longest part of the marker; a longer name keeps its start and a hash of the whole. */
const MAX_MARKER_PART = 100;

/**
 * The hidden first line that finds this step's comment again on the next run: one comment per
 * workflow, job and step. Each part is percent-encoded where it could end the HTML comment or
 * blur the parts' limits (`%`, `-`, `<`, `>`, `/`, `~`, spaces, controls), so different names never
 * give the same marker.
 */
export function commentMarker(key: CommentKey): string {
  const part = (text: string) => {
    // eslint-disable-next-line no-control-regex -- controls are what must not stay
    const encoded = text.replace(/[%\-<>/~\s\u0000-\u001f\u007f]/gu, (c) =>
      encodeURIComponent(c).replace(/-/g, '%2D').replace(/~/g, '%7E'),
    );
    if (encoded.length <= MAX_MARKER_PART) return encoded;
    const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
    return `${encoded.slice(0, MAX_MARKER_PART - 13)}~${hash}`;
  };
  return `<!-- http-load-check:${part(key.workflow)}/${part(key.job)}/${part(key.step)} -->`;
}

/**
 * The target without its query: the runner masks secrets in the log and the summary, but not in
 * what is posted through the API, and a query may hold a key.
 */
function publicUrl(settings: Settings): string {
  return withoutQueries(targetUrl(settings));
}

/**
 * `text` with the query of every URL or path in it cut to `?…`: messages and warnings quote the
 * target (`Target http://127.0.0.1:8080/a?key=... did not answer`) and routes by their path.
 */
function withoutQueries(text: string): string {
  return text.replace(/(\/[^\s?]*)\?[^\s)\]`'",;]+/g, '$1?…');
}

/** The comment: marker, verdict, figures, gates, change, warnings, link to the run. */
export function commentMarkdown(
  settings: Settings,
  check: Check,
  warnings: Warning[],
  key: CommentKey,
  runUrl: string | null,
): string {
  const { result, decision } = check;
  const lines = [
    commentMarker(key),
    `### ${OUTCOME_TEXT[decision.outcome]}: HTTP load check of ${codeSpan(publicUrl(settings), 500, false)}`,
    '',
    escapeText(withoutQueries(decision.message), 2000),
    '',
  ];
  if (check.loadStarted) {
    lines.push(
      `${result.requests} requests, ${formatRate(requestsPerSecond(result))} req/s, ` +
        `error rate ${errorRatePct(result).toFixed(2)}%, latency p50 ${latencyCell(result, 'p50')}, ` +
        `p95 ${latencyCell(result, 'p95')}, p99 ${latencyCell(result, 'p99')}`,
      '',
    );
  }
  lines.push(...gatesTable(decision.gates));
  if (check.kind !== 'absolute' && check.loadStarted) {
    const { baseline, shift, verdict } = check;
    lines.push(
      '| | baseline | head |',
      '|---|---|---|',
      `| Requests/s | ${formatRate(requestsPerSecond(baseline))} | ${formatRate(requestsPerSecond(result))} |`,
      `| Latency p95 | ${latencyCell(baseline, 'p95')} | ${latencyCell(result, 'p95')} |`,
      '',
    );
    if (shift && verdict) {
      lines.push(
        `Change of head vs baseline: **${formatChange(shift.changePct)}**, ` +
          `${formatConfidence(settings.confidence)} interval ${formatChange(shift.lowPct)} to ` +
          `${formatChange(shift.highPct)}; verdict **${verdict}** (a regression when the whole ` +
          `interval lies below -${settings.maxRegressionPct}%).`,
        '',
      );
    }
    if (check.extension) lines.push(`Noisy run: ${extensionText(check.extension)}.`, '');
    if (check.detectableRegressionPct !== null) {
      lines.push(
        `This run could catch slowdowns of ${detectableText(check.detectableRegressionPct, shift)}.`,
        '',
      );
    }
    if (shift) lines.push(noiseAccountedFor(shift), '');
  }
  for (const { text } of warnings.slice(0, MAX_WARNINGS)) {
    lines.push('> [!WARNING]', `> ${escapeText(withoutQueries(text), 1000)}`, '');
  }
  if (warnings.length > MAX_WARNINGS) {
    lines.push(`${warnings.length - MAX_WARNINGS} more warnings in the job summary.`, '');
  }
  const where = [key.workflow, key.job, key.step]
    .map((part) => escapeText(part, MAX_MARKER_PART))
    .join(' / ');
  const link = runUrl ? `[the run](${runUrl}), ` : '';
  lines.push(`<sub>${link}${where}; http-load-check ${VERSION}</sub>`, '');
  // Every part is cut short (message, warnings, names, URL), so the comment stays far below
  // GitHub's 65,536 characters.
  return lines.join('\n');
}
