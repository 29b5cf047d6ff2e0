/**
 * The load loop: `connections` keep-alive connections, each with one GET in flight, until the deadline.
 *
 * Pure in the project's sense: plain options in, a plain `LoadResult` out, no printing, no
 * `@actions/core`. It does own the deadline timer and the sockets, and it takes `now` (a monotonic
 * clock in ms) and an optional `AbortSignal` from the caller.
 *
 * Counting rule (see README, "What counts as a request"):
 * - a request counts when its whole response (any status) has been read;
 * - a request sent before the deadline and answered after it still counts, so the count equals the
 *   number of responses the server sent;
 * - errors and timeouts never count as requests; they are counted apart;
 * - requests cut off by the hard stop (deadline + timeout) or by the abort signal are `cancelled`.
 */
import { Client, type Dispatcher } from 'undici';

export interface LoadOptions {
  /** `http://host:port` */
  origin: string;
  /** Request path with optional query, starting with `/`. */
  path: string;
  /** Number of connections, each keeping one request in flight. */
  connections: number;
  /** Length of the window in which requests are sent, in ms. */
  durationMs: number;
  /** Per-request limit in ms: connect, wait for headers, and each gap between body chunks. */
  timeoutMs: number;
  /** Aborting stops the run at once: in-flight requests are cancelled, the result is returned. */
  signal?: AbortSignal;
  /** Monotonic clock in ms. Defaults to `performance.now`. */
  now?: () => number;
}

export interface LoadResult {
  /** Responses read in full, whatever their status. */
  requests: number;
  /** Responses by HTTP status code. */
  statusCounts: Record<number, number>;
  /** Failed requests other than timeouts (refused, reset, closed, parse errors). */
  errors: number;
  /** Failed requests by kind (error code, e.g. `ECONNREFUSED`, `UND_ERR_SOCKET`). */
  errorsByKind: Record<string, number>;
  /** Requests that hit the per-request timeout. */
  timeouts: number;
  /** Requests still in flight when the run was cut short (hard stop or abort). */
  cancelled: number;
  /** From the first request sent to the last response read (or the deadline if later), in ms. */
  windowMs: number;
  /** True when the run was stopped by the abort signal. */
  aborted: boolean;
}

/** Pause before a connection retries after an error, so a dead target is not hammered in a spin. */
const ERROR_BACKOFF_MS = 10;

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Runs the load and resolves when every connection is idle and closed. Never rejects for target faults. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const run = new LoadRun(options);
  return run.start();
}

/** One run's shared state. The connections report into it. */
class LoadRun {
  readonly request: Dispatcher.DispatchOptions;
  readonly result: LoadResult = {
    requests: 0,
    statusCounts: {},
    errors: 0,
    errorsByKind: {},
    timeouts: 0,
    cancelled: 0,
    windowMs: 0,
    aborted: false,
  };
  /** No new request is sent once this is set. */
  stopping = false;
  /** Set when in-flight requests are being cut off; their errors count as `cancelled`. */
  cuttingOff = false;

  private readonly options: LoadOptions;
  private readonly now: () => number;
  private readonly connections: Connection[] = [];
  private idle = 0;
  private startedAt = 0;
  private deadline = Infinity;
  private lastResponseAt = 0;
  private finish: () => void = () => {};
  private timers: NodeJS.Timeout[] = [];

  constructor(options: LoadOptions) {
    this.options = options;
    this.now = options.now ?? (() => performance.now());
    this.request = {
      path: options.path,
      method: 'GET',
      headers: { 'user-agent': 'http-load-check' },
    };
  }

