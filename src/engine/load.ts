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
 * - a response nobody asked for (one that starts in the read during which the request it would
 *   answer was written, or any data while no request is in flight) is a protocol error: the
 *   connection is dropped and the error counted as `UNSOLICITED_RESPONSE` (docs/engine.md);
 * - requests cut off by the hard stop or by the abort signal are `cancelled`;
 * - whatever was sent during the warm-up is reported apart and counted nowhere else.
 *
 * Hot path: one undici `Client` per connection, driven by `dispatch` with one reused handler object
 * per in-flight slot; the next request is sent from `onResponseEnd`. No promise, stream, timer or
 * closure is made per request: one sweep timer per pool enforces the per-request timeout for all
 * slots, and each route's request options are built once (`routeRequest`). Each connection sends
 * the routes in turn; with more than one distinct route each answer is also counted for its route
 * (`RouteTally`), with one the route's entry is the totals.
 *
 * Open model (`rate`): the run hands out due times (`takeDue`); a slot that finds none due waits in
 * the run's idle list until one timer (or the busy-poll spin) hands it the next. The closed loop
 * pays one branch per request for it.
 *
 * Connecting (TLS, HTTP/2, `localhost`) is `Connector`'s (connect.ts), one per pool.
 */
import type { Socket } from 'node:net';
import { availableParallelism } from 'node:os';
import type { TLSSocket } from 'node:tls';
import { Client, type Dispatcher } from 'undici';
import { emptyResult, type LoadResult, type Protocol, type Schedule } from '../model/result.js';
import type { Route, Tls } from '../model/settings.js';
import { createLatencyRecorder, type LatencyRecorder } from '../stats/latency.js';
import { createRouteTally, routeFromTotals, type RouteTally } from '../stats/routes.js';
import { Connector } from './connect.js';
import { routeRequest } from './request.js';

/** The counted requests of the loads that share it, and when the first of their windows opened. */
export interface LoadCounter {
  requests: number;
  /** On the load's clock (`now`); null until a load with this counter starts. */
  windowStartedAt: number | null;
}

export interface LoadOptions {
  /** `http://host:port` or `https://host:port` (an IPv6 address in brackets). */
  origin: string;
  /**
   * What to send, at least one route: each connection sends them in turn, each request the next
   * (round robin). A route listed twice is sent twice as often; routes with the same name are the
   * same request and are counted together.
   */
  routes: Route[];
  /** Certificate checks of an https origin. Default: Node's CAs, no `insecure`. */
  tls?: Tls;
  /** Offer HTTP/2 by ALPN (https only); the server may still choose HTTP/1.1. */
  http2?: boolean;
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
  /**
   * Open model: requests per second, due at fixed intervals from the start of the run (warm-up
   * included) and sent by whichever slot is free. Latency is timed from when a send was due, so a
   * wait for a free slot is part of it; a send still unsent at the deadline is dropped. Without it
   * (closed loop) every slot sends its next request as soon as the last one is answered.
   */
  rate?: number;
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
  /**
   * Each counted request is also added here as it is counted: a tally shared by the loads of one
   * check (a comparison's slices), which progress lines read while the load runs.
   */
  counter?: LoadCounter;
  /**
   * Connections to use and keep open after the run (see `LoadPool`); its origin, connection count,
   * pipelining, TLS and HTTP/2 settings replace the options'. Without it the run opens its own and
   * closes them.
   */
  pool?: LoadPool;
  /**
   * Cut off what is still in flight `timeoutMs` + 500 ms after the deadline, by cancelling the
   * pool (for good): a backstop behind the per-request timeout. Default: true when the run opens
   * its own connections, false on a given `pool`, whose owner cancels or closes it when done.
   */
  cutOff?: boolean;
  /** A recorder shared across runs; the result's latency then covers all that was recorded in it. */
  latency?: LatencyRecorder;
  /**
   * A per-route tally shared across runs (see `latency`); the result's `routes` then cover all that
   * was recorded in it. Used only when the routes have more than one distinct name: a run of a single
   * route keeps no tally and fills its one entry from its totals (`routeFromTotals`).
   */
  routeTally?: RouteTally;
  /**
   * Length of the windows that `sampleCounts` counts in, in ms (e.g. 500 for 0.5 s samples).
   * Without it `sampleCounts` is empty.
   */
  sampleMs?: number;
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

/**
 * Pause before a slot tries again after its second failure in a row, so that a dead target is not
 * hammered in a spin. The first failure after an answer is retried at once: that is how a server
 * that closes keep-alive connections without saying so shows, and waiting there cost most of the
 * count (docs/engine.md).
 */
const ERROR_BACKOFF_MS = 10;

/**
 * How early the open model may send: a timer wakes up to a millisecond late, and a late send's
 * wait would count as latency although the target had no part in it. Sending up to this much
 * before the due time (and timing that send from when it went out) keeps the timer's lateness out
 * of the latency; the rate over the window is unchanged.
 */
const DUE_EARLY_MS = 1;

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

/** The kind an extra response (or any data the server sends unasked) is counted as. */
export const UNSOLICITED = 'UNSOLICITED_RESPONSE';

/** A response that began in the same read in which its request was written: it cannot answer it. */
class UnsolicitedResponseError extends Error {
  readonly code = UNSOLICITED;
  constructor() {
    super('a response arrived before its request could have reached the server');
    this.name = 'UnsolicitedResponseError';
  }
}

/**
 * True for the errors undici closes a connection with when data arrives while no request is
 * waiting for an answer: `bad response` when a message starts, a parser error when the bytes are
 * not even HTTP. (Whether a request was waiting is `Connection.onDisconnect`'s question.)
 */
function meansUnaskedData(error: (Error & { code?: string }) | undefined): boolean {
  if (!error) return false;
  return (
    (error.code === 'UND_ERR_SOCKET' && error.message === 'bad response') ||
    error.name === 'HTTPParserError'
  );
}

/** Started load: the window ends, then the requests it sent settle. */
export interface StartedLoad {
  /**
   * Resolves when no new request will be sent (at the deadline, or when aborted), with the requests
   * counted by then: what the window got, before the answers still in flight settle.
   */
  windowEnd: Promise<number>;
  /** Resolves when every request the run sent has settled; never rejects for target faults. */
  result: Promise<LoadResult>;
}

/** Runs the load; resolves when every request it sent has settled and its own connections are closed. */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  return startLoad(options).result;
}

