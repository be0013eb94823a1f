/** What the activity page plots, worked out from servers as the Compute API lists them to an admin. */

export interface ActivityServer {
  id: string;
  name: string;
  status: string;
  created?: string;
  updated?: string;
  'OS-EXT-STS:task_state'?: string | null;
  'OS-SRV-USG:launched_at'?: string | null;
  fault?: { message?: string; created?: string };
}

export interface Activity {
  windowS: number;
  bucketS: number;
  /** Bucket start times (epoch seconds) and, per bucket, boots that reached ACTIVE per second, errors, POST→ACTIVE p50 / p99 (s). */
  times: number[];
  bootsPerS: number[];
  errors: number[];
  p50: (number | null)[];
  p99: (number | null)[];
  /** Servers building now, by stage (task state). */
  stages: Record<string, number>;
  /** POST→ACTIVE over the whole window. */
  latency: { count: number; p50: number | null; p90: number | null; p99: number | null };
  recentErrors: { id: string; name: string; at: string; message: string }[];
}

const epoch = (iso: string | null | undefined): number => (iso ? Date.parse(iso.endsWith('Z') || iso.includes('+') ? iso : `${iso}Z`) : NaN);

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? null;
}

export function activityOf(servers: ActivityServer[], now: number, windowS: number, bucketS: number): Activity {
  const buckets = Math.ceil(windowS / bucketS);
  const start = Math.floor(now / 1000 / bucketS) * bucketS - (buckets - 1) * bucketS;
  const launched: number[][] = Array.from({ length: buckets }, () => []);
  const errors = new Array<number>(buckets).fill(0);
  const stages: Record<string, number> = {};
  const all: number[] = [];
  const recentErrors: Activity['recentErrors'] = [];
  const bucketOf = (ms: number): number => Math.floor((ms / 1000 - start) / bucketS);
  for (const s of servers) {
    const created = epoch(s.created);
    const active = epoch(s['OS-SRV-USG:launched_at']);
    if (s.status === 'BUILD') {
      const stage = s['OS-EXT-STS:task_state'] ?? 'queued';
      stages[stage] = (stages[stage] ?? 0) + 1;
    }
    if (!Number.isNaN(active) && !Number.isNaN(created)) {
      const b = bucketOf(active);
      if (b >= 0 && b < buckets) {
        const seconds = Math.max(0, (active - created) / 1000);
        launched[b]?.push(seconds);
        all.push(seconds);
      }
    }
    if (s.status === 'ERROR') {
      const at = epoch(s.fault?.created ?? s.updated);
      const b = bucketOf(at);
      if (b >= 0 && b < buckets) errors[b] = (errors[b] ?? 0) + 1;
      recentErrors.push({ id: s.id, name: s.name, at: s.fault?.created ?? s.updated ?? '', message: s.fault?.message ?? '(no fault recorded)' });
    }
  }
  const sortedAll = all.sort((a, b) => a - b);
  const sortedBuckets = launched.map((xs) => xs.sort((a, b) => a - b));
  recentErrors.sort((a, b) => b.at.localeCompare(a.at));
  return {
    windowS,
    bucketS,
    times: Array.from({ length: buckets }, (_, i) => start + i * bucketS),
    bootsPerS: sortedBuckets.map((xs) => xs.length / bucketS),
    errors,
    p50: sortedBuckets.map((xs) => percentile(xs, 50)),
    p99: sortedBuckets.map((xs) => percentile(xs, 99)),
    stages,
    latency: { count: sortedAll.length, p50: percentile(sortedAll, 50), p90: percentile(sortedAll, 90), p99: percentile(sortedAll, 99) },
    recentErrors: recentErrors.slice(0, 20),
  };
}
