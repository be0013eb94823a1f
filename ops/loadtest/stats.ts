import { build as buildHistogram } from 'hdr-histogram-js';

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Percentiles of a list of measurements (ms, to 3 significant digits, as the boot bench keeps them); null when there are none. */
export function percentiles(values: number[]): Percentiles | null {
  if (values.length === 0) return null;
  const h = buildHistogram({ lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 });
  for (const v of values) h.recordValue(Math.max(0, Math.round(v)));
  // A bucket's highest value can pass the largest measurement; no percentile is above it.
  const at = (q: number): number => Math.min(h.getValueAtPercentile(q), h.maxValue);
  return { p50: at(50), p90: at(90), p99: at(99), max: h.maxValue };
}

export interface Histogram {
  /** Lower edge of each bin, ms. */
  fromMs: number[];
  count: number[];
}

/** Counts in about `bins` equal bins whose width is a round number (1, 2 or 5 times a power of ten). */
export function histogram(values: number[], bins = 40): Histogram {
  if (values.length === 0) return { fromMs: [], count: [] };
  const max = Math.max(...values);
  const raw = Math.max(1, max / bins);
  const power = 10 ** Math.floor(Math.log10(raw));
  const width = [1, 2, 5, 10].map((m) => m * power).find((w) => w >= raw) ?? raw;
  const count = new Array<number>(Math.floor(max / width) + 1).fill(0);
  for (const v of values) {
    const i = Math.floor(v / width);
    count[i] = (count[i] ?? 0) + 1;
  }
  return { fromMs: count.map((_, i) => i * width), count };
}