/**
 * Starts the load. On a shared `pool`, the next run may start as soon as this one's window has
 * ended: requests still in flight then finish (or time out) on their own and are counted here,
 * while the pool's free slots already send for the next run.
 */
export function startLoad(options: LoadOptions): StartedLoad {
  return new LoadRun(options).start();
}

/**
 * Stack traces are off while any run is going: undici makes an Error for every connection it
 * closes (e.g. after `Connection: close`, as gunicorn's sync workers send on every response) and
 * Node's stream code reads its stack. Nothing here uses those stacks (failures are counted by code),
 * and capturing them costs throughput against servers that close every connection (measured in
 * docs/engine.md). Runs may overlap (a slice's tail and the next slice), hence the count.
 */
let runsGoing = 0;
let savedStackTraceLimit = Error.stackTraceLimit;

function runBegins(): void {
  if (runsGoing++ === 0) {
    savedStackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
  }
}

function runEnds(): void {
  if (--runsGoing === 0) Error.stackTraceLimit = savedStackTraceLimit;
}

/** One run's shared state. The slots report into it. */
class LoadRun {
  /** The request of each entry of `routes`, built once per distinct route and shared by its entries. */
  readonly requests: Dispatcher.DispatchOptions[];
  readonly now: () => number;
  /** No new request is sent once this is set. */
  stopping = false;
  /** True in the open model: slots take due times from `takeDue`. */
  readonly open: boolean;

  private readonly options: LoadOptions;
  private readonly latency: LatencyRecorder;
  /** The distinct route names, in order of first appearance. */
  private readonly routeNames: string[] = [];
  /** Per entry of `routes`: its index in `tally`. */
  private readonly routeOf: number[] = [];
  /** Per-route counts; null for a single route, whose entry is the totals. */
  private readonly tally: RouteTally | null;
  private readonly counter: LoadCounter | undefined;
  /** `expected[status] === 1` for the statuses that count. */
  private readonly expected = new Uint8Array(1000);
  private pool: LoadPool | null = null;
  private readonly result = emptyResult();
  private perSecond: number[] = [];
  private sampleCounts: number[] = [];
  /** Requests this run sent that have not settled yet, and all it sent. */
  private inFlight = 0;
  private sends = 0;
  private done = false;
  /** Responses and failures seen, to tell a busy-poll turn that did work from an idle one. */
  private events = 0;
  private spinEvents = 0;
  private spinAt = 0;
  private spinBusyMs = 0;
  private spinTotalMs = 0;
  private startedAt = 0;
  private cpuAtStart = process.cpuUsage();
  private eluAtStart = performance.eventLoopUtilization();
  private generator = emptyResult().generator;
  private windowStart = Infinity;
  private deadline = Infinity;
  private lastResponseAt = 0;
  private abortedAt = Infinity;
  private endWindow: (requests: number) => void = () => {};
  private finish: () => void = () => {};
  private readonly timers: NodeJS.Timeout[] = [];
  /** Open model: ms between due sends, the index of the next one, and how many due in the window were sent. */
  private readonly intervalMs: number = 0;
  private nextDue = 0;
  private sentInWindow = 0;
  /** Open model: the index of the first send due in the window, and of the first due at its end. */
  private firstWindowDue = 0;
  private endDue = 0;
  /** Open model: free slots waiting for the next due send, and the timer that hands it over. */
  private readonly idle: Slot[] = [];
  private dueTimer: NodeJS.Timeout | undefined;
  private schedule: Schedule | null = null;