  start(): Promise<LoadResult> {
    const { origin, connections, durationMs, timeoutMs, signal } = this.options;
    const done = new Promise<void>((resolve) => (this.finish = resolve));
    if (signal?.aborted) {
      this.result.aborted = true;
      return Promise.resolve(this.result);
    }
    for (let i = 0; i < connections; i++) {
      const client = new Client(origin, {
        pipelining: 1,
        connectTimeout: timeoutMs,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        keepAliveTimeout: 60_000,
        keepAliveMaxTimeout: 600_000,
      });
      this.connections.push(new Connection(this, client));
    }
    const onAbort = () => {
      this.result.aborted = true;
      this.cutOff();
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    this.startedAt = this.now();
    this.deadline = this.startedAt + durationMs;
    this.lastResponseAt = this.startedAt;
    // The timer stops connections that are waiting; `mayStart` checks the clock before each request,
    // so a late timer cannot stretch the window.
    this.timers.push(setTimeout(() => this.stop(), durationMs));
    for (const connection of this.connections) connection.send();

    return done.then(async () => {
      signal?.removeEventListener('abort', onAbort);
      for (const timer of this.timers) clearTimeout(timer);
      const end = this.result.aborted ? this.now() : Math.max(this.lastResponseAt, this.deadline);
      this.result.windowMs = end - this.startedAt;
      await Promise.all(this.connections.map((c) => c.close()));
      return this.result;
    });
  }

  /** True while new requests may be sent: before the deadline and not stopped. */
  mayStart(): boolean {
    if (this.stopping) return false;
    if (this.now() < this.deadline) return true;
    this.stop();
    return false;
  }

  /** The deadline: send nothing new; in-flight requests get `timeoutMs` more before they are cut off. */
  private stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.timers.push(setTimeout(() => this.cutOff(), this.options.timeoutMs + 50));
    this.checkDone();
  }

  /** Cancels whatever is still in flight. */
  private cutOff(): void {
    this.stopping = true;
    this.cuttingOff = true;
    for (const connection of this.connections) connection.cancel();
  }

  recordResponse(status: number): void {
    this.result.requests++;
    this.result.statusCounts[status] = (this.result.statusCounts[status] ?? 0) + 1;
    this.lastResponseAt = this.now();
  }

  recordFailure(error: Error & { code?: string }): void {
    if (this.cuttingOff) {
      this.result.cancelled++;
      return;
    }
    const kind = error.code ?? error.name;
    if (TIMEOUT_CODES.has(kind)) {
      this.result.timeouts++;
    } else {
      this.result.errors++;
      this.result.errorsByKind[kind] = (this.result.errorsByKind[kind] ?? 0) + 1;
    }
  }

  /** Called once by each connection when it has nothing in flight and will send nothing more. */
  connectionIdle(): void {
    this.idle++;
    this.checkDone();
  }

  private checkDone(): void {
    if (this.stopping && this.idle === this.connections.length) this.finish();
  }
}

/**
 * One connection and its reusable dispatch handler: the next request is sent from `onResponseEnd`,
 * so the hot path allocates no promise, stream or closure per request.
 */
class Connection implements Dispatcher.DispatchHandler {
  private readonly run: LoadRun;
  private readonly client: Client;
  private status = 0;
  private inFlight = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(run: LoadRun, client: Client) {
    this.run = run;
    this.client = client;
  }

  send(): void {
    if (!this.run.mayStart()) {
      this.run.connectionIdle();
      return;
    }
    this.inFlight = true;
    this.status = 0;
    this.client.dispatch(this.run.request, this);
  }

  /** Cut off the request in flight (it reports through `onResponseError`) or a pending retry. */
  cancel(): void {
    if (this.retryTimer !== undefined) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.run.connectionIdle();
    } else if (this.inFlight) {
      void this.client.destroy().catch(() => {});
    }
  }

  close(): Promise<void> {
    return this.client.destroy().catch(() => {});
  }

  onRequestStart(): void {}

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
  }

  onResponseData(): void {}

  onResponseEnd(): void {
    this.inFlight = false;
    this.run.recordResponse(this.status);
    this.send();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.inFlight = false;
    this.run.recordFailure(error);
    if (this.run.stopping) {
      this.run.connectionIdle();
      return;
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.send();
    }, ERROR_BACKOFF_MS);
  }
}
