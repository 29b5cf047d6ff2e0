/** The job summary, as Markdown. Pure: the session hands what this returns to the sink. */
import type {
  Check,
  ComparisonCheck,
  Decision,
  Gate,
  GateName,
  Outcome,
  Side,
} from '../model/check.js';
import {
  errorRatePct,
  requestsPerSecond,
  type LoadResult,
  type Schedule,
} from '../model/result.js';
import {
  distinctRoutes,
  formatChange,
  formatConfidence,
  formatSeconds,
  formatStatusRanges,
  origin,
  targetUrl,
  type Route,
  type Settings,
} from '../model/settings.js';
import { noise } from '../stats/noise.js';
import {
  detectableText,
  extensionText,
  noiseAccountedFor,
  formatCounts,
  formatLatency,
  formatMs,
  formatRate,
  formatWarmup,
  scheduleRate,
} from './text.js';
import type { Warning } from './warnings.js';

/** Per-second counts are listed in the summary up to this many seconds. */
const MAX_SECONDS_LISTED = 30;

export const OUTCOME_TEXT: Record<Outcome, string> = {
  passed: '✅ passed',
  failed: '❌ failed',
  cancelled: '⏹️ cancelled',
  'not-ready': '❌ target not ready',
};

/**
 * The whole summary: the head's table, the decision, the warnings, then a comparison's part. It
 * never shows header values (they may be secrets): only the header names. Cut to GitHub's limit.
 */
export function summaryMarkdown(settings: Settings, check: Check, warnings: Warning[]): string {
  const main = mainMarkdown(settings, check.result, check.decision);
  const notes = warnings.flatMap(({ text }) => [`> [!WARNING]`, `> ${escapeText(text, 4000)}`, '']);
  const comparison = check.kind === 'absolute' ? '' : comparisonMarkdown(settings, check);
  return fitSummary([...main, ...notes].join('\n') + comparison);
}

function mainMarkdown(settings: Settings, result: LoadResult, decision: Decision): string[] {
  const { outcome, message } = decision;
  const statuses = formatCounts(result.statusCounts);
  const kinds = formatCounts(result.errorsByKind);
  const listSeconds = result.perSecond.length > 1 && result.perSecond.length <= MAX_SECONDS_LISTED;
  const { warmup } = result;
  const routes = distinctRoutes(settings.routes);
  const headerNames = [
    ...new Set(routes.flatMap(({ route }) => route.headers.map(([name]) => name))),
  ].join(', ');
  const { perSecondCv, band } = noise(result.requests, settings.minRequests, result.perSecond);
  const rows: [string, string | false][] = [
    [
      'Target',
      routes.length > 1
        ? `${codeSpan(origin(settings))}, ${routes.length} routes (below)`
        : codeSpan(targetUrl(settings)),
    ],
    ['Request', routes.length === 1 && requestText(routes[0].route)],
    ['Protocol', result.protocol !== '' && protocolText(settings, result)],
    [
      'Settings',
      `duration ${formatSeconds(settings.durationSec)} s, ` +
        `${plural(settings.connections, 'connection')} x ${settings.pipelining} in flight, ` +
        `timeout ${formatSeconds(settings.timeoutSec)} s` +
        (settings.warmupSec > 0 ? `, warm-up ${formatSeconds(settings.warmupSec)} s` : '') +
        (settings.busyPoll === true
          ? ', busy-poll'
          : settings.busyPoll === 'trial'
            ? ', busy-poll auto'
            : ''),
    ],
    ['Headers sent', headerNames !== '' && `${escapeText(headerNames)} (values hidden)`],
    ['Requests', `**${result.requests}** (status ${formatStatusRanges(settings.expectedStatus)})`],
    ['Unexpected status', String(result.unexpectedStatus)],
    ['Responses by status', statuses !== '' && statuses],
    ['Requests/s', formatRate(requestsPerSecond(result))],
    ['Rate (open model)', result.schedule !== null && scheduleText(result.schedule)],
    [
      'Error rate',
      `${errorRatePct(result).toFixed(2)}% (errors, timeouts and unexpected statuses)`,
    ],
    ['Requests in each second', listSeconds && result.perSecond.join(', ')],
    [
      'Variation between seconds',
      result.perSecond.length > 1 &&
        `${(perSecondCv * 100).toFixed(1)}% (noise band taken as ±${(band * 100).toFixed(0)}%)`,
    ],
    [
      result.schedule === null ? 'Latency' : 'Latency (from each due time)',
      result.latency.count > 0 ? formatLatency(result.latency) : 'no response',
    ],
    ['Measured window', `${formatSeconds(result.windowMs / 1000)} s`],
    ['Load generator', result.windowMs > 0 && generatorText(result.generator)],
    ['Errors', String(result.errors)],
    ['Errors by kind', kinds !== '' && escapeText(kinds)],
    ['Timeouts', String(result.timeouts)],
    ['Cancelled in flight', result.cancelled > 0 && String(result.cancelled)],
    ['Warm-up (not counted)', warmup.responses + warmup.failures > 0 && formatWarmup(warmup)],
    ['Outcome', OUTCOME_TEXT[outcome]],
  ];

  return [
    `## ${OUTCOME_TEXT[outcome].split(' ')[0]} HTTP load check`,
    '',
    '| | |',
    '|---|---|',
    ...rows.flatMap(([name, value]) => (value === false ? [] : [`| ${name} | ${value} |`])),
    '',
    ...(routes.length > 1 ? routesTable(routes, result) : []),
    ...gatesTable(decision.gates),
    escapeText(message, 4000),
    '',
  ];
}