  constructor(options: LoadOptions) {
    this.options = options;
    this.counter = options.counter;
    const rate = options.rate;
    if (rate !== undefined && !(rate > 0 && Number.isFinite(rate))) {
      throw new Error(`a load's rate must be a positive number, not ${rate}`);
    }
    this.open = rate !== undefined;
    if (rate !== undefined) this.intervalMs = 1000 / rate;
    this.now = options.now ?? (() => performance.now());
    this.latency = options.latency ?? createLatencyRecorder();
    for (const [low, high] of options.expectedStatus ?? [[200, 299]]) {
      this.expected.fill(1, low, high + 1);
    }
    if (options.routes.length === 0) throw new Error('a load needs at least one route');
    const blocking = (options.pool?.pipelining ?? options.pipelining ?? 1) === 1;
    const distinct = new Map<string, number>();
    const built: Dispatcher.DispatchOptions[] = [];
    this.requests = options.routes.map((route) => {
      let i = distinct.get(route.name);
      if (i === undefined) {
        i = built.length;
        distinct.set(route.name, i);
        built.push(routeRequest(route, blocking));
        this.routeNames.push(route.name);
      }
      this.routeOf.push(i);
      return built[i];
    });
    this.tally = null;
    if (this.routeNames.length > 1) {
      const tally = options.routeTally ?? createRouteTally();
      const index = this.routeNames.map((name) => tally.index(name));
      for (let i = 0; i < this.routeOf.length; i++) this.routeOf[i] = index[this.routeOf[i]];
      this.tally = tally;
    }
  }

