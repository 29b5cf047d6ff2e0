/**
 * Counts per route: what each route of a load got, counted by the same rules as the totals (the
 * engine decides what counts; this only adds up), with an HDR histogram of latency per route.
 */
import type { LatencySummary, RouteResult } from '../model/result.js';
import { createLatencyRecorder, type LatencyRecorder } from './latency.js';

/**
 * Per-route counts and latency. A load with more than one distinct route records into one; shared
 * across runs (the slices of a comparison), its results cover every run that recorded into it.
 */
export interface RouteTally {
  /** The index of the route named `name`, added at the end when new (the order of first appearance). */
  index(name: string): number;
  /** A response to route `route`; `latencyUs` is recorded only for an expected status. */
  response(route: number, status: number, expected: boolean, latencyUs: number): void;
  /** A failed request (an error other than a timeout). */
  error(route: number): void;
  timeout(route: number): void;
  /** One entry per route, in the order of first appearance; empty when no route was added. */
  results(): RouteResult[];
  /** Frees the histograms. The tally must not be used afterwards. */
  destroy(): void;
}

interface Entry {
  name: string;
  requests: number;
  unexpectedStatus: number;
  statusCounts: Record<number, number>;
  errors: number;
  timeouts: number;
  latency: LatencyRecorder;
}

export function createRouteTally(): RouteTally {
  const entries: Entry[] = [];
  const byName = new Map<string, number>();
  return {
    index(name: string): number {
      let i = byName.get(name);
      if (i === undefined) {
        i = entries.length;
        byName.set(name, i);
        entries.push({
          name,
          requests: 0,
          unexpectedStatus: 0,
          statusCounts: {},
          errors: 0,
          timeouts: 0,
          latency: createLatencyRecorder(),
        });
      }
      return i;
    },
    response(route: number, status: number, expected: boolean, latencyUs: number): void {
      const entry = entries[route];
      entry.statusCounts[status] = (entry.statusCounts[status] ?? 0) + 1;
      if (expected) {
        entry.requests++;
        entry.latency.record(latencyUs);
      } else {
        entry.unexpectedStatus++;
      }
    },
    error(route: number): void {
      entries[route].errors++;
    },
    timeout(route: number): void {
      entries[route].timeouts++;
    },
    results(): RouteResult[] {
      return entries.map((e) => ({
        name: e.name,
        requests: e.requests,
        unexpectedStatus: e.unexpectedStatus,
        statusCounts: { ...e.statusCounts },
        errors: e.errors,
        timeouts: e.timeouts,
        latency: e.latency.summary(),
      }));
    },
    destroy(): void {
      for (const e of entries) e.latency.destroy();
      entries.length = 0;
      byName.clear();
    },
  };
}

/** What a route entry is made of when it is the only route: the totals. */
export interface RouteTotals {
  requests: number;
  unexpectedStatus: number;
  statusCounts: Record<number, number>;
  errors: number;
  timeouts: number;
  latency: LatencySummary;
}

/**
 * The entry of the one route of a load (or of combined loads) that sent a single route, taken from
 * its totals: such a load keeps no tally, so its hot path does no work per route. Its `errors`
 * include the connection faults no request was waiting on, which a tally cannot tie to a route.
 */
export function routeFromTotals(name: string, totals: RouteTotals): RouteResult {
  return {
    name,
    requests: totals.requests,
    unexpectedStatus: totals.unexpectedStatus,
    statusCounts: { ...totals.statusCounts },
    errors: totals.errors,
    timeouts: totals.timeouts,
    latency: { ...totals.latency },
  };
}
