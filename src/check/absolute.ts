/**
 * The absolute check (one continuous run against `min-requests`) and what every check shares: the
 * hooks, the readiness wait, the load's options.
 */
import { LoadPool, runLoad, type LoadCounter } from '../engine/load.js';
import { waitUntilReady, type ReadyResult } from '../engine/ready.js';
import type { AbsoluteCheck, Decision } from '../model/check.js';
import { emptyResult, type LoadResult } from '../model/result.js';
import { origin, targetUrl, type Settings } from '../model/settings.js';
import { recordTrial, runBusyPollTrial } from './busy-poll.js';
import { cancelled, judge, notReady } from './judge.js';

export interface CheckHooks {
  /** Aborting stops the check (e.g. on SIGTERM); the result so far is still judged. */
  signal?: AbortSignal;
  /** The name of what aborted the signal, for the message (e.g. `SIGTERM`). */
  stoppedBy?: () => string;
  /** The target answered after some waiting (not called when it answered the first probe). */
  onReady?: (ready: ReadyResult) => void;
  /** The load starts now (after the readiness wait). */
  onLoadStart?: () => void;
  /**
   * The check's counted requests (the head's, in a comparison) are added here as they are
   * counted, for progress lines.
   */
  counter?: LoadCounter;
}

/**
 * The absolute check: one continuous run, counted in samples of `durationSec / rounds` seconds (or
 * of `sampleSec` when given, to match a saved baseline).
 */
export async function runAbsolute(
  settings: Settings,
  hooks: CheckHooks = {},
  sampleSec = settings.durationSec / settings.rounds,
): Promise<AbsoluteCheck> {
  const notReadyDecision = await waitFor(settings, hooks);
  if (notReadyDecision) {
    return {
      kind: 'absolute',
      result: emptyResult(hooks.signal?.aborted),
      decision: notReadyDecision,
      loadStarted: false,
      samples: { sampleSec, rps: [] },
    };
  }

  hooks.onLoadStart?.();
  const result = await withBusyPoll(settings, hooks.signal, (busyPoll, pool) =>
    runLoad({
      ...loadOptions(settings, hooks.signal),
      busyPoll,
      pool,
      // The backstop of a run on its own connections, also when the trial opened them.
      cutOff: true,
      warmupMs: settings.warmupSec * 1000,
      durationMs: settings.durationSec * 1000,
      sampleMs: sampleSec * 1000,
      counter: hooks.counter,
    }),
  );
  const decision = result.aborted
    ? cancelledAfter(settings, hooks, result.requests, result.windowMs / 1000)
    : judge(settings, result);
  const rps = result.aborted ? [] : result.sampleCounts.map((count) => count / sampleSec);
  return { kind: 'absolute', result, decision, loadStarted: true, samples: { sampleSec, rps } };
}

/**
 * Runs `load` with the busy-poll mode of the settings. With `busy-poll: auto` at 1 connection it
 * first runs the trial (src/check/busy-poll.ts) on connections that `load` then uses, and records
 * the trial in the result; otherwise `load` opens its own (`pool` undefined).
 */
async function withBusyPoll(
  settings: Settings,
  signal: AbortSignal | undefined,
  load: (busyPoll: boolean, pool: LoadPool | undefined) => Promise<LoadResult>,
): Promise<LoadResult> {
  if (settings.busyPoll !== 'trial') return load(settings.busyPoll, undefined);
  const pool = openPool(settings);
  try {
    const outcome = await runBusyPollTrial(loadOptions(settings, signal), pool);
    // Stopped during the trial: the pool was cancelled with it, and nothing was measured.
    const result = signal?.aborted ? emptyResult(true) : await load(outcome.trial.chosen, pool);
    await recordTrial(result, outcome);
    return result;
  } finally {
    await pool.close();
  }
}

/** What a load needs from the settings, but the window (and busy-poll's `'trial'`, as false). */
export function loadOptions(settings: Settings, signal?: AbortSignal) {
  return {
    origin: origin(settings),
    routes: settings.routes,
    tls: settings.tls,
    http2: settings.http2,
    connections: settings.connections,
    pipelining: settings.pipelining,
    busyPoll: settings.busyPoll === true,
    timeoutMs: settings.timeoutSec * 1000,
    expectedStatus: settings.expectedStatus,
    rate: settings.rate ?? undefined,
    signal,
  };
}

/** Connections to the settings' target, kept open across a comparison's slices. */
export function openPool(settings: Settings): LoadPool {
  const { connections, pipelining, timeoutSec, tls, http2 } = settings;
  return new LoadPool({
    origin: origin(settings),
    connections,
    pipelining,
    timeoutMs: timeoutSec * 1000,
    tls,
    http2,
  });
}

export function cancelledAfter(
  settings: Settings,
  hooks: CheckHooks,
  requests: number,
  elapsedSec: number,
): Decision {
  const signal = hooks.stoppedBy?.() || 'abort';
  return cancelled({ durationSec: settings.durationSec, requests, signal, elapsedSec });
}

/** Waits for the target when `wait-timeout` asks to; a decision when it never answered. */
export async function waitFor(settings: Settings, hooks: CheckHooks): Promise<Decision | null> {
  if (settings.waitTimeoutSec <= 0) return null;
  // The probe is a GET of the first route (any status will do): it must not create what a POST
  // would, and a route's own headers (a token) may be what lets it through.
  const [first] = settings.routes;
  const ready = await waitUntilReady({
    origin: origin(settings),
    path: first.path,
    headers: first.headers.filter(([name]) => name.toLowerCase() !== 'content-type'),
    tls: settings.tls,
    http2: settings.http2,
    signal: hooks.signal,
    waitMs: settings.waitTimeoutSec * 1000,
    probeTimeoutMs: settings.timeoutSec * 1000,
  });
  if (ready.ready) {
    if (ready.attempts > 1) hooks.onReady?.(ready);
    return null;
  }
  if (hooks.signal?.aborted) return cancelledAfter(settings, hooks, 0, 0);
  return notReady({
    url: targetUrl(settings),
    waitTimeoutSec: settings.waitTimeoutSec,
    lastError: ready.lastError,
    certificate: ready.certificate === true,
    lastErrorCode: ready.lastErrorCode,
    caFile: settings.tls.ca !== null,
    hint: ready.hint,
  });
}