  start(): StartedLoad {
    const { connections, durationMs, timeoutMs, signal } = this.options;
    if (signal?.aborted) {
      const result = this.finalResult(true);
      return { windowEnd: Promise.resolve(0), result: Promise.resolve(result) };
    }
    if (this.options.pool?.cancelled) throw new Error('a cancelled LoadPool cannot start a run');
    const windowEnd = new Promise<number>((resolve) => (this.endWindow = resolve));
    const done = new Promise<void>((resolve) => (this.finish = resolve));
    const warmupMs = this.options.warmupMs ?? 0;
    const pipelining = this.options.pipelining ?? 1;
    const { origin, tls, http2 } = this.options;
    const pool =
      this.options.pool ?? new LoadPool({ origin, connections, pipelining, timeoutMs, tls, http2 });
    this.pool = pool;
    const onAbort = () => {
      this.result.aborted = true;
      this.abortedAt = this.now();
      this.stop();
      pool.cancel();
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    // Late answers land in the last bucket; allow for the timeout and a little slack.
    this.perSecond = new Array<number>(Math.ceil((durationMs + timeoutMs) / 1000) + 2).fill(0);
    const sampleMs = this.options.sampleMs ?? 0;
    if (sampleMs > 0) {
      // Whole windows only; answers after the deadline are in `requests` but in no sample.
      this.sampleCounts = new Array<number>(Math.floor(durationMs / sampleMs + 1e-9)).fill(0);
    }
    const startedAt = this.now();
    this.startedAt = startedAt;
    this.cpuAtStart = process.cpuUsage();
    this.eluAtStart = performance.eventLoopUtilization();
    this.windowStart = startedAt + warmupMs;
    if (this.counter) this.counter.windowStartedAt ??= this.windowStart;
    this.deadline = this.windowStart + durationMs;
    if (this.open) {
      this.firstWindowDue = this.dueIndex(warmupMs);
      this.endDue = this.dueIndex(warmupMs + durationMs);
    }
    this.lastResponseAt = this.windowStart;
    const cleanUp = () => {
      signal?.removeEventListener('abort', onAbort);
      for (const timer of this.timers) clearTimeout(timer);
      runEnds();
    };
    runBegins();
    try {
      // The timer stops the run when no answer comes to notice the deadline; `mayStart` checks
      // the clock before each request, so a late timer cannot stretch the window.
      // A timer may wake a little before the clock says the deadline has come: wait out the rest,
      // or the open model would drop the sends due in it.
      const stopAtDeadline = () => {
        const left = this.deadline - this.now();
        if (left > 0) this.timers.push(setTimeout(stopAtDeadline, left));
        else this.stop();
      };
      this.timers.push(setTimeout(stopAtDeadline, warmupMs + durationMs));
      if (this.options.busyPoll) {
        this.spinAt = startedAt;
        this.spin();
      }
      pool.begin(this, startedAt);
    } catch (error) {
      // Leave nothing behind: no timer, no spin, stack traces back on, our own sockets closed.
      this.stopping = true;
      cleanUp();
      this.release();
      if (this.options.pool === undefined) void pool.close();
      throw error;
    }

    const result = (async () => {
      try {
        await done;
      } finally {
        cleanUp();
      }
      if (this.options.pool === undefined) await pool.close();
      return this.finalResult(this.result.aborted);
    })();
    return { windowEnd, result };
  }

  private finalResult(aborted: boolean): LoadResult {
    const { durationMs } = this.options;
    // Cut short by the abort: the window it had. Aborted later, while its last answers were out
    // (as a comparison's slice may be): the whole window.
    const windowMs =
      aborted && Math.min(this.now(), this.abortedAt) < this.deadline
        ? Math.max(0, Math.min(this.now(), this.abortedAt) - this.windowStart)
        : Math.max(this.lastResponseAt - this.windowStart, durationMs);
    // One bucket per second of the requested window (fewer when aborted); answers that arrive after
    // the deadline go into the last bucket rather than a nearly empty one of their own.
    const perSecond = buckets(this.perSecond, Math.min(windowMs, durationMs), 1000);
    const sampleCounts = [...this.sampleCounts];
    const latency = this.latency.summary();
    const { result, generator } = this;
    const routes =
      this.tally === null
        ? [routeFromTotals(this.routeNames[0], { ...result, latency })]
        : this.tally.results();
    this.release();
    return {
      ...result,
      schedule: this.schedule,
      protocol: this.pool?.protocol ?? '',
      routes,
      statusCounts: { ...result.statusCounts },
      errorsByKind: { ...result.errorsByKind },
      warmup: { ...result.warmup },
      windowMs,
      perSecond,
      sampleCounts,
      generator,
      latency,
      aborted,
    };
  }

  /** Frees the recorders the run made itself (not those it was given to share). */
  private release(): void {
    if (this.options.latency === undefined) this.latency.destroy();
    if (this.options.routeTally === undefined) this.tally?.destroy();
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
    if (this.open) this.closeSchedule();
    const wallMs = Math.max(1e-3, this.now() - this.startedAt);
    const cpu = process.cpuUsage(this.cpuAtStart);
    const busyPoll = this.options.busyPoll === true;
    this.generator = {
      cpuPct: Math.min(100, (cpu.user + cpu.system) / 10 / wallMs),
      cpuUsPerRequest: this.sends > 0 ? (cpu.user + cpu.system) / this.sends : 0,
      cores: availableParallelism(),
      utilization: busyPoll
        ? this.spinTotalMs > 0
          ? this.spinBusyMs / this.spinTotalMs
          : 0
        : performance.eventLoopUtilization(this.eluAtStart).utilization,
      busyPoll,
    };
    if (this.options.cutOff ?? this.options.pool === undefined) {
      const pool = this.pool;
      this.timers.push(setTimeout(() => pool?.cancel(), this.options.timeoutMs + 500));
    }
    this.endWindow(this.result.requests);
    this.checkDone();
  }

  /** Open model: the number of the first send due at or after `ms` into the run. */
  private dueIndex(ms: number): number {
    // The small slack keeps k x interval exact.
    return Math.max(0, Math.ceil(ms / this.intervalMs - 1e-9));
  }

  /** Open model: when send `k` is due. */
  private dueTime(k: number): number {
    return this.startedAt + k * this.intervalMs;
  }

  /**
   * Open model: when the next send's latency counts from, if it is due by `now` (or within
   * `DUE_EARLY_MS` of it), else NaN. Due times are handed out in order, so after a stall the
   * oldest waiting send goes first and its wait counts: latency counts from the due time when the
   * send is late, and from the send itself when it is early.
   */
  takeDue(now: number): number {
    let k = this.nextDue;
    // Warm-up sends still unsent when the window opens are skipped: sent late, they would take the
    // window's slots for sends that count nowhere, and a slow target would pass with none counted.
    if (k < this.firstWindowDue && now >= this.windowStart) k = this.nextDue = this.firstWindowDue;
    // Nothing due at or after the deadline goes out, not even early.
    if (k >= this.endDue) return NaN;
    const due = this.dueTime(k);
    if (due > now + DUE_EARLY_MS) return NaN;
    // Never early across the window's start: warm-up or window is the send's number's to decide.
    const inWindow = k >= this.firstWindowDue;
    if (inWindow && now < this.windowStart && due > now) return NaN;
    this.nextDue = k + 1;
    const from = due < now ? due : now;
    // A warm-up send goes out before the window opens (or is skipped above), so `from` is before it.
    if (!inWindow) return from;
    this.sentInWindow++;
    return from > this.windowStart ? from : this.windowStart;
  }

  /** Open model: a free slot found nothing due; it sends when the next send is due. */
  waitForDue(slot: Slot, now: number): void {
    this.idle.push(slot);
    this.armDue(now);
  }

  private armDue(now: number): void {
    if (this.dueTimer !== undefined || this.idle.length === 0 || this.stopping) return;
    // Nothing is due at or after the deadline: the stop timer ends the run.
    if (this.nextDue >= this.endDue) return;
    const wait = this.dueTime(this.nextDue) - now - DUE_EARLY_MS;
    this.dueTimer = setTimeout(this.handOutDue, Math.max(0, wait));
  }

  /** Hands every send due by now to a waiting slot (the timer's and the spin's work). */
  private handOutDue = (): void => {
    this.dueTimer = undefined;
    const now = this.now();
    // A newer run on the same pool sends for itself now.
    if (!this.mayStart(now) || this.pool?.run !== this) return;
    while (this.idle.length > 0) {
      const slot = this.idle[this.idle.length - 1];
      if (!slot.isFree()) {
        // Started meanwhile by another path (a new run's `begin`) or cancelled: not ours to wait.
        this.idle.pop();
        continue;
      }
      const due = this.takeDue(now);
      if (Number.isNaN(due)) break;
      this.idle.pop();
      slot.dispatch(this, now, due);
    }
    this.armDue(now);
  };

  /** Open model, at the stop: what was due in the window, and what of it was never sent. */
  private closeSchedule(): void {
    if (this.dueTimer !== undefined) clearTimeout(this.dueTimer);
    this.dueTimer = undefined;
    this.idle.length = 0;
    const endAt = Math.min(this.now(), this.deadline, this.abortedAt);
    const windowMs = Math.max(0, endAt - this.windowStart);
    // Cut short (aborted): the sends due before the stop.
    const endIndex =
      endAt >= this.deadline
        ? this.endDue
        : Math.min(this.endDue, this.dueIndex(endAt - this.startedAt));
    const scheduled = Math.max(0, endIndex - this.firstWindowDue);
    // A send up to DUE_EARLY_MS early may be due after an abort.
    const sent = Math.min(scheduled, this.sentInWindow);
    this.schedule = {
      ratePerSec: this.options.rate as number,
      scheduled,
      dropped: scheduled - sent,
      achievedPerSec: windowMs > 0 ? sent / (windowMs / 1000) : 0,
    };
  }

  /** One busy-poll turn: keeps the loop awake, and times the turns that handled something. */
  private spin = (): void => {
    const now = this.now();
    // Open model: hand a due send over now rather than when the timer wakes.
    if (this.idle.length > 0 && this.dueTime(this.nextDue) <= now + DUE_EARLY_MS) {
      clearTimeout(this.dueTimer);
      this.handOutDue();
    }
    const turnMs = now - this.spinAt;
    this.spinAt = now;
    this.spinTotalMs += turnMs;
    if (this.events !== this.spinEvents) {
      this.spinEvents = this.events;
      this.spinBusyMs += turnMs;
    }
    if (!this.stopping) setImmediate(this.spin);
  };

  /** A slot sent a request for this run. */
  sent(): void {
    this.inFlight++;
    this.sends++;
  }

  /**
   * A response to the request sent for entry `route` of the routes. `sentAt` is when it was sent,
   * or in the open model when it was due: it decides warm-up or window, and latency counts from it.
   */
  recordResponse(status: number, sentAt: number, now: number, route: number): void {
    const result = this.result;
    this.events++;
    this.inFlight--;
    if (sentAt < this.windowStart) {
      result.warmup.responses++;
    } else {
      result.statusCounts[status] = (result.statusCounts[status] ?? 0) + 1;
      if (this.expected[status] !== 1) {
        result.unexpectedStatus++;
        this.tally?.response(this.routeOf[route], status, false, 0);
      } else {
        result.requests++;
        if (this.counter) this.counter.requests++;
        const latencyUs = (now - sentAt) * 1000;
        this.latency.record(latencyUs);
        this.tally?.response(this.routeOf[route], status, true, latencyUs);
        const second = Math.floor((now - this.windowStart) / 1000);
        this.perSecond[second < this.perSecond.length ? second : this.perSecond.length - 1]++;
        if (this.sampleCounts.length > 0) {
          const i = Math.floor((now - this.windowStart) / (this.options.sampleMs as number));
          if (i < this.sampleCounts.length) this.sampleCounts[i]++;
        }
        this.lastResponseAt = now;
      }
    }
    if (this.stopping) this.checkDone();
  }

  recordFailure(
    error: Error & { code?: string },
    sentAt: number,
    cancelled: boolean,
    route: number,
  ): void {
    const result = this.result;
    this.events++;
    this.inFlight--;
    if (cancelled) {
      result.cancelled++;
    } else if (sentAt < this.windowStart) {
      result.warmup.failures++;
    } else {
      // An AggregateError (every address of a name refused) carries its failures' code too.
      const kind = error.code || error.name;
      if (TIMEOUT_CODES.has(kind)) {
        result.timeouts++;
        this.tally?.timeout(this.routeOf[route]);
      } else {
        this.countError(kind);
        this.tally?.error(this.routeOf[route]);
      }
    }
    if (this.stopping) this.checkDone();
  }

  /** True once every request the run sent has settled: its result is final. */
  get finished(): boolean {
    return this.done;
  }

  /** A fault of the connection that no request of ours was waiting on (see `meansUnaskedData`). */
  recordConnectionError(kind: string): void {
    this.events++;
    if (this.now() < this.windowStart) this.result.warmup.failures++;
    else this.countError(kind);
  }

  private countError(kind: string): void {
    this.result.errors++;
    this.result.errorsByKind[kind] = (this.result.errorsByKind[kind] ?? 0) + 1;
  }

  private checkDone(): void {
    if (this.stopping && this.inFlight === 0 && !this.done) {
      this.done = true;
      this.finish();
    }
  }
}

/** What a pool connects to and how; the routes are the runs'. */
export interface PoolOptions {
  /** `http://host:port` or `https://host:port` (an IPv6 address in brackets). */
  origin: string;
  connections: number;
  /** Requests in flight on each connection. */
  pipelining: number;
  /** Per-request limit in ms; also the limit of each connection attempt. */
  timeoutMs: number;
  /** Certificate checks of an https origin. */
  tls?: Tls;
  /** Offer HTTP/2 by ALPN (https only). */
  http2?: boolean;
}

/**
 * Keep-alive connections to one origin that outlive a run, so that several runs (e.g. the slices of
 * a head vs baseline comparison) measure warm connections. Close it when done.
 */
export class LoadPool {
  readonly connections: Connection[] = [];
  readonly pipelining: number;
  readonly timeoutMs: number;
  /** Shared by the connections: one TLS session cache, one remembered `localhost` address. */
  readonly connector: Connector;
  /** The run new requests are sent for: the latest one started on the pool. */
  run: LoadRun | null = null;
  /** Responses nobody asked for, caught while no run was going: counted by the next run. */
  private unclaimed = 0;
  /** Set by `cancel`: the pool's requests were cut off, and it takes no run any more. */
  cancelled = false;
  private readonly sweepTimer: NodeJS.Timeout;

