/**
 * src/stats/latency.ts: the HDR-histogram latency recorder (WebAssembly build): exact percentiles
 * of a known set, 3 significant digits for large values with no percentile above the maximum, and
 * all zeros when nothing was recorded.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLatencyRecorder } from '../../src/stats/latency.js';

describe('latency recorder (HDR histogram)', () => {
  it('gives the known percentiles of 1..1000 us', () => {
    const recorder = createLatencyRecorder();
    for (let us = 1; us <= 1000; us++) recorder.record(us);
    assert.deepEqual(recorder.summary(), {
      count: 1000,
      p50Us: 500,
      p90Us: 900,
      p95Us: 950,
      p99Us: 990,
      maxUs: 1000,
      meanUs: 500.5,
    });
    recorder.destroy();
  });

  it('keeps 3 significant digits for large values and never reports a percentile above max', () => {
    const recorder = createLatencyRecorder();
    recorder.record(123_456.7);
    const summary = recorder.summary();
    assert.ok(Math.abs(summary.p50Us - 123_457) <= 123, String(summary.p50Us));
    assert.ok(summary.p99Us <= summary.maxUs);
    recorder.destroy();
  });

  it('reports zeros when nothing was recorded', () => {
    const recorder = createLatencyRecorder();
    assert.deepEqual(recorder.summary(), {
      count: 0,
      p50Us: 0,
      p90Us: 0,
      p95Us: 0,
      p99Us: 0,
      maxUs: 0,
      meanUs: 0,
    });
    recorder.destroy();
  });
});
