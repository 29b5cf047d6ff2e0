/** What one load measured: counts, windows, latency and the generator's own use. */

/** Percentiles of the recorded latencies, in microseconds; all 0 when nothing was recorded. */
export interface LatencySummary {
  count: number;
  p50Us: number;
  p90Us: number;
  p95Us: number;
  p99Us: number;
  maxUs: number;
  meanUs: number;
}

/** The trial of `busy-poll: auto`: req/s with and without spinning, and what it chose. */
export interface BusyPollTrial {
  onPerSec: number;
  offPerSec: number;
  chosen: boolean;
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
  /**
   * With `busy-poll: auto` at 1 connection: the req/s of the trial that chose the mode, with and
   * without spinning (src/check/busy-poll.ts). Absent when the mode was set or no trial ran.
   */
  busyPollTrial?: BusyPollTrial;
  /**
   * CPU time of this process per request sent, in microseconds, over the same span: what one
   * request cost the machine the service runs on. 0 when nothing was sent.
   */
  cpuUsPerRequest: number;
  /** CPUs this process may use (`os.availableParallelism()`): the generator's share is cpuPct / cores. */
  cores: number;
}

/** What one route (see `Route` in settings.ts) got, counted as the whole result is. */
export interface RouteResult {
  /** The route's name, `METHOD /path`. */
  name: string;
  requests: number;
  unexpectedStatus: number;
  statusCounts: Record<number, number>;
  errors: number;
  timeouts: number;
  /** Latency of the route's counted responses. */
  latency: LatencySummary;
}

/** The protocol the connections spoke: `http/1.1`, `h2`, or '' when none connected. */
export type Protocol = 'http/1.1' | 'h2' | '';

/**
 * The open model's schedule (the `rate` input): sends due at fixed intervals, each timed from
 * when it was due.
 */
export interface Schedule {
  /** The rate asked for, in requests per second. */
  ratePerSec: number;
  /** Sends due within the window: `ratePerSec` x the window's length. */
  scheduled: number;
  /** Of those, sends still unsent at the deadline (every slot was busy): never sent, never counted. */
  dropped: number;
  /** Sends made in the window per second of it (`scheduled - dropped` over the window). */
  achievedPerSec: number;
}

export interface LoadResult {
  /** The open model's schedule; null in the closed loop (no `rate`). */
  schedule: Schedule | null;
  /** The protocol negotiated on the connections (`h2` only with http2 over TLS). */
  protocol: Protocol;
  /**
   * Per distinct route (by name), in the order of first appearance; one entry, mirroring the
   * totals, when every request went to the same route.
   */
  routes: RouteResult[];
  /** Responses with an expected status, read in full, to requests sent in the window. */
  requests: number;
  /** Responses with any other status. */
  unexpectedStatus: number;
  /** All responses in the window by HTTP status code. */
  statusCounts: Record<number, number>;
  /**
   * Failed requests other than timeouts (refused, reset, closed, parse errors), and responses
   * nobody asked for (`UNSOLICITED_RESPONSE`).
   */
  errors: number;
  /** Errors by kind (error code, e.g. `ECONNREFUSED`, `UND_ERR_SOCKET`, `UNSOLICITED_RESPONSE`). */
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
   * Counted requests completed in each whole sample window (`sampleMs` of the load) of the
   * requested duration; answers after the deadline are in no sample. Empty without `sampleMs`.
   */
  sampleCounts: number[];
  /** The generator's own CPU and event-loop use from the start of the run to its deadline. */
  generator: GeneratorUsage;
  /**
   * Latency of every counted response, to the end of its body: from sending the request, or in the
   * open model from when its send was due (a wait for a free slot is part of it).
   */
  latency: LatencySummary;
  /** True when the run was stopped by the abort signal. */
  aborted: boolean;
}

/** A result with nothing in it, e.g. when the target never became ready. */
export function emptyResult(aborted = false): LoadResult {
  return {
    schedule: null,
    protocol: '',
    routes: [],
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
    sampleCounts: [],
    generator: { cpuPct: 0, utilization: 0, busyPoll: false, cpuUsPerRequest: 0, cores: 0 },
    latency: { count: 0, p50Us: 0, p90Us: 0, p95Us: 0, p99Us: 0, maxUs: 0, meanUs: 0 },
    aborted,
  };
}

/**
 * Adds all a run of uncounted load got (a warm-up slice, the busy-poll trial) to `into`'s warm-up:
 * its answers and failures, window and warm-up alike, cancelled requests included.
 */
export function addAsWarmup(into: LoadResult, run: LoadResult): void {
  into.warmup.responses += run.requests + run.unexpectedStatus + run.warmup.responses;
  into.warmup.failures += run.errors + run.timeouts + run.cancelled + run.warmup.failures;
}

/** Requests per second over the measured window; 0 for an empty window. */
export function requestsPerSecond(result: Pick<LoadResult, 'requests' | 'windowMs'>): number {
  return result.windowMs > 0 ? result.requests / (result.windowMs / 1000) : 0;
}

type Outcomes = Pick<LoadResult, 'requests' | 'unexpectedStatus' | 'errors' | 'timeouts'>;

/** Requests sent in the window and settled: counted, unexpected statuses, errors and timeouts. */
export function requestsSent(result: Outcomes): number {
  return result.requests + result.unexpectedStatus + result.errors + result.timeouts;
}

/**
 * Requests sent in the window that did not count, in percent of them: errors, timeouts and
 * unexpected statuses over those plus the counted requests; 0 when nothing was sent.
 */
export function errorRatePct(result: Outcomes): number {
  const sent = requestsSent(result);
  return sent > 0 ? (100 * (sent - result.requests)) / sent : 0;
}
