/** Median and 99th percentile, in microseconds. */
export interface Latency {
  p50Us: number;
  p99Us: number;
  samples: number;
}

/** Nearest-rank percentile of a sample; `q` in [0, 1]. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error('no samples');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

export function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}

export function latencyOfMs(samplesMs: readonly number[]): Latency {
  return { p50Us: median(samplesMs) * 1000, p99Us: percentile(samplesMs, 0.99) * 1000, samples: samplesMs.length };
}

/** Keeps figures readable in results.json: three significant decimals are all the noise allows. */
export function round(value: number, decimals = 3): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
