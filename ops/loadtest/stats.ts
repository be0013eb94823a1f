export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of a list of measurements; null when there are none. */
export function percentiles(values: number[]): Percentiles | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0 };
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
