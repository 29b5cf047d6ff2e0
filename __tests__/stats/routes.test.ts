/**
 * src/stats/routes.ts: the per-route tally (names in order of first appearance, counts and latency
 * per route, what a shared tally adds up) and a single route's entry taken from the totals.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRouteTally, routeFromTotals } from '../../src/stats/routes.js';

describe('route tally', () => {
  it('keeps the routes in order of first appearance, one index per name', () => {
    const tally = createRouteTally();
    assert.deepEqual(
      ['GET /a', 'POST /b', 'GET /a', 'GET /c'].map((name) => tally.index(name)),
      [0, 1, 0, 2],
    );
    assert.deepEqual(
      tally.results().map((r) => r.name),
      ['GET /a', 'POST /b', 'GET /c'],
    );
    tally.destroy();
  });

  it('counts each route apart: statuses, errors, timeouts, latency of expected answers', () => {
    const tally = createRouteTally();
    const [a, b] = [tally.index('GET /a'), tally.index('GET /b')];
    tally.response(a, 200, true, 100);
    tally.response(a, 200, true, 300);
    tally.response(a, 503, false, 0);
    tally.response(b, 404, false, 0);
    tally.error(b);
    tally.timeout(b);
    tally.timeout(b);
    const [ra, rb] = tally.results();
    assert.deepEqual(
      { ...ra, latency: undefined },
      {
        name: 'GET /a',
        requests: 2,
        unexpectedStatus: 1,
        statusCounts: { 200: 2, 503: 1 },
        errors: 0,
        timeouts: 0,
        latency: undefined,
      },
    );
    assert.equal(ra.latency.count, 2);
    assert.equal(ra.latency.maxUs, 300);
    assert.equal(ra.latency.meanUs, 200);
    assert.deepEqual(
      { ...rb, latency: rb.latency.count },
      {
        name: 'GET /b',
        requests: 0,
        unexpectedStatus: 1,
        statusCounts: { 404: 1 },
        errors: 1,
        timeouts: 2,
        latency: 0,
      },
    );
    tally.destroy();
  });

  it('gives copies: later counts do not change an earlier result', () => {
    const tally = createRouteTally();
    const a = tally.index('GET /a');
    tally.response(a, 200, true, 5);
    const before = tally.results();
    tally.response(a, 200, true, 5);
    assert.deepEqual(before[0].statusCounts, { 200: 1 });
    assert.equal(tally.results()[0].requests, 2);
    tally.destroy();
  });
});

describe('routeFromTotals', () => {
  it("is the totals under the route's name", () => {
    const latency = { count: 3, p50Us: 10, p90Us: 20, p95Us: 25, p99Us: 30, maxUs: 30, meanUs: 15 };
    const totals = {
      requests: 3,
      unexpectedStatus: 1,
      statusCounts: { 200: 3, 500: 1 },
      errors: 2,
      timeouts: 1,
      latency,
    };
    const entry = routeFromTotals('GET /', totals);
    assert.deepEqual(entry, { name: 'GET /', ...totals });
    assert.notEqual(entry.statusCounts, totals.statusCounts, 'a copy');
  });
});
