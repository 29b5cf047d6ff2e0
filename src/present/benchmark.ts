/** The github-action-benchmark file (`benchmark-file`). Pure. */
import type { Check } from '../model/check.js';
import { distinctRoutes, formatSeconds, type Settings } from '../model/settings.js';
import { coefficientOfVariation } from '../stats/noise.js';
import { requestsPerSecond } from '../model/result.js';
import { formatMs } from './text.js';

/** One entry of github-action-benchmark's `customBiggerIsBetter` format. */
interface BenchmarkEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

/** `GET /path (1 connection)`, or `3 routes (4 connections x 2 pipelined, 500 req/s)`: a series' name. */
function seriesLabel(settings: Settings): string {
  const shape =
    `${settings.connections} connection${settings.connections === 1 ? '' : 's'}` +
    (settings.pipelining > 1 ? ` x ${settings.pipelining} pipelined` : '') +
    (settings.rate !== null ? `, ${settings.rate} req/s` : '');
  const distinct = distinctRoutes(settings.routes);
  const what =
    distinct.length === 1
      ? distinct[0].route.name
      : `${distinct.length} routes from ${distinct[0].route.name}`;
  return `${what} (${shape})`;
}

/**
 * The run's latency as github-action-benchmark `customSmallerIsBetter` entries: p50, p95 and p99
 * in ms, named like the throughput series.
 */
export function latencyEntries(settings: Settings, check: Check): BenchmarkEntry[] {
  const { latency } = check.result;
  // No counted response: no latency, rather than a 0 ms that would chart as the best run ever.
  if (latency.count === 0) return [];
  const label = seriesLabel(settings);
  return (
    [
      ['p50', latency.p50Us],
      ['p95', latency.p95Us],
      ['p99', latency.p99Us],
    ] as const
  ).map(([name, us]) => ({
    name: `${label} latency ${name}`,
    unit: 'ms',
    value: Math.round(us) / 1000,
  }));
}

/**
 * The run as a github-action-benchmark `customBiggerIsBetter` entry: req/s. Its name does not
 * hold the duration, so changing `duration` continues the series; the count of requests, which
 * does scale with it, is only in `extra`, with what else does not fit (latency, faults, the
 * verdict).
 */
export function benchmarkEntries(settings: Settings, check: Check): BenchmarkEntry[] {
  const { result, samples } = check;
  const comparison = check.kind === 'absolute' ? null : check;
  const label = seriesLabel(settings);
  const cv = coefficientOfVariation(samples.rps);
  const extra = [
    `${result.requests} requests in ${formatSeconds(result.windowMs / 1000)} s`,
    `latency p50 ${formatMs(result.latency.p50Us)} ms, p99 ${formatMs(result.latency.p99Us)} ms`,
    `errors ${result.errors}, timeouts ${result.timeouts}, unexpected status ${result.unexpectedStatus}`,
  ];
  if (comparison?.shift) {
    const { changePct, lowPct, highPct } = comparison.shift;
    extra.push(
      `vs baseline ${changePct.toFixed(1)}% [${lowPct.toFixed(1)}%, ${highPct.toFixed(1)}%]: ${comparison.verdict}`,
    );
  }
  return [
    {
      name: `${label} throughput`,
      unit: 'req/s',
      value: Math.round(requestsPerSecond(result) * 10) / 10,
      ...(samples.rps.length > 1 ? { range: `± ${(100 * cv).toFixed(1)}%` } : {}),
      extra: extra.join('\n'),
    },
  ];
}
