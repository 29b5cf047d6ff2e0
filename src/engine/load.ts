/**
 * The load loop: `connections` keep-alive connections, each with `pipelining` requests in flight,
 * until the deadline.
 *
 * Pure in the project's sense: plain options in, a plain `LoadResult` out, no printing, no
 * `@actions/core`. It owns the deadline timer and the sockets; the caller passes the clock (`now`,
 * monotonic, in ms) and an optional `AbortSignal`.
 *
 * Counting rule (see README, "What counts as a request"):
 * - a request counts when its whole response (any status) has been read;
 * - a request sent before the deadline and answered after it still counts, so the count equals the
 *   number of responses the server sent;
 * - errors and timeouts never count as requests; they are counted apart;
 * - requests cut off by the hard stop (deadline + timeout) or by the abort signal are `cancelled`.
 *
 * Hot path: one undici `Client` per connection, driven by `dispatch` with one reused handler object
 * per in-flight slot; the next request is sent from `onResponseEnd`. No promise, stream or closure is
 * made per request.
 */
import type { Socket } from 'node:net';
import { buildConnector, Client, type Dispatcher } from 'undici';
import {
  createLatencyRecorder,
  type LatencyRecorder,
  type LatencySummary,
} from '../stats/latency.js';

export interface LoadOptions {
  /** `http://host:port` */
  origin: string;
  /** Request path with optional query, starting with `/`. */
  path: string;
  /** Number of connections. */
  connections: number;
  /** Requests in flight on each connection (1 = wait for each response before the next request). */
  pipelining?: number;
  /** Length of the window in which requests are sent, in ms. */
  durationMs: number;
  /** Per-request limit in ms: connect, wait for headers, and each gap between body chunks. */
  timeoutMs: number;
  /**
   * Keep the event loop spinning (`setImmediate`) instead of sleeping between responses. Lowers the
   * wake-up latency, which matters most at 1 connection, but burns a whole core.
   */
  busyPoll?: boolean;
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
  /**
   * Responses completed in each second of the requested window; the last entry also holds the
   * answers that arrived after the deadline.
   */
  perSecond: number[];
  /** Latency of every counted response, from dispatch to the end of its body. */
  latency: LatencySummary;
  /** True when the run was stopped by the abort signal. */
  aborted: boolean;
}

/** Pause before a slot retries after an error, so a dead target is not hammered in a spin. */
const ERROR_BACKOFF_MS = 10;

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Runs the load; resolves when every connection is idle and closed. Never rejects for target faults. */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  return new LoadRun(options).start();
}

/** One run's shared state. The slots report into it. */
class LoadRun {
  readonly request: Dispatcher.DispatchOptions;
  readonly now: () => number;
  /** No new request is sent once this is set. */
  stopping = false;
  /** Set when in-flight requests are being cut off; their errors count as `cancelled`. */
  cuttingOff = false;

  private readonly options: LoadOptions;
  private readonly latency: LatencyRecorder;
  private readonly connections: Connection[] = [];
  private readonly counts = {
    requests: 0,
    errors: 0,
    timeouts: 0,
    cancelled: 0,
    statusCounts: {} as Record<number, number>,
    errorsByKind: {} as Record<string, number>,
  };
  private perSecond: number[] = [];
  private slots = 0;
  private idleSlots = 0;
  private startedAt = 0;
  private deadline = Infinity;
  private lastResponseAt = 0;
  private aborted = false;
  private finish: () => void = () => {};
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(options: LoadOptions) {
    this.options = options;
    this.now = options.now ?? (() => performance.now());
    this.latency = createLatencyRecorder();
    const pipelined = (options.pipelining ?? 1) > 1;
    this.request = {
      path: options.path,
      method: 'GET',
      headers: { 'user-agent': 'http-load-check' },
      // GET is `blocking` by default, which stops undici from pipelining it.
      blocking: !pipelined,
    };
  }