  constructor(options: PoolOptions) {
    const { origin, connections, pipelining, timeoutMs } = options;
    this.pipelining = pipelining;
    this.timeoutMs = timeoutMs;
    this.connector = new Connector({ origin, timeoutMs, tls: options.tls, http2: options.http2 });
    for (let i = 0; i < connections; i++) {
      this.connections.push(new Connection(this, origin, pipelining));
    }
    // One sweep for every slot's timeout, across runs: a request is given up between 1x and 1.25x
    // `timeoutMs` (at most 250 ms late) after it was sent, whichever run is sending now.
    const sweepMs = Math.min(250, Math.max(5, timeoutMs / 4));
    this.sweepTimer = setInterval(() => this.sweep(), sweepMs);
    this.sweepTimer.unref();
  }

  /** The protocol the connections negotiated (`h2` or `http/1.1`); '' until one connects. */
  get protocol(): Protocol {
    return this.connector.protocol;
  }

  /** Makes `run` the one the free slots send for, and starts them. */
  begin(run: LoadRun, now: number): void {
    this.run = run;
    for (; this.unclaimed > 0; this.unclaimed--) run.recordConnectionError(UNSOLICITED);
    for (const connection of this.connections) connection.start(run, now);
  }

  /** An unsolicited response on an idle connection: the current run's error, or the next one's. */
  unsolicited(): void {
    const run = this.run;
    if (run !== null && !run.finished) run.recordConnectionError(UNSOLICITED);
    else this.unclaimed++;
  }

