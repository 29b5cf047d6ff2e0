/**
 * Readiness: poll the target until it answers an HTTP request (any status), before the load starts.
 * Pure in the project's sense: plain options in, a plain result out; the clock and the abort
 * signal come from the caller.
 */
import { Client } from 'undici';

export interface ReadyOptions {
  /** `http://host:port` */
  origin: string;
  path: string;
  headers?: [string, string][];
  /** Give up after this long, in ms. */
  waitMs: number;
  /** Limit of each probe, in ms. */
  probeTimeoutMs: number;
  /** Pause between probes, in ms. */
  intervalMs?: number;
  signal?: AbortSignal;
  now?: () => number;
}

export interface ReadyResult {
  ready: boolean;
  /** Time spent waiting, in ms. */
  waitedMs: number;
  /** Probes sent. */
  attempts: number;
  /** The status of the answer that ended the wait. */
  status?: number;
  /** The message of the last failed probe, e.g. `connect ECONNREFUSED 127.0.0.1:8080`. */
  lastError?: string;
}

export async function waitUntilReady(options: ReadyOptions): Promise<ReadyResult> {
  const now = options.now ?? (() => performance.now());
  const { signal, waitMs, probeTimeoutMs } = options;
  const intervalMs = options.intervalMs ?? 100;
  const startedAt = now();
  const headers = (options.headers ?? []).flat();
  let attempts = 0;
  let lastError: string | undefined;

  while (!signal?.aborted) {
    const leftMs = waitMs - (now() - startedAt);
    if (leftMs <= 0) break;
    attempts++;
    const limitMs = Math.max(1, Math.ceil(Math.min(probeTimeoutMs, leftMs)));
    // A fresh connection per probe: a half-open socket from a failed probe must not be reused.
    const client = new Client(options.origin, {
      connectTimeout: limitMs,
      headersTimeout: limitMs,
      bodyTimeout: limitMs,
    });
    try {
      const response = await client.request({
        path: options.path,
        method: 'GET',
        headers,
        signal: anySignal(signal, AbortSignal.timeout(limitMs)),
      });
      await response.body.dump();
      return { ready: true, waitedMs: now() - startedAt, attempts, status: response.statusCode };
    } catch (error) {
      lastError = describe(error);
    } finally {
      await client.destroy().catch(() => {});
    }
    const pauseMs = Math.min(intervalMs, waitMs - (now() - startedAt));
    if (pauseMs > 0) await sleep(pauseMs, signal);
  }
  return { ready: false, waitedMs: now() - startedAt, attempts, lastError };
}

function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
}

/** `connect ECONNREFUSED 127.0.0.1:8080`, or the error's name and code when it has no message. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code } = error as { code?: string };
  if (error.name === 'TimeoutError') return 'no answer within the probe timeout';
  return error.message || code || error.name;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
