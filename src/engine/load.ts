/**
 * The load loop: `connections` keep-alive connections, each with `pipelining` requests in flight,
 * for an optional warm-up and then the measured window.
 *
 * Pure in the project's sense: plain options in, a plain `LoadResult` out, no printing, no
 * `@actions/core`. It owns its timers and sockets; the caller passes the clock (`now`, monotonic,
 * in ms) and an optional `AbortSignal`.
 *
 * Counting rule (see README, "What counts as a request"):
 * - a request sent in the window counts when its whole response has been read and its status is
 *   an expected one; other statuses count as `unexpectedStatus`;
 * - a request sent before the deadline and answered after it still counts, so the counts equal the
 *   responses the server sent;
 * - errors and timeouts never count as requests; they are counted apart;
 * - requests cut off by the hard stop or by the abort signal are `cancelled`;
 * - whatever was sent during the warm-up is reported apart and counted nowhere else.
 *
 * Hot path: one undici `Client` per connection, driven by `dispatch` with one reused handler object
 * per in-flight slot; the next request is sent from `onResponseEnd`. No promise, stream, timer or
 * closure is made per request: one sweep timer enforces the per-request timeout for all slots.
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
  /** Extra request headers, `[name, value]`. */
  headers?: [string, string][];
  /** Number of connections. */
  connections: number;
  /** Requests in flight on each connection (1 = wait for each response before the next request). */
  pipelining?: number;
  /** Load sent before the window and not counted, in ms. */
  warmupMs?: number;
  /** Length of the window in which counted requests are sent, in ms. */
  durationMs: number;
  /** Per-request limit in ms, from sending the request (connecting included) to the end of the body. */
  timeoutMs: number;
  /** Statuses that count as requests, as inclusive ranges. Default: 200-299. */
  expectedStatus?: [number, number][];
  /**
   * Keep the event loop spinning (`setImmediate`) instead of sleeping between responses. Lowers the
   * wake-up latency, which matters most at 1 connection, but burns a whole core.
   */
  busyPoll?: boolean;
  /** Aborting stops the run at once: in-flight requests are cancelled, the result is returned. */
  signal?: AbortSignal;
  /** Monotonic clock in ms. Defaults to `performance.now`. */
  now?: () => number;
  /** Called every `progressIntervalMs` (default 250) with the time into the window and the count. */
  onProgress?: (progress: { elapsedMs: number; requests: number }) => void;
  progressIntervalMs?: number;
  /**
   * Connections to use and keep open after the run (see `LoadPool`); its origin, connection count
   * and pipelining replace the options'. Without it the run opens its own and closes them.
   */
  pool?: LoadPool;
  /** A recorder shared across runs; the result's latency then covers all that was recorded in it. */
  latency?: LatencyRecorder;
  /**
   * Length of the windows that `samples` counts in, in ms (e.g. 500 for 0.5 s samples). Without it
   * `samples` is empty.
   */
  sampleMs?: number;
}

/** How hard the load generator itself worked during a run. */
export interface GeneratorUsage {
  /** CPU time of this process over wall time, in percent of one core. */
  cpuPct: number;
  /**
   * Share of the time the event loop spent on work: Node's event-loop utilization, or with busy-poll
   * (whose spinning keeps that at 100%) the time share of the loop turns that handled a response
   * or a failure. 0-1; near 1 the generator, not the service, limits the count.
   */
  utilization: number;
  busyPoll: boolean;
}

export interface LoadResult {
  /** Responses with an expected status, read in full, to requests sent in the window. */
  requests: number;
  /** Responses with any other status. */
  unexpectedStatus: number;
  /** All responses in the window by HTTP status code. */
  statusCounts: Record<number, number>;
  /** Failed requests other than timeouts (refused, reset, closed, parse errors). */
  errors: number;
  /** Failed requests by kind (error code, e.g. `ECONNREFUSED`, `UND_ERR_SOCKET`). */
  errorsByKind: Record<string, number>;
  /** Requests that hit the per-request timeout. */
  timeouts: number;
  /** Requests still in flight when the run was cut short (hard stop or abort). */
  cancelled: number;
  /** Responses and failures during the warm-up; not counted anywhere else. */
  warmup: { responses: number; failures: number };
  /** From the start of the window to the last counted response (or the deadline if later), in ms. */
  windowMs: number;
  /**
   * Counted requests completed in each second of the requested window; the last entry also holds
   * the answers that arrived after the deadline.
   */
  perSecond: number[];
  /**
   * Counted requests completed in each whole `sampleMs` window of the requested duration; answers
   * after the deadline are in no sample. Empty without `sampleMs`.
   */
  samples: number[];
  /** The generator's own CPU and event-loop use over the run (warm-up included). */
  generator: GeneratorUsage;
  /** Latency of every counted response, from sending the request to the end of its body. */
  latency: LatencySummary;
  /** True when the run was stopped by the abort signal. */
  aborted: boolean;
}

