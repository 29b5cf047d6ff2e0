/**
 * One whole check, shared by the action and the CLI: wait for the target, run the load, judge.
 * Pure in the project's sense: settings in, a plain outcome out; printing and exit codes belong to
 * the adapters, which hear about the steps through the hooks.
 */
import { emptyResult, runLoad, type LoadResult } from './engine/load.js';
import { waitUntilReady, type ReadyResult } from './engine/ready.js';
import { origin, targetUrl, type Settings } from './inputs.js';
import { cancelled, judge, notReady, type Verdict } from './verdict.js';

export interface CheckHooks {
  /** Aborting stops the check (e.g. on SIGTERM); the result so far is still judged. */
  signal?: AbortSignal;
  /** The name of what aborted the signal, for the message (e.g. `SIGTERM`). */
  stoppedBy?: () => string;
  /** The target answered after some waiting (not called when it answered the first probe). */
  onReady?: (ready: ReadyResult) => void;
  /** The load starts now (after the readiness wait). */
  onLoadStart?: () => void;
  /** Progress during the load, about every `progressIntervalMs`. */
  onProgress?: (progress: { elapsedMs: number; requests: number }) => void;
  progressIntervalMs?: number;
}

export interface CheckOutcome {
  result: LoadResult;
  verdict: Verdict;
  /** False when the load never started (target not ready, or cancelled while waiting). */
  loadStarted: boolean;
}

export async function runCheck(settings: Settings, hooks: CheckHooks = {}): Promise<CheckOutcome> {
  const { signal } = hooks;
  const stoppedBy = () => hooks.stoppedBy?.() || 'abort';
  const gate = (requests: number) => ({
    requests,
    minRequests: settings.minRequests,
    durationSec: settings.durationSec,
  });
  const target = {
    origin: origin(settings),
    path: settings.path,
    headers: settings.headers,
    signal,
  };

  if (settings.waitTimeoutSec > 0) {
    const ready = await waitUntilReady({
      ...target,
      waitMs: settings.waitTimeoutSec * 1000,
      probeTimeoutMs: settings.timeoutSec * 1000,
    });
    if (!ready.ready) {
      const verdict = signal?.aborted
        ? cancelled({ ...gate(0), signal: stoppedBy(), elapsedSec: 0 })
        : notReady({
            url: targetUrl(settings),
            waitTimeoutSec: settings.waitTimeoutSec,
            lastError: ready.lastError,
          });
      return { result: emptyResult(signal?.aborted), verdict, loadStarted: false };
    }
    if (ready.attempts > 1) hooks.onReady?.(ready);
  }

  hooks.onLoadStart?.();
  const result = await runLoad({
    ...target,
    connections: settings.connections,
    pipelining: settings.pipelining,
    busyPoll: settings.busyPoll,
    warmupMs: settings.warmupSec * 1000,
    durationMs: settings.durationSec * 1000,
    timeoutMs: settings.timeoutSec * 1000,
    expectedStatus: settings.expectedStatus,
    onProgress: hooks.onProgress,
    progressIntervalMs: hooks.progressIntervalMs,
  });
  const verdict = result.aborted
    ? cancelled({
        ...gate(result.requests),
        signal: stoppedBy(),
        elapsedSec: result.windowMs / 1000,
      })
    : judge(gate(result.requests));
  return { result, verdict, loadStarted: true };
}
