/** Reading the figures processes publish: Prometheus text from /metrics, NATS /varz. */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

// Kept by hand: the one npm parser of this format (parse-prometheus-text-format) loses every labelled
// histogram series prom-client writes (`le` before the other labels), and we read only a few names.
const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The samples of Prometheus text exposition whose metric name starts with one of `prefixes`. */
export function parseMetrics(text: string, prefixes: string[]): Sample[] {
  const samples: Sample[] = [];
  for (const row of text.split('\n')) {
    if (row.startsWith('#') || !prefixes.some((p) => row.startsWith(p))) continue;
    const m = line.exec(row);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(label)) labels[l[1] ?? ''] = l[2] ?? '';
    samples.push({ name: m[1] ?? '', labels, value: Number(m[3]) });
  }
  return samples;
}

async function getText(url: string, timeoutMs: number): Promise<string | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? await res.text() : undefined;
  } catch {
    return undefined;
  }
}

export async function scrapeMetrics(url: string, prefixes: string[], timeoutMs = 2000): Promise<Sample[] | undefined> {
  const text = await getText(url, timeoutMs);
  return text === undefined ? undefined : parseMetrics(text, prefixes);
}

export interface NatsCounts {
  inMsgs: number;
  outMsgs: number;
}

/** Messages a NATS server took in and delivered since it started (its monitoring /varz). */
export async function natsCounts(monitorUrl: string, timeoutMs = 2000): Promise<NatsCounts | undefined> {
  const text = await getText(`${monitorUrl}/varz`, timeoutMs);
  if (text === undefined) return undefined;
  const varz = JSON.parse(text) as { in_msgs?: number; out_msgs?: number };
  return { inMsgs: Number(varz.in_msgs ?? 0), outMsgs: Number(varz.out_msgs ?? 0) };
}

/** Cumulative bucket counts of a histogram (upper bound -> count), from its `_bucket` samples. */
export function histogramBuckets(samples: Sample[], name: string): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== `${name}_bucket`) continue;
    const le = s.labels['le'] === '+Inf' ? Infinity : Number(s.labels['le']);
    buckets.set(le, (buckets.get(le) ?? 0) + s.value);
  }
  return buckets;
}

/** later - earlier, bucket by bucket. */
export function bucketDelta(later: Map<number, number>, earlier: Map<number, number>): Map<number, number> {
  const delta = new Map<number, number>();
  for (const [le, count] of later) delta.set(le, Math.max(0, count - (earlier.get(le) ?? 0)));
  return delta;
}

/**
 * The q-quantile (0..1) of cumulative buckets, interpolated linearly inside the bucket it falls
 * in (as Prometheus' histogram_quantile does); undefined with no observations.
 */
export function bucketQuantile(buckets: Map<number, number>, q: number): number | undefined {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Infinity) ?? buckets.get(bounds[bounds.length - 1] ?? 0) ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const le of bounds) {
    const count = buckets.get(le) ?? 0;
    if (count >= rank) {
      if (le === Infinity) return lower;
      const inside = count - below;
      return inside > 0 ? lower + ((le - lower) * (rank - below)) / inside : le;
    }
    lower = le;
    below = count;
  }
  return lower;
}

/** Sum of the samples named `name` whose labels match `match`. */
export function sumOf(samples: Sample[], name: string, match: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}
