/**
 * The JSON report (`http-load-check --json`): settings, counts, latency, per-second counts and the
 * verdict, with header values hidden. Pure. `schemaVersion` changes when a field changes meaning.
 */
import type { ComparisonOutcome } from '../check.js';
import type { LoadResult } from '../engine/load.js';
import { targetUrl, type Settings } from '../inputs.js';
import type { Verdict } from '../verdict.js';
import { requestsPerSecond } from './text.js';

export const SCHEMA_VERSION = 1;

export function jsonReport(
  settings: Settings,
  result: LoadResult,
  verdict: Verdict,
  comparison: ComparisonOutcome | null = null,
) {
  return {
    schemaVersion: SCHEMA_VERSION,
    target: targetUrl(settings),
    settings: {
      ...settings,
      headers: settings.headers.map(([name]) => [name, '***']),
    },
    verdict,
    result: { ...result, rps: requestsPerSecond(result) },
    comparison: comparison && {
      verdict: comparison.comparison,
      shift: comparison.shift,
      baseline: { ...comparison.baseline, rps: requestsPerSecond(comparison.baseline) },
      slices: comparison.slices,
    },
  };
}