  private sweep(): void {
    for (const connection of this.connections) connection.sweep(this.timeoutMs);
  }

  /**
   * Cuts off every request in flight (counted as cancelled) by closing the connections, and ends
   * the pool's use: it takes no run any more; close it.
   */
  cancel(): void {
    this.cancelled = true;
    for (const connection of this.connections) connection.cancel();
  }

  async close(): Promise<void> {
    clearInterval(this.sweepTimer);
    await Promise.all(this.connections.map((c) => c.close()));
  }
}

/** One connection: an undici `Client` and its in-flight slots. */
class Connection {
  readonly client: Client;
  readonly pool: LoadPool;
  private readonly slots: Slot[] = [];
  private readonly pipelined: boolean;
  /**
   * The socket of an HTTP/1.1 connection, once undici has one (see `batchWrites` and
   * `Slot.sentOn`). Null on h2, whose session reads and writes the socket itself.
   */
  socket: Socket | null = null;
  /** The entry of the routes the next request of this connection takes (round robin). */
  private nextRoute = 0;
  private corked = false;
  /** The failure undici last handed to one of our requests; see `onDisconnect`. */
  lastError: Error | undefined;
  private cancelling = false;

  constructor(pool: LoadPool, origin: string, pipelining: number) {
    this.pool = pool;
    this.pipelined = pipelining > 1;
    const { connector } = pool;
    this.client = new Client(origin, {
      // At `pipelining: 1` undici waits one event-loop turn (`setImmediate`) after each response
      // before it reuses the socket, in case a server closes it without saying so. Allowing 2 lets
      // `onResponseEnd` write our next request at once; we still keep only `pipelining` requests
      // in flight, and GET stays `blocking` at 1 so nothing is pipelined (the gain: docs/engine.md).
      // A server that closes silently costs one error per close; an extra response is caught by `Slot.onResponseStart`.
      pipelining: Math.max(2, pipelining),
      // The sweep enforces the whole-request timeout; undici's own timers would only add work.
      headersTimeout: 0,
      bodyTimeout: 0,
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 600_000,
      ...connector.clientOptions(pipelining),
      // Keep a handle on an HTTP/1.1 socket, to batch the writes of one read (see `batchWrites`)
      // and to tell an answer from a response nobody asked for (`Slot.onResponseStart`). Not on
      // h2: a response names its stream, so it cannot answer another request, and the socket's
      // reads and writes are the h2 session's (its `bytesRead` counts frames of every stream).
      connect: (options, callback) =>
        connector.connect(options, (...args) => {
          // undici's connector passes no socket at all with an error.
          const socket = args[1] ?? null;
          this.socket =
            socket !== null && (socket as TLSSocket).alpnProtocol !== 'h2' ? socket : null;
          this.corked = false;
          callback(...args);
        }),
    });
    this.client.on('disconnect', this.onDisconnect);
    for (let i = 0; i < pipelining; i++) this.slots.push(new Slot(this));
  }