/** A result with nothing in it, e.g. when the target never became ready. */
export function emptyResult(aborted = false): LoadResult {
  return {
    requests: 0,
    unexpectedStatus: 0,
    statusCounts: {},
    errors: 0,
    errorsByKind: {},
    timeouts: 0,
    cancelled: 0,
    warmup: { responses: 0, failures: 0 },
    windowMs: 0,
    perSecond: [],
    samples: [],
    generator: { cpuPct: 0, utilization: 0, busyPoll: false },
    latency: { count: 0, p50Us: 0, p90Us: 0, p99Us: 0, maxUs: 0, meanUs: 0 },
    aborted,
  };
}

/**
 * The first buckets covering `windowMs` (at least one); the buckets after them (answers that arrived
 * after the deadline) are added to the last.
 */
function buckets(counts: number[], windowMs: number, bucketMs: number): number[] {
  const n = Math.max(1, Math.ceil(windowMs / bucketMs - 1e-9));
  const kept = counts.slice(0, n);
  for (let i = n; i < counts.length; i++) kept[n - 1] += counts[i];
  return kept;
}

/** Pause before a slot retries after an error, so a dead target is not hammered in a spin. */
const ERROR_BACKOFF_MS = 10;

/** The per-request timeout, raised by the sweep. */
export class RequestTimeoutError extends Error {
  readonly code = 'REQUEST_TIMEOUT';
  constructor(timeoutMs: number) {
    super(`request took longer than ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
  }
}

const TIMEOUT_CODES = new Set([
  'REQUEST_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Runs the load; resolves when every connection is idle and closed. Never rejects for target faults. */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  return new LoadRun(options).start();
}

/** One run's shared state. The slots report into it. */
class LoadRun {
  readonly request: Dispatcher.DispatchOptions;
  readonly now: () => number;
  readonly timeoutMs: number;
  /** No new request is sent once this is set. */
  stopping = false;
  /** Set when in-flight requests are being cut off; their errors count as `cancelled`. */
  cuttingOff = false;

  private readonly options: LoadOptions;
  private readonly latency: LatencyRecorder;
  /** `expected[status] === 1` for the statuses that count. */
  private readonly expected = new Uint8Array(1000);
  private readonly connections: Connection[] = [];
  private readonly result = emptyResult();
  private perSecond: number[] = [];
  private samples: number[] = [];
  /** Responses and failures seen, to tell a busy-poll turn that did work from an idle one. */
  private events = 0;
  private spinEvents = 0;
  private spinAt = 0;
  private spinBusyMs = 0;
  private spinTotalMs = 0;
  private generator = emptyResult().generator;
  private slots = 0;
  private idleSlots = 0;
  private windowStart = Infinity;
  private deadline = Infinity;
  private lastResponseAt = 0;
  private finish: () => void = () => {};
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(options: LoadOptions) {
    this.options = options;
    this.now = options.now ?? (() => performance.now());
    this.timeoutMs = options.timeoutMs;
    this.latency = options.latency ?? createLatencyRecorder();
    for (const [low, high] of options.expectedStatus ?? [[200, 299]]) {
      this.expected.fill(1, low, high + 1);
    }
    const extra = (options.headers ?? []).flat();
    const ownAgent = (options.headers ?? []).some(([name]) => name.toLowerCase() === 'user-agent');
    this.request = {
      path: options.path,
      method: 'GET',
      headers: ownAgent ? extra : ['user-agent', 'http-load-check', ...extra],
      // GET is `blocking` by default, which stops undici from pipelining it.
      blocking: (options.pool?.pipelining ?? options.pipelining ?? 1) === 1,
    };
  }

  async start(): Promise<LoadResult> {
    const { connections, durationMs, timeoutMs, signal } = this.options;
    const warmupMs = this.options.warmupMs ?? 0;
    const pipelining = this.options.pipelining ?? 1;
    if (signal?.aborted) return this.finalResult(true);

    const done = new Promise<void>((resolve) => (this.finish = resolve));
    const pool =
      this.options.pool ?? new LoadPool(this.options.origin, connections, pipelining, timeoutMs);
    for (const connection of pool.connections) {
      connection.bind(this);
      this.connections.push(connection);
    }
    this.slots = pool.connections.length * pool.pipelining;
    const onAbort = () => {
      this.result.aborted = true;
      this.cutOff();
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    // Late answers land in the last bucket; allow for the timeout and a little slack.
    this.perSecond = new Array<number>(Math.ceil((durationMs + timeoutMs) / 1000) + 2).fill(0);
    const sampleMs = this.options.sampleMs ?? 0;
    if (sampleMs > 0) {
      // Whole windows only; answers after the deadline are in `requests` but in no sample.
      this.samples = new Array<number>(Math.floor(durationMs / sampleMs + 1e-9)).fill(0);
    }
    const startedAt = this.now();
    const cpuAtStart = process.cpuUsage();
    const eluAtStart = performance.eventLoopUtilization();
    this.windowStart = startedAt + warmupMs;
    this.deadline = this.windowStart + durationMs;
    this.lastResponseAt = this.windowStart;
    // The timer stops slots that are waiting to retry; `mayStart` checks the clock before each
    // request, so a late timer cannot stretch the window.
    this.timers.push(setTimeout(() => this.stop(), warmupMs + durationMs));
    // One sweep for every slot's timeout: a request is given up between 1x and 1.25x `timeoutMs`.
    const sweepMs = Math.min(250, Math.max(5, timeoutMs / 4));
    this.timers.push(setInterval(() => this.sweep(), sweepMs));
    const { onProgress } = this.options;
    if (onProgress) {
      const report = () =>
        onProgress({
          elapsedMs: Math.max(0, this.now() - this.windowStart),
          requests: this.result.requests,
        });
      this.timers.push(setInterval(report, this.options.progressIntervalMs ?? 250));
    }
    // undici makes an Error for every connection it closes (e.g. after `Connection: close`, as
    // gunicorn's sync workers send on every response) and Node's stream code reads its stack.
    // Nothing here uses those stacks (failures are counted by code), and capturing them cost about
    // 10% of the throughput against gunicorn (bench/RESULTS.md), so they are off during the run.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    if (this.options.busyPoll) {
      this.spinAt = startedAt;
      this.spin();
    }
    for (const connection of this.connections) connection.start(startedAt);

    try {
      await done;
      const wallMs = Math.max(1e-3, this.now() - startedAt);
      const cpu = process.cpuUsage(cpuAtStart);
      const busyPoll = this.options.busyPoll === true;
      this.generator = {
        cpuPct: Math.min(100, (cpu.user + cpu.system) / 10 / wallMs),
        utilization: busyPoll
          ? this.spinTotalMs > 0
            ? this.spinBusyMs / this.spinTotalMs
            : 0
          : performance.eventLoopUtilization(eluAtStart).utilization,
        busyPoll,
      };
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
      signal?.removeEventListener('abort', onAbort);
      for (const timer of this.timers) clearTimeout(timer);
    }
    if (this.options.pool === undefined) await pool.close();
    return this.finalResult(this.result.aborted);
  }

  private finalResult(aborted: boolean): LoadResult {
    const { durationMs } = this.options;
    const elapsedMs = Math.max(0, this.now() - this.windowStart);
    const windowMs = aborted
      ? elapsedMs
      : Math.max(this.lastResponseAt - this.windowStart, durationMs);
    // One bucket per second of the requested window (fewer when aborted); answers that arrive after
    // the deadline go into the last bucket rather than a nearly empty one of their own.
    const perSecond = buckets(this.perSecond, Math.min(windowMs, durationMs), 1000);
    const samples = [...this.samples];
    const latency = this.latency.summary();
    if (this.options.latency === undefined) this.latency.destroy();
    const generator = this.generator;
    return { ...this.result, windowMs, perSecond, samples, generator, latency, aborted };
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
    this.timers.push(setTimeout(() => this.cutOff(), this.options.timeoutMs + 500));
    this.checkDone();
  }

  /** Cancels whatever is still in flight. */
  private cutOff(): void {
    this.stopping = true;
    this.cuttingOff = true;
    for (const connection of this.connections) connection.cancel();
  }

  private sweep(): void {
    const now = this.now();
    for (const connection of this.connections) connection.sweep(now);
  }

  /** One busy-poll turn: keeps the loop awake, and times the turns that handled something. */
  private spin = (): void => {
    const now = this.now();
    const turnMs = now - this.spinAt;
    this.spinAt = now;
    this.spinTotalMs += turnMs;
    if (this.events !== this.spinEvents) {
      this.spinEvents = this.events;
      this.spinBusyMs += turnMs;
    }
    if (!this.stopping) setImmediate(this.spin);
  };

  recordResponse(status: number, sentAt: number, now: number): void {
    const result = this.result;
    this.events++;
    if (sentAt < this.windowStart) {
      result.warmup.responses++;
      return;
    }
    result.statusCounts[status] = (result.statusCounts[status] ?? 0) + 1;
    if (this.expected[status] !== 1) {
      result.unexpectedStatus++;
      return;
    }
    result.requests++;
    this.latency.record((now - sentAt) * 1000);
    const second = Math.floor((now - this.windowStart) / 1000);
    this.perSecond[second < this.perSecond.length ? second : this.perSecond.length - 1]++;
    if (this.samples.length > 0) {
      const i = Math.floor((now - this.windowStart) / (this.options.sampleMs as number));
      if (i < this.samples.length) this.samples[i]++;
    }
    this.lastResponseAt = now;
  }

  recordFailure(error: Error & { code?: string }, sentAt: number): void {
    const result = this.result;
    this.events++;
    if (this.cuttingOff) {
      result.cancelled++;
    } else if (sentAt < this.windowStart) {
      result.warmup.failures++;
    } else {
      const kind = error.code ?? error.name;
      if (TIMEOUT_CODES.has(kind)) {
        result.timeouts++;
      } else {
        result.errors++;
        result.errorsByKind[kind] = (result.errorsByKind[kind] ?? 0) + 1;
      }
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

/**
 * Keep-alive connections to one origin that outlive a run, so that several runs (e.g. the slices of
 * a head vs baseline comparison) measure warm connections. Close it when done.
 */
export class LoadPool {
  readonly connections: Connection[] = [];
  readonly pipelining: number;

  constructor(origin: string, connections: number, pipelining: number, timeoutMs: number) {
    this.pipelining = pipelining;
    for (let i = 0; i < connections; i++) {
      this.connections.push(new Connection(origin, pipelining, timeoutMs));
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.connections.map((c) => c.close()));
  }
}

/** One connection: an undici `Client` and its in-flight slots. */
class Connection {
  readonly client: Client;
  private readonly slots: Slot[] = [];
  private readonly pipelined: boolean;
  private socket: Socket | null = null;
  private corked = false;

  constructor(origin: string, pipelining: number, timeoutMs: number) {
    this.pipelined = pipelining > 1;
    const connector = buildConnector({ timeout: Math.max(1, Math.ceil(timeoutMs)) });
    this.client = new Client(origin, {
      // At `pipelining: 1` undici waits one event-loop turn (`setImmediate`) after each response
      // before it reuses the socket, in case a server closes it without saying so. Allowing 2 lets it
      // write our next request at once; we still keep only `pipelining` requests in flight, and GET
      // stays `blocking` at 1 so nothing is pipelined. +10% at 10 connections, +20% at 1 with
      // busy-poll (bench/RESULTS.md). A server that closes silently costs one error per close.
      pipelining: Math.max(2, pipelining),
      // The sweep enforces the whole-request timeout; undici's own timers would only add work.
      headersTimeout: 0,
      bodyTimeout: 0,
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
    for (let i = 0; i < pipelining; i++) this.slots.push(new Slot(this));
  }

  /** Makes the slots report to `run`. */
  bind(run: LoadRun): void {
    for (const slot of this.slots) slot.run = run;
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

  sweep(now: number): void {
    for (const slot of this.slots) slot.checkTimeout(now);
  }

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
  /** The run this slot reports to (set by `Connection.bind`). */
  run!: LoadRun;
  private readonly connection: Connection;
  private controller: Dispatcher.DispatchController | null = null;
  private status = 0;
  private sentAt = 0;
  private inFlight = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(connection: Connection) {
    this.connection = connection;
  }

  send(now: number): void {
    if (!this.run.mayStart(now)) {
      this.run.slotIdle();
      return;
    }
    this.inFlight = true;
    this.status = 0;
    this.sentAt = now;
    this.controller = null;
    this.connection.client.dispatch(this.run.request, this);
  }

  /** Gives up the request in flight when it has run past the timeout. */
  checkTimeout(now: number): void {
    if (this.inFlight && now - this.sentAt >= this.run.timeoutMs) {
      this.controller?.abort(new RequestTimeoutError(this.run.timeoutMs));
    }
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

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
  }

  onResponseData(): void {}

  onResponseEnd(): void {
    const now = this.run.now();
    this.inFlight = false;
    this.run.recordResponse(this.status, this.sentAt, now);
    this.connection.batchWrites();
    this.send(now);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.inFlight = false;
    this.run.recordFailure(error, this.sentAt);
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
