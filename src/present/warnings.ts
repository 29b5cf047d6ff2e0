/**
 * The warnings a check raises besides its decision: one list, which the log (or the action's
 * annotations), the job summary and the JSON report all show. Pure.
 */
import {
  EXTENSION_AIM_MARGIN_PCT,
  noiseAimPct,
  tooNoisyToRuleOut,
  type Check,
  type ComparisonCheck,
  type SavedBaseline,
} from '../model/check.js';
import { errorRatePct } from '../model/result.js';
import {
  distinctRoutes,
  formatChange,
  formatConfidence,
  requestsOf,
  type Settings,
} from '../model/settings.js';
import { clientBound, generatorShare, noise } from '../stats/noise.js';

export interface Warning {
  text: string;
  /** A short title for the action's annotation, when it needs one. */
  title?: string;
}

/** Nothing when the load never started: there is nothing to warn about. */
export function warningsOf(settings: Settings, check: Check): Warning[] {
  if (!check.loadStarted) return [];
  const { result } = check;
  const list: Warning[] = [];
  if (check.kind === 'absolute') {
    const { warning } = noise(result.requests, settings.minRequests, result.perSecond);
    if (warning) list.push({ text: warning, title: 'min-requests is inside the noise' });
  }
  const bound = result.windowMs > 0 ? clientBound(result.generator) : null;
  if (bound) list.push({ text: bound });
  // A saturated generator took the machine's CPU too; one warning says enough.
  const share = result.windowMs > 0 && !bound ? generatorShare(result.generator) : null;
  if (share) list.push({ text: share, title: 'generator took CPU from the service' });
  const schedule = result.schedule;
  if (schedule !== null && schedule.achievedPerSec < 0.95 * schedule.ratePerSec) {
    list.push({
      title: 'rate not reached',
      text:
        `Sent ${schedule.achievedPerSec.toFixed(1)} requests per second of the ${schedule.ratePerSec} ` +
        `asked (rate), ${schedule.dropped} dropped: every one of the ${settings.connections} x ` +
        `${settings.pipelining} slots was busy. The target could not keep up, or the generator ` +
        `(CPU ${Math.round(result.generator.cpuPct)}% of a core): give more connections, or a lower rate.`,
    });
  }
  // A measured baseline, or a saved one: either way the head is compared with a failing service.
  if (check.kind !== 'absolute') {
    const rate = errorRatePct(check.baseline);
    if (rate > settings.maxErrorRatePct) {
      list.push({
        title: 'baseline failing',
        text:
          `The baseline's error rate is ${rate.toFixed(2)}%, above max-error-rate ` +
          `${settings.maxErrorRatePct}% (errors ${check.baseline.errors}, timeouts ` +
          `${check.baseline.timeouts}, unexpected status ${check.baseline.unexpectedStatus}): ` +
          `the comparison is against a failing service.`,
      });
    }
  }
  const mismatch = check.kind === 'saved' ? baselineMismatch(settings, check.saved) : null;
  if (mismatch) list.push({ text: mismatch });
  const tooNoisy = check.kind === 'paired' ? tooNoisyToGate(settings, check) : null;
  if (tooNoisy) list.push({ text: tooNoisy, title: 'comparison too noisy' });
  return list;
}

/**
 * A warning when a same-job comparison passed while `tooNoisyToRuleOut` a regression, else null:
 * its green check rules out less than it seems to, and the log's detectable line alone is easy to
 * miss. An interval that ends above -max-regression has ruled a regression out however noisy the
 * run was (a `faster` one always has); a failed step says enough; a saved baseline always carries
 * the spread between runs, and its note says so.
 */
export function tooNoisyToGate(settings: Settings, check: ComparisonCheck): string | null {
  const { shift, verdict, extension } = check;
  const detectable = check.detectableRegressionPct;
  if (shift === null || detectable === null || !check.decision.passed) return null;
  if (!tooNoisyToRuleOut(shift, detectable, settings.maxRegressionPct)) return null;
  const aimPct = noiseAimPct(settings.maxRegressionPct);
  // Why it did not measure more: runPaired's reasons to stop short of the aim.
  const why = extension
    ? extension.rounds >= 2 * extension.plannedRounds
      ? `even after measuring on to ${extension.rounds} slice pairs, twice the ` +
        `${extension.plannedRounds} planned (the most it measures)`
      : `after measuring on to ${extension.rounds} slice pairs of at most ` +
        `${2 * extension.plannedRounds}: a slice then had timeouts, which more pairs would not ` +
        'average away'
    : settings.roundsAuto
      ? `with its ${shift.headSlices} planned slice pairs: a slice had timeouts, which more ` +
        'pairs would not average away'
      : `with the ${shift.headSlices} slice pairs of rounds ${settings.rounds} (at rounds auto, a ` +
        'noisy run measures on)';
  return (
    `This comparison could catch only slowdowns of ${detectable.toFixed(1)}% or more, above the ` +
    `${aimPct.toFixed(1)}% aimed at (max-regression + ${EXTENSION_AIM_MARGIN_PCT} points), ${why}. ` +
    `It passed as '${verdict}', but its ${formatConfidence(settings.confidence)} interval, ` +
    `${formatChange(shift.lowPct)} to ${formatChange(shift.highPct)}, does not rule out a ` +
    `slowdown beyond max-regression ${settings.maxRegressionPct}%. Its slice pairs disagreed ` +
    'this much, most often because something else used the CPU during the run (a parallel step, ' +
    "or a neighbour on the runner's host), or the service's own speed swings. Rerun the job " +
    'where nothing else runs, or give a longer duration.'
  );
}

/**
 * A warning when a saved baseline was measured with other settings than this run, else null:
 * connections, pipelining, path, scheme, protocol and the requests sent (method, path, weight).
 */
export function baselineMismatch(settings: Settings, saved: SavedBaseline): string | null {
  const now: SavedBaseline['settings'] = {
    ...saved.settings,
    connections: settings.connections,
    pipelining: settings.pipelining,
    path: settings.path,
    scheme: settings.scheme,
    http2: settings.http2,
    requests: requestsOf(
      distinctRoutes(settings.routes).map(({ route, weight }) => ({ name: route.name, weight })),
    ),
  };
  // The requests name their paths; a report older than routes has only the path.
  const keys: (keyof SavedBaseline['settings'])[] = [
    'connections',
    'pipelining',
    'scheme',
    'http2',
  ];
  keys.push(saved.settings.requests === null ? 'path' : 'requests');
  const differs = keys.filter((k) => saved.settings[k] !== now[k]);
  if (differs.length === 0) return null;
  const list = (from: SavedBaseline['settings']) =>
    differs.map((k) => (k === 'requests' ? `requests (${from[k]})` : `${k} ${from[k]}`)).join(', ');
  return (
    `The saved baseline (${saved.path}) was measured with ${list(saved.settings)}; this run ` +
    `uses ${list(now)}: the comparison is not like for like.`
  );
}