  /** Sends on every slot that is free (not in flight, not waiting to send or to retry). */
  start(run: LoadRun, now: number): void {
    for (const slot of this.slots) if (slot.isFree()) slot.send(run, now);
  }

  /** The entry of `count` routes the next request takes: each in turn. */
  takeRoute(count: number): number {
    const route = this.nextRoute < count ? this.nextRoute : 0;
    this.nextRoute = route + 1;
    return route;
  }

  /**
   * With pipelining, one read often completes several responses, and each sends its next request.
   * Corking the socket on the first and uncorking on the next tick turns those sends into one
   * `writev`.
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

  /**
   * undici closed the socket. When no request of ours received the error, and it says the server
   * sent data nobody asked for, it is a protocol error of the target; any other close of an idle
   * connection (a keep-alive timeout, a reset) is the server's right and no error.
   */
  private onDisconnect = (_origin: unknown, _targets: unknown, error: Error): void => {
    if (this.cancelling || error === this.lastError || !meansUnaskedData(error)) return;
    this.pool.unsolicited();
  };

  sweep(timeoutMs: number): void {
    for (const slot of this.slots) slot.checkTimeout(timeoutMs);
  }

  /** Cuts off the requests in flight (they report through `onResponseError`) and pending retries. */
  cancel(): void {
    let inFlight = false;
    for (const slot of this.slots) inFlight = slot.cancel() || inFlight;
    if (inFlight) {
      this.cancelling = true;
      void this.client.destroy().catch(() => {});
    }
  }