  async start(): Promise<LoadResult> {
    const { connections, durationMs, timeoutMs, signal } = this.options;
    const pipelining = this.options.pipelining ?? 1;
    const done = new Promise<void>((resolve) => (this.finish = resolve));
    if (signal?.aborted) {
      this.aborted = true;
      return this.result();
    }
    for (let i = 0; i < connections; i++) {
      this.connections.push(new Connection(this, this.options.origin, pipelining, timeoutMs));
    }
    this.slots = connections * pipelining;
    const onAbort = () => {
      this.aborted = true;
      this.cutOff();
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    // Late answers land in the last bucket; allow for the timeout and a little slack.
    this.perSecond = new Array<number>(Math.ceil((durationMs + timeoutMs) / 1000) + 2).fill(0);
    this.startedAt = this.now();
    this.deadline = this.startedAt + durationMs;
    this.lastResponseAt = this.startedAt;
    // The timer stops slots that are waiting to retry; `mayStart` checks the clock before each
    // request, so a late timer cannot stretch the window.
    this.timers.push(setTimeout(() => this.stop(), durationMs));
    // undici makes an Error for every connection it closes (e.g. after `Connection: close`, as
    // gunicorn's sync workers send on every response) and Node's stream code reads its stack.
    // Nothing here uses those stacks (failures are counted by code), and capturing them cost about
    // 10% of the throughput against gunicorn (bench/RESULTS.md), so they are off during the run.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    if (this.options.busyPoll) this.spin();
    for (const connection of this.connections) connection.start(this.startedAt);

    try {
      await done;
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    signal?.removeEventListener('abort', onAbort);
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.all(this.connections.map((c) => c.close()));
    return this.result();
  }

  private result(): LoadResult {
    const windowMs = this.aborted
      ? this.startedAt > 0
        ? this.now() - this.startedAt
        : 0
      : Math.max(this.lastResponseAt - this.startedAt, this.options.durationMs);
    // One bucket per second of the requested window (fewer when aborted); answers that arrive after
    // the deadline go into the last bucket rather than a nearly empty one of their own.
    const seconds = Math.max(1, Math.ceil(Math.min(windowMs, this.options.durationMs) / 1000));
    const perSecond = this.perSecond.slice(0, seconds);
    // Whatever arrived past the last full bucket (late answers) belongs to the last one.
    for (let i = seconds; i < this.perSecond.length; i++)
      perSecond[seconds - 1] += this.perSecond[i];
    const latency = this.latency.summary();
    this.latency.destroy();
    return { ...this.counts, windowMs, perSecond, latency, aborted: this.aborted };
  }

  /** True while new requests may be sent: before the deadline and not stopped. */
  mayStart(now: number): boolean {
    if (this.stopping) return false;
    if (now < this.deadline) return true;
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

  private spin = (): void => {
    if (!this.stopping) setImmediate(this.spin);
  };

  recordResponse(status: number, startedAt: number, now: number): void {
    this.counts.requests++;
    this.counts.statusCounts[status] = (this.counts.statusCounts[status] ?? 0) + 1;
    this.latency.record((now - startedAt) * 1000);
    const second = Math.floor((now - this.startedAt) / 1000);
    if (second < this.perSecond.length) this.perSecond[second]++;
    else this.perSecond[this.perSecond.length - 1]++;
    this.lastResponseAt = now;
  }

  recordFailure(error: Error & { code?: string }): void {
    if (this.cuttingOff) {
      this.counts.cancelled++;
      return;
    }
    const kind = error.code ?? error.name;
    if (TIMEOUT_CODES.has(kind)) {
      this.counts.timeouts++;
    } else {
      this.counts.errors++;
      this.counts.errorsByKind[kind] = (this.counts.errorsByKind[kind] ?? 0) + 1;
    }
  }

  /** Called once by each slot when it has nothing in flight and will send nothing more. */
  slotIdle(): void {
    this.idleSlots++;
    this.checkDone();
  }

  private checkDone(): void {
    if (this.stopping && this.idleSlots === this.slots) this.finish();
  }
}

/** One connection: an undici `Client` and its in-flight slots. */
class Connection {
  readonly client: Client;
  private readonly slots: Slot[] = [];
  private readonly pipelined: boolean;
  private socket: Socket | null = null;
  private corked = false;

  constructor(run: LoadRun, origin: string, pipelining: number, timeoutMs: number) {
    this.pipelined = pipelining > 1;
    const connector = buildConnector({ timeout: timeoutMs });
    this.client = new Client(origin, {
      pipelining,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 600_000,
      // Keep a handle on the socket, to batch the writes of one read (see `batchWrites`).
      connect: (options, callback) =>
        connector(options, (error, socket) => {
          this.socket = socket as Socket | null;
          this.corked = false;
          (callback as buildConnector.Callback)(error as null, socket as Socket);
        }),
    });
    for (let i = 0; i < pipelining; i++) this.slots.push(new Slot(run, this));
  }

  start(now: number): void {
    for (const slot of this.slots) slot.send(now);
  }

  /**
   * With pipelining, one read from the socket often completes several responses, and each sends its
   * next request. Corking the socket on the first and uncorking on the next tick turns those sends
   * into one `writev`.
   */
  batchWrites(): void {
    if (!this.pipelined || this.corked || this.socket === null) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(this.uncork);
  }

  private uncork = (): void => {
    this.corked = false;
    this.socket?.uncork();
  };

  /** Cuts off the requests in flight (they report through `onResponseError`) and pending retries. */
  cancel(): void {
    let inFlight = false;
    for (const slot of this.slots) inFlight = slot.cancel() || inFlight;
    if (inFlight) void this.client.destroy().catch(() => {});
  }

  close(): Promise<void> {
    return this.client.destroy().catch(() => {});
  }
}

/** One in-flight request at a time, and the reusable dispatch handler for it. */
class Slot implements Dispatcher.DispatchHandler {
  private readonly run: LoadRun;
  private readonly connection: Connection;
  private status = 0;
  private startedAt = 0;
  private inFlight = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(run: LoadRun, connection: Connection) {
    this.run = run;
    this.connection = connection;
  }

  send(now: number): void {
    if (!this.run.mayStart(now)) {
      this.run.slotIdle();
      return;
    }
    this.inFlight = true;
    this.status = 0;
    this.startedAt = now;
    this.connection.client.dispatch(this.run.request, this);
  }

  /** Clears a pending retry (the slot goes idle); returns true when a request is in flight. */
  cancel(): boolean {
    if (this.retryTimer !== undefined) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.run.slotIdle();
    }
    return this.inFlight;
  }

  onRequestStart(): void {}

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
  }

  onResponseData(): void {}

  onResponseEnd(): void {
    const now = this.run.now();
    this.inFlight = false;
    this.run.recordResponse(this.status, this.startedAt, now);
    this.connection.batchWrites();
    this.send(now);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.inFlight = false;
    this.run.recordFailure(error);
    if (this.run.stopping) {
      this.run.slotIdle();
      return;
    }
    this.retryTimer = setTimeout(this.retry, ERROR_BACKOFF_MS);
  }

  private retry = (): void => {
    this.retryTimer = undefined;
    this.send(this.run.now());
  };
}
