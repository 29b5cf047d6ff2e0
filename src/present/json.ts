/**
 * The JSON report (`report-file`, `http-load-check --json`). Pure: values in, values out; the
 * session writes the file.
 *
 * The schema is documented in docs/report-schema.md and checked by report.schema.json.
 * `schemaVersion` changes when a field is removed, renamed or changes meaning; new fields may be
 * added within a version. A saved report is read back by src/config/baseline-file.ts.
 */
import { SCHEMA_VERSION, type Check, type RunEnvironment } from '../model/check.js';
import { distinctRoutes, targetUrl, type Route, type Settings } from '../model/settings.js';
import { coefficientOfVariation } from '../stats/noise.js';
import { VERSION } from '../version.js';
import { errorRatePct, requestsPerSecond } from '../model/result.js';
import type { Warning } from './warnings.js';

export function jsonReport(
  settings: Settings,
  check: Check,
  warnings: Warning[],
  environment: RunEnvironment,
  createdAt = new Date(),
) {
  const { result, decision, samples } = check;
  const comparison = check.kind === 'absolute' ? null : check;
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'http-load-check', version: VERSION },
    createdAt: createdAt.toISOString(),
    target: targetUrl(settings),
    environment,
    // Field by field: the report's layout is a contract of its own (a rename bumps
    // schemaVersion). A new field of Settings fails to compile here until it is added on purpose.
    settings: {
      scheme: settings.scheme,
      host: settings.host,
      port: settings.port,
      path: settings.path,
      routes: distinctRoutes(settings.routes).map(routeReport),
      http2: settings.http2,
      tls: { insecure: settings.tls.insecure, ca: settings.tls.ca !== null },
      caFile: settings.caFile,
      targetsSource: settings.targetsSource,
      durationSec: settings.durationSec,
      minRequests: settings.minRequests,
      minRps: settings.minRps,
      maxErrorRatePct: settings.maxErrorRatePct,
      maxP50Ms: settings.maxP50Ms,
      maxP95Ms: settings.maxP95Ms,
      maxP99Ms: settings.maxP99Ms,
      rate: settings.rate,
      connections: settings.connections,
      pipelining: settings.pipelining,
      // `auto` when a trial decided (the mode used is `generator.busyPoll`).
      busyPoll: settings.busyPoll === 'trial' ? 'auto' : settings.busyPoll,
      timeoutSec: settings.timeoutSec,
      waitTimeoutSec: settings.waitTimeoutSec,
      warmupSec: settings.warmupSec,
      expectedStatus: settings.expectedStatus,
      headers: settings.headers.map(([name]) => [name, '***']),
      secretHeaders: settings.secretHeaders,
      baseline: settings.baseline && {
        ...settings.baseline,
        routes: distinctRoutes(settings.baseline.routes).map(routeReport),
      },
      rounds: settings.rounds,
      roundsAuto: settings.roundsAuto,
      maxRegressionPct: settings.maxRegressionPct,
      confidence: settings.confidence,
      baselineFile: settings.baselineFile,
      reportFile: settings.reportFile,
      benchmarkFile: settings.benchmarkFile,
      benchmarkLatencyFile: settings.benchmarkLatencyFile,
      comment: settings.comment,
      // Whether one was given, never the token.
      githubToken: settings.githubToken === '' ? '' : '***',
    } satisfies Record<keyof Settings, unknown>,
    decision,
    result: { ...result, rps: requestsPerSecond(result), errorRatePct: errorRatePct(result) },
    samples: { ...samples, cv: coefficientOfVariation(samples.rps) },
    warnings: warnings.map((w) => w.text),
    comparison: comparison && {
      kind: comparison.kind,
      baselineFile:
        comparison.kind === 'saved'
          ? {
              path: comparison.saved.path,
              createdAt: comparison.saved.createdAt,
              target: comparison.saved.target,
              sha: comparison.saved.environment.sha ?? null,
              ref: comparison.saved.environment.ref ?? null,
            }
          : null,
      verdict: comparison.verdict,
      shift: comparison.shift,
      detectableRegressionPct: comparison.detectableRegressionPct,
      extension: comparison.extension,
      maxRegressionPct: settings.maxRegressionPct,
      baseline: {
        ...comparison.baseline,
        rps: requestsPerSecond(comparison.baseline),
        errorRatePct: errorRatePct(comparison.baseline),
      },
      slices: comparison.slices.map((s) => ({ ...s, outlier: s.outlier === true })),
      noise: comparison.noise,
    },
  };
}

/**
 * A route as the report shows it: header names only (values may be secrets), the body's size and
 * how often the route is listed (its weight).
 */
function routeReport({ route, weight }: { route: Route; weight: number }) {
  return {
    name: route.name,
    method: route.method,
    path: route.path,
    headers: route.headers.map(([name]) => [name, '***']),
    bodyBytes: route.body?.length ?? 0,
    weight,
  };
}

export type JsonReport = ReturnType<typeof jsonReport>;

/** A value as the files hold it: indented JSON and a final newline. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}
