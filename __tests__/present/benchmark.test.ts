/**
 * src/present/benchmark.ts, pure: the github-action-benchmark entries (`customBiggerIsBetter`).
 * One entry, req/s (the count in `extra`), named after the path, connections, pipelining and
 * rate (never the duration) so that the history charts of one check line up; the latency file's
 * p50/p95/p99 entries (`customSmallerIsBetter`) named alike; the rate's range from the samples'
 * variation only when there are several samples; latency and faults in `extra`, and a comparison's
 * change and verdict there too.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { benchmarkEntries, latencyEntries } from '../../src/present/benchmark.js';
import { absoluteCheck, comparisonCheck, result, settingsOf } from '../helpers/fixtures.js';

const extra =
  '12340 requests in 5 s\nlatency p50 0.350 ms, p99 1.200 ms\nerrors 2, timeouts 1, unexpected status 5';

describe('benchmark entries', () => {
  it('gives req/s under a stable name, with the count, latency and faults in extra', () => {
    const settings = settingsOf();
    const check = absoluteCheck(settings, { samples: { sampleSec: 1, rps: [100, 110, 90, 100] } });
    assert.deepEqual(benchmarkEntries(settings, check), [
      {
        name: 'GET / (1 connection) throughput',
        unit: 'req/s',
        value: 2468,
        range: '± 8.2%',
        extra,
      },
    ]);
  });

  it('names the shape: connections, pipelining, path and rate, never the duration', () => {
    const settingsInputs = {
      connections: '4',
      pipelining: '10',
      path: '/health?x=1',
      duration: '2.5',
    };
    const settings = settingsOf(settingsInputs);
    const names = benchmarkEntries(settings, absoluteCheck(settings)).map((e) => e.name);
    assert.deepEqual(names, ['GET /health?x=1 (4 connections x 10 pipelined) throughput']);
    // Another duration continues the same series.
    const longer = settingsOf({ ...settingsInputs, duration: '60' });
    assert.deepEqual(
      benchmarkEntries(longer, absoluteCheck(longer)).map((e) => e.name),
      names,
    );
    const fixed = settingsOf({ rate: '500' });
    assert.deepEqual(
      benchmarkEntries(fixed, absoluteCheck(fixed)).map((e) => e.name),
      ['GET / (1 connection, 500 req/s) throughput'],
    );
  });

  it('gives p50, p95 and p99 in ms as smaller-is-better entries, named like the series', () => {
    const settings = settingsOf({ connections: '4' });
    assert.deepEqual(latencyEntries(settings, absoluteCheck(settings)), [
      { name: 'GET / (4 connections) latency p50', unit: 'ms', value: 0.35 },
      { name: 'GET / (4 connections) latency p95', unit: 'ms', value: 0.8 },
      { name: 'GET / (4 connections) latency p99', unit: 'ms', value: 1.2 },
    ]);
    const none = { ...result, requests: 0, latency: { ...result.latency, count: 0, p50Us: 0 } };
    assert.deepEqual(latencyEntries(settings, absoluteCheck(settings, { result: none })), []);
  });

  it('rounds the rate to a tenth, and gives no range for fewer than 2 samples', () => {
    const settings = settingsOf();
    const check = absoluteCheck(settings, {
      result: { ...result, requests: 1000, windowMs: 3000 },
      samples: { sampleSec: 5, rps: [333] },
    });
    const [rate] = benchmarkEntries(settings, check);
    assert.equal(rate.value, 333.3);
    assert.equal('range' in rate, false);
  });

  it("adds a comparison's change and verdict to extra", () => {
    const settings = settingsOf({ 'baseline-port': '9090' });
    const entries = benchmarkEntries(settings, comparisonCheck(settings, 'paired'));
    assert.equal(entries.length, 1);
    assert.equal(entries[0].extra, `${extra}\nvs baseline -7.5% [-10.0%, -5.0%]: slower`);
    const none = comparisonCheck(settings, 'paired', {
      shift: null,
      verdict: null,
      detectableRegressionPct: null,
    });
    assert.equal(benchmarkEntries(settings, none)[0].extra, extra, 'no interval, no line');
  });
});