  close(): Promise<void> {
    for (const slot of this.slots) slot.cancel();
    this.cancelling = true;
    return this.client.destroy().catch(() => {});
  }
}

/** One in-flight request at a time, and the reusable dispatch handler for it. */
class Slot implements Dispatcher.DispatchHandler {
  private readonly connection: Connection;
  /** The run the request in flight was sent for: its answer or failure is counted there. */
  private sentBy: LoadRun | null = null;
  private controller: Dispatcher.DispatchController | null = null;
  private status = 0;
  /** When the request in flight was written: the timeout counts from here. */
  private sentAt = 0;
  /** When it was due: `sentAt` in the closed loop, the schedule's time in the open model. */
  private dueAt = 0;
  /** The entry of `sentBy`'s routes the request in flight was sent for. */
  private route = 0;
  /** The socket the request was written to, and the bytes it had read then (see `onResponseStart`). */
  private sentOn: Socket | null = null;
  private sentAfterBytes = 0;
  private inFlight = false;
  /** Waiting for the next tick to try again (see `onResponseError`). */
  private queued = false;
  /** Set when the pool cuts its requests off: their failures count as cancelled. */
  private cancelled = false;
  /** Failures in a row since the last response. */
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(connection: Connection) {
    this.connection = connection;
  }

  isFree(): boolean {
    return !this.inFlight && !this.queued && this.retryTimer === undefined && !this.cancelled;
  }

  send(run: LoadRun, now: number): void {
    if (this.cancelled || !run.mayStart(now)) return;
    if (run.open) {
      const due = run.takeDue(now);
      if (Number.isNaN(due)) run.waitForDue(this, now);
      else this.dispatch(run, now, due);
      return;
    }
    this.dispatch(run, now, now);
  }

  /** Sends the next request for `run`, due at `dueAt`. */
  dispatch(run: LoadRun, now: number, dueAt: number): void {
    this.inFlight = true;
    this.status = 0;
    this.sentAt = now;
    this.dueAt = dueAt;
    this.controller = null;
    this.sentBy = run;
    const route = this.connection.takeRoute(run.requests.length);
    this.route = route;
    const socket = this.connection.socket;
    this.sentOn = socket;
    this.sentAfterBytes = socket === null ? 0 : socket.bytesRead;
    run.sent();
    this.connection.client.dispatch(run.requests[route], this);
  }

  /** Gives up the request in flight when it has run past the timeout. */
  checkTimeout(timeoutMs: number): void {
    const run = this.sentBy;
    if (this.inFlight && run !== null && run.now() - this.sentAt >= timeoutMs) {
      this.controller?.abort(new RequestTimeoutError(timeoutMs));
    }
  }

  /** Clears a pending retry; returns true when a request is in flight (the caller closes it). */
  cancel(): boolean {
    this.cancelled = true;
    if (this.retryTimer !== undefined) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    return this.inFlight;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number): void {
    // A response parsed while its socket has read nothing since the request was written was in our
    // buffer before the request went out: the server cannot have sent it as the answer. It is an
    // extra response to an earlier request, in the same read as that one's answer. Writing the next
    // request at once from `onResponseEnd` is what keeps one connection fast; this check is what
    // makes it safe. (Node counts `bytesRead` before JavaScript sees a read.)
    const socket = this.connection.socket;
    if (socket !== null && socket === this.sentOn && socket.bytesRead === this.sentAfterBytes) {
      // undici then drops the connection; the failure is counted as UNSOLICITED_RESPONSE.
      controller.abort(new UnsolicitedResponseError());
      return;
    }
    this.status = statusCode;
  }

  onResponseData(): void {}

  onResponseEnd(): void {
    const sentBy = this.sentBy as LoadRun;
    const now = sentBy.now();
    this.inFlight = false;
    this.failures = 0;
    sentBy.recordResponse(this.status, this.dueAt, now, this.route);
    this.connection.batchWrites();
    const run = this.connection.pool.run;
    if (run !== null) this.send(run, now);
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    const run = this.sentBy as LoadRun;
    this.inFlight = false;
    this.connection.lastError = error;
    run.recordFailure(error, this.dueAt, this.cancelled, this.route);
    if (this.cancelled) return;
    // Once at once (a server closing a used connection), then with a pause (a target that is down).
    // On the next tick, not from inside undici's own failure handling.
    if (++this.failures === 1) {
      this.queued = true;
      process.nextTick(this.retry);
    } else {
      this.retryTimer = setTimeout(this.retry, ERROR_BACKOFF_MS);
    }
  }

  private retry = (): void => {
    this.retryTimer = undefined;
    this.queued = false;
    const run = this.connection.pool.run;
    if (run !== null) this.send(run, run.now());
  };
}
