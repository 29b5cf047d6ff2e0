/**
 * Readiness: poll the target until it answers an HTTP request (any status), before the load starts.
 * The probes connect as the load does (the same `Connector`: TLS checks, HTTP/2, `localhost` on
 * both loopback families). Pure in the project's sense: plain options in, a plain result out; the
 * clock and the abort signal come from the caller.
 */
import net from 'node:net';
import { Client } from 'undici';
import type { Tls } from '../model/settings.js';
import { Connector, describeError, errorCode, isCertificateErrorCode } from './connect.js';

export interface ReadyOptions {
  /** `http://host:port` or `https://host:port` (an IPv6 address in brackets). */
  origin: string;
  path: string;
  headers?: [string, string][];
  /** Certificate checks of an https origin, as for the load. */
  tls?: Tls;
  /** Offer HTTP/2 by ALPN (https only), as for the load. */
  http2?: boolean;
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
  /**
   * The last real failure in words, e.g. `connect ECONNREFUSED 127.0.0.1:8080`; every address
   * tried when a name has several (`connect ECONNREFUSED 127.0.0.1:8080; connect ECONNREFUSED
   * ::1:8080`); `<message> (<CODE>)` for a certificate. A probe cut short by the end of the wait
   * does not replace an earlier failure.
   */
  lastError?: string;
  /** The code of that failure, e.g. `ECONNREFUSED`, `DEPTH_ZERO_SELF_SIGNED_CERT`. */
  lastErrorCode?: string;
  /**
   * True when the wait ended at once on a certificate the client does not accept: waiting cannot
   * fix that, trusting it (`insecure`, `ca-file`) can.
   */
  certificate?: boolean;
  /**
   * What may be wrong with the target, when something can tell: e.g. `[::1]:8080 accepts
   * connections; use host ::1 or localhost` when 127.0.0.1 refused.
   */
  hint?: string;
}

/** What a probe that gave up reports; undici's own timeouts and the probe's signal alike. */
const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

function isTimeout(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === 'TimeoutError' || TIMEOUT_CODES.has(errorCode(error) ?? '');
}

export async function waitUntilReady(options: ReadyOptions): Promise<ReadyResult> {
  const now = options.now ?? (() => performance.now());
  const { signal, waitMs, probeTimeoutMs } = options;
  const intervalMs = options.intervalMs ?? 100;
  const startedAt = now();
  const headers = (options.headers ?? []).flat();
  // One connector for every probe: a TLS session and the `localhost` address that answered carry
  // over from one probe to the next, as between the load's connections.
  const connector = new Connector({
    origin: options.origin,
    tls: options.tls,
    http2: options.http2,
    timeoutMs: probeTimeoutMs,
  });
  let attempts = 0;
  let lastError: string | undefined;
  let lastErrorCode: string | undefined;

  while (!signal?.aborted) {
    const leftMs = waitMs - (now() - startedAt);
    if (leftMs <= 0) break;
    attempts++;
    const cutByWait = leftMs < probeTimeoutMs;
    const limitMs = Math.max(1, Math.ceil(Math.min(probeTimeoutMs, leftMs)));
    // A fresh connection per probe: a half-open socket from a failed probe must not be reused.
    const client = new Client(options.origin, {
      headersTimeout: limitMs,
      bodyTimeout: limitMs,
      ...connector.clientOptions(1),
      connect: connector.connect,
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
      if (signal?.aborted) break;
      if (!isTimeout(error)) {
        lastError = describeError(error);
        lastErrorCode = errorCode(error);
        if (isCertificateErrorCode(lastErrorCode)) {
          // Waiting cannot make a certificate acceptable.
          const waitedMs = now() - startedAt;
          return { ready: false, waitedMs, attempts, lastError, lastErrorCode, certificate: true };
        }
      } else if (!cutByWait || lastError === undefined) {
        // A probe the end of the wait cut short says less than an earlier real failure.
        lastError = cutByWait
          ? 'no answer before the wait ended'
          : 'no answer within the probe timeout';
        lastErrorCode = undefined;
      }
    } finally {
      await client.destroy().catch(() => {});
    }
    const pauseMs = Math.min(intervalMs, waitMs - (now() - startedAt));
    if (pauseMs > 0) await sleep(pauseMs, signal);
  }
  const waitedMs = now() - startedAt;
  const result: ReadyResult = { ready: false, waitedMs, attempts, lastError, lastErrorCode };
  if (lastErrorCode === 'ECONNREFUSED' && !signal?.aborted) {
    const hint = await otherLoopbackHint(options.origin, Math.min(1000, probeTimeoutMs));
    if (hint !== undefined) result.hint = hint;
  }
  return result;
}

/**
 * When the target is a loopback address given explicitly and refused, whether the other loopback
 * family accepts connections on the same port: a service listening on `::1` only (or on 127.0.0.1
 * only) is a common reason, and the fix is the other address or `localhost`.
 */
async function otherLoopbackHint(origin: string, limitMs: number): Promise<string | undefined> {
  const url = new URL(origin);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname;
  const other = host === '127.0.0.1' ? '::1' : host === '[::1]' ? '127.0.0.1' : undefined;
  if (other === undefined || !(await accepts(other, port, limitMs))) return undefined;
  const where = other.includes(':') ? `[${other}]:${port}` : `${other}:${port}`;
  return `${where} accepts connections; use host ${other} or localhost`;
}

/** Whether a TCP connection to `host:port` is accepted within `limitMs`; it is closed at once. */
function accepts(host: string, port: number, limitMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => done(false), limitMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    function done(accepted: boolean) {
      clearTimeout(timer);
      socket.destroy();
      resolve(accepted);
    }
  });
}

function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
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