/** `500 req/s asked, 498.2 sent per second, 12 dropped` */
function scheduleText(schedule: Schedule): string {
  return (
    `${scheduleRate(schedule)}, ` +
    (schedule.dropped > 0 ? `${schedule.dropped} dropped (every slot busy)` : 'none dropped')
  );
}

/** Units of each gate's limit and value. */
const GATE_UNITS: Record<GateName, string> = {
  'min-requests': '',
  'min-rps': ' req/s',
  'max-error-rate': '%',
  'max-p50-ms': ' ms',
  'max-p95-ms': ' ms',
  'max-p99-ms': ' ms',
  'max-regression': '%',
};

/** Every gate judged: its limit, what was measured, and whether it held. */
export function gatesTable(gates: Gate[]): string[] {
  if (gates.length === 0) return [];
  const value = (gate: Gate): string => {
    // Nothing to measure: no interval of the change, no request sent, no response counted.
    if (gate.value === null)
      return gate.name === 'max-regression' ? 'no interval' : 'nothing measured';
    const unit = GATE_UNITS[gate.name];
    switch (gate.name) {
      case 'min-requests':
        return String(gate.value);
      case 'min-rps':
        return `${formatRate(gate.value)}${unit}`;
      case 'max-error-rate':
        return `${gate.value.toFixed(2)}${unit}`;
      case 'max-regression':
        return `interval ends at ${formatChange(gate.value)}`;
      default:
        return `${gate.value.toFixed(3)}${unit}`;
    }
  };
  const limit = (gate: Gate): string =>
    gate.name.startsWith('min-')
      ? `≥ ${gate.limit}${GATE_UNITS[gate.name]}`
      : gate.name === 'max-regression'
        ? `interval not wholly below -${gate.limit}%`
        : `≤ ${gate.limit}${GATE_UNITS[gate.name]}`;
  return [
    '| Gate | Limit | Measured | |',
    '|---|---|---|---|',
    ...gates.map(
      (g) =>
        `| \`${g.name}\` | ${limit(g)} | ${value(g)} | ${g.passed ? '✅ passed' : '❌ failed'} |`,
    ),
    '',
  ];
}

/** `POST, body 123 bytes`: the method, and the body's size when there is one. */
function requestText(route: Route): string {
  return escapeText(route.method) + (route.body ? `, body ${route.body.length} bytes` : '');
}

/** `h2 over TLS, certificate not checked (insecure)` */
function protocolText(settings: Settings, result: LoadResult): string {
  if (settings.scheme !== 'https') return result.protocol;
  const checked = settings.tls.insecure
    ? 'certificate not checked (insecure)'
    : settings.tls.ca !== null
      ? `certificate checked against ${codeSpan(settings.caFile)} and Node's CAs`
      : 'certificate checked';
  return `${result.protocol} over TLS, ${checked}`;
}

