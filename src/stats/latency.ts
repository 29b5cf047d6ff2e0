/**
 * Latency percentiles from an HDR histogram (hdr-histogram-js, WebAssembly build): constant memory
 * whatever the duration, 3 significant digits, values in microseconds.
 */
import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from '../model/result.js';

export interface LatencyRecorder {
  /** Records one latency in microseconds (rounded to an integer, at least 1). */
  record(latencyUs: number): void;
  summary(): LatencySummary;
  /** Frees the WebAssembly memory. The recorder must not be used afterwards. */
  destroy(): void;
}

let wasmReady = false;

/** Microseconds: 1 µs to 1 hour, 3 significant digits. */
export function createLatencyRecorder(): LatencyRecorder {
  if (!wasmReady) {
    hdr.initWebAssemblySync();
    wasmReady = true;
  }
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: true,
  });
  return {
    record(latencyUs: number): void {
      histogram.recordValue(latencyUs < 1 ? 1 : Math.round(latencyUs));
    },
    summary(): LatencySummary {
      const count = histogram.totalCount;
      if (count === 0)
        return { count: 0, p50Us: 0, p90Us: 0, p95Us: 0, p99Us: 0, maxUs: 0, meanUs: 0 };
      // A percentile is reported as the top of its bucket, which can lie above the largest value seen.
      const maxUs = histogram.maxValue;
      const at = (percentile: number) =>
        Math.min(histogram.getValueAtPercentile(percentile), maxUs);
      return {
        count,
        p50Us: at(50),
        p90Us: at(90),
        p95Us: at(95),
        p99Us: at(99),
        maxUs,
        meanUs: histogram.mean,
      };
    },
    destroy(): void {
      histogram.destroy();
    },
  };
}