/** Each route's counts and latency, in the order the targets list them. */
function routesTable(routes: { route: Route; weight: number }[], result: LoadResult): string[] {
  const byName = new Map(result.routes.map((r) => [r.name, r]));
  const ms = (us: number) => `${formatMs(us)} ms`;
  const lines = [
    '| Route | Weight | Requests | Unexpected status | Errors | Timeouts | Responses by status | Latency p50 | p99 |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const { route, weight } of routes) {
    const own = byName.get(route.name);
    const latency = own && own.latency.count > 0;
    lines.push(
      `| ${codeSpan(route.name)} | ${weight} | ${own?.requests ?? 0} | ${own?.unexpectedStatus ?? 0} | ` +
        `${own?.errors ?? 0} | ${own?.timeouts ?? 0} | ${escapeText(formatCounts(own?.statusCounts ?? {}))} | ` +
        `${latency ? ms(own.latency.p50Us) : '-'} | ${latency ? ms(own.latency.p99Us) : '-'} |`,
    );
  }
  return [...lines, ''];
}

function generatorText(generator: LoadResult['generator']): string {
  const pct = (x: number) => `${Math.round(x)}%`;
  const { cores } = generator;
  const perRequest = `${Math.round(generator.cpuUsPerRequest)} µs of CPU per request`;
  const usage = generator.busyPoll
    ? `busy-poll (a whole core by design); loop handling responses ${pct(100 * generator.utilization)} of the time; ${perRequest}`
    : `CPU ${pct(generator.cpuPct)} of a core` +
      (cores > 0 ? ` (${pct(generator.cpuPct / cores)} of ${plural(cores, 'core')})` : '') +
      `, event loop busy ${pct(100 * generator.utilization)}; ${perRequest}`;
  const trial = generator.busyPollTrial;
  if (trial === undefined) return usage;
  const rate = (x: number) => `${formatRate(x)} req/s`;
  return (
    `${usage}. busy-poll auto: ${trial.chosen ? 'on' : 'off'}, from a trial of both ` +
    `(${rate(trial.onPerSec)} spinning, ${rate(trial.offPerSec)} not)`
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** Control characters and line separators: never part of one line of a summary. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** At most `maxChars` characters of `text` (an ellipsis says it was cut), on one line. */
function oneLine(text: string, maxChars: number): string {
  const short = text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
  return short.replace(CONTROLS, ' ');
}

/**
 * Text that may hold anything (a saved report's fields, a message quoting them) as plain inline
 * Markdown: no HTML, no Markdown links, images or code spans, no line breaks, nothing that ends a
 * table cell, and at most `maxChars` characters. (GitHub still turns a bare URL into a link: put
 * one that may be anything in a `codeSpan`.)
 */
export function escapeText(text: string, maxChars = 500): string {
  return oneLine(text, maxChars)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~!@]/g, '\\$&');
}

/**
 * `text` as an inline code span that its own backticks cannot end, safe in a table cell (unless
 * `inTable` is false: outside a table a `\|` would show its backslash): shown as it is, never as
 * HTML or a link; at most `maxChars` characters.
 */
export function codeSpan(text: string, maxChars = 500, inTable = true): string {
  const short = oneLine(text, maxChars);
  const longestRun = Math.max(0, ...(short.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = short.startsWith('`') || short.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${inTable ? escapeCell(short) : short}${pad}${fence}`;
}

/** GitHub's limit of one step's job summary. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;

/**
 * The summary cut to fit `limitBytes` (UTF-8) at a line boundary, with a note saying so; unchanged
 * when it fits. GitHub refuses a larger one.
 */
export function fitSummary(markdown: string, limitBytes = SUMMARY_LIMIT_BYTES): string {
  if (Buffer.byteLength(markdown) <= limitBytes) return markdown;
  const note =
    '\n\n> [!NOTE]\n> The rest of this summary was cut: GitHub keeps at most 1 MiB per step. ' +
    'The JSON report (the `report` output) has everything.\n';
  const room = limitBytes - Buffer.byteLength(note);
  // Cut by bytes, then back to the last whole line (and whole character).
  let cut = Buffer.from(markdown).subarray(0, Math.max(0, room)).toString('utf8');
  if (cut.endsWith('\ufffd')) cut = cut.slice(0, -1);
  const lastLine = cut.lastIndexOf('\n');
  return `${lastLine > 0 ? cut.slice(0, lastLine) : ''}${note}`;
}

/** A side's latency percentile in ms, or `-` when it counted no response. */
export function latencyCell(result: LoadResult, p: 'p50' | 'p95' | 'p99'): string {
  return result.latency.count > 0 ? `${formatMs(result.latency[`${p}Us`])} ms` : '-';
}

/** The head vs baseline part of the summary: a table and a chart of req/s per slice. */
function comparisonMarkdown(settings: Settings, check: ComparisonCheck): string {
  const warmupText = ({ warmup }: LoadResult) =>
    warmup.responses + warmup.failures > 0 ? formatWarmup(warmup) : '';
  const { result, baseline, slices, shift, verdict, noise: sliceNoise } = check;
  const saved = check.kind === 'saved' ? check.saved : null;
  const baseTarget = saved
    ? `${codeSpan(saved.target)}, saved in ${codeSpan(saved.path)}` +
      (saved.createdAt ? ` at ${escapeText(saved.createdAt, 40)}` : '') +
      (/^[0-9a-f]{7,64}$/i.test(saved.environment.sha ?? '')
        ? ` (commit ${saved.environment.sha?.slice(0, 12)})`
        : '')
    : codeSpan(targetUrl({ ...settings, ...settings.baseline }));
  const rate = (r: LoadResult) => formatRate(requestsPerSecond(r));
  const faults = (n: number, byKind: Record<string, number>) =>
    n > 0 ? `${n} (${escapeText(formatCounts(byKind))})` : '0';
  const cv = (side: Side) => `${(100 * sliceNoise[side].cv).toFixed(1)}%`;
  const bursts = (side: Side) => {
    const own = slices.filter((s) => s.side === side);
    const list = own.flatMap((s, i) => (s.outlier ? [`#${i + 1} (${formatRate(s.rps)})`] : []));
    return list.length > 0 ? list.join(', ') : 'none';
  };
  const rows = [
    '| | baseline | head |',
    '|---|---|---|',
    `| Target | ${baseTarget} | ${codeSpan(targetUrl(settings))} |`,
    `| Requests | ${baseline.requests} | ${result.requests} |`,
    `| Requests/s | ${rate(baseline)} | ${rate(result)} |`,
    `| Unexpected status | ${baseline.unexpectedStatus} | ${result.unexpectedStatus} |`,
    `| Errors | ${faults(baseline.errors, baseline.errorsByKind)} | ${faults(result.errors, result.errorsByKind)} |`,
    `| Timeouts | ${baseline.timeouts} | ${result.timeouts} |`,
    `| Error rate | ${errorRatePct(baseline).toFixed(2)}% | ${errorRatePct(result).toFixed(2)}% |`,
    ...(['p50', 'p95', 'p99'] as const).map(
      (p) => `| Latency ${p} | ${latencyCell(baseline, p)} | ${latencyCell(result, p)} |`,
    ),
    ...(warmupText(baseline) || warmupText(result)
      ? [`| Warm-up (not counted) | ${warmupText(baseline)} | ${warmupText(result)} |`]
      : []),
    `| Variation between slices (CV) | ${cv('baseline')} | ${cv('head')} |`,
    `| Slices hit by a burst (outliers) | ${bursts('baseline')} | ${bursts('head')} |`,
  ];
  const lines = [`### Head vs baseline`, '', ...rows, ''];
  if (shift && verdict) {
    lines.push(
      `Change of head vs baseline: **${formatChange(shift.changePct)}**, ` +
        `${formatConfidence(settings.confidence)} interval ${formatChange(shift.lowPct)} to ${formatChange(shift.highPct)} ` +
        (shift.test === 'signed-rank'
          ? `(Hodges-Lehmann estimate over ${shift.headSlices} adjacent head/baseline slice pairs, ` +
            `${shift.method} Wilcoxon signed-rank interval). `
          : `(Hodges-Lehmann shift of log req/s, ${shift.method} Mann-Whitney interval` +
            (shift.betweenRunSpreadPct > 0 ? ` widened for the spread between runs` : '') +
            `, ${shift.headSlices} + ${shift.baselineSlices} ${saved ? 'samples' : 'slices'}). `) +
        `Verdict: **${verdict}** ` +
        `(a regression only when the whole interval lies below -${settings.maxRegressionPct}%).`,
      '',
    );
    if (saved) lines.push('> [!NOTE]', `> ${noiseAccountedFor(shift)}`, '');
    else lines.push(noiseAccountedFor(shift), '');
    if (check.extension) lines.push(`Noisy run: ${extensionText(check.extension)}.`, '');
    if (check.detectableRegressionPct !== null) {
      lines.push(
        `This run could catch slowdowns of **${detectableText(check.detectableRegressionPct, shift)}**: ` +
          'a noisier run can catch only larger ones.',
        '',
      );
    }
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
