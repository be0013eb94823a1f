import { build as buildHistogram, type Histogram } from 'hdr-histogram-js';
import type { CellDatabase } from '../../child-cell/db/index.js';
import { select } from '../runtime-db/index.js';

export interface BootBenchOptions {
  apiUrl: string;
  /** A project-scoped token of the benchmark's user. */
  token: string;
  imageId: string;
  flavorRef: string;
  servers: number;
  /** Servers per POST: 1 for single creates, more for multi-create (min_count = max_count). */
  batch: number;
  /** Closed loop: this many POSTs in flight at once. */
  concurrency: number;
  /** `networks` of every create: none, or auto (a port on the deployment's shared network each). */
  networks: 'none' | 'auto';
  /** Open loop instead: servers per second offered, whatever the answers. */
  rate?: number | undefined;
  cells: CellDatabase[];
  onProgress?: (settled: number) => void;
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface BootBenchResult {
  servers: number;
  batch: number;
  mode: string;
  seconds: number;
  bootsPerSecond: number;
  active: number;
  errors: number;
  rejected: number;
  /** POST sent to the server ACTIVE (its launched_at), in ms. */
  postToActiveMs: Percentiles;
  /** POST sent to its 202, in ms. */
  acceptMs: Percentiles;
  /** Servers that went ACTIVE in each second of the run. */
  activePerSecond: number[];
}

const percentiles = (h: Histogram): Percentiles => ({
  p50: h.getValueAtPercentile(50),
  p95: h.getValueAtPercentile(95),
  p99: h.getValueAtPercentile(99),
  max: h.maxValue,
});

interface Settled {
  uuid: string;
  reservation_id: string;
  vm_state: string;
  launched_at: Date | null;
  updated_at: Date;
}

/**
 * Boots servers through the REST API as a client would and watches the cell databases for them
 * to settle (one query per cell every 50 ms, so watching costs the system almost nothing).
 */
export async function runBootBench(o: BootBenchOptions): Promise<BootBenchResult> {
  const requests = Math.ceil(o.servers / o.batch);
  const sentAt = new Map<string, number>();
  const latency = buildHistogram({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: 3 });
  const accept = buildHistogram({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: 3 });
  let rejected = 0;
  const started = Date.now();
  let expected = 0;

  const post = async (i: number): Promise<void> => {
    const count = Math.min(o.batch, o.servers - i * o.batch);
    const body = {
      server: {
        name: `bench-${i}`,
        flavorRef: o.flavorRef,
        imageRef: o.imageId,
        networks: o.networks,
        ...(o.batch > 1 ? { min_count: count, max_count: count, return_reservation_id: true } : {}),
      },
    };
    const sent = Date.now();
    const res = await fetch(`${o.apiUrl}/v2.1/servers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': o.token },
      body: JSON.stringify(body),
    }).catch(() => undefined); // no answer at all counts as an error below, like a non-202
    accept.recordValue(Math.max(1, Date.now() - sent));
    if (res?.status !== 202) {
      rejected += count;
      await res?.text();
      return;
    }
    const answer = (await res.json()) as { server?: { id: string }; reservation_id?: string };
    sentAt.set(answer.reservation_id ?? answer.server?.id ?? '', sent);
    expected += count;
  };

  const driving = o.rate ? openLoop(requests, (o.rate / o.batch), post) : closedLoop(requests, o.concurrency, post);
  let done = false;
  const finished = driving.then(() => {
    done = true;
  });
  const settled = new Map<string, Settled>();
  let since = new Date(started - 1000);
  while (!done || settled.size < expected) {
    await new Promise((r) => setTimeout(r, 50));
    for (const db of o.cells) {
      const rows = await select<Settled>(
        db,
        "SELECT uuid, reservation_id, vm_state, launched_at, updated_at FROM instances WHERE updated_at >= ? AND vm_state IN ('active', 'error')",
        [since],
      );
      for (const row of rows) settled.set(row.uuid, row);
    }
    const newest = Math.max(0, ...[...settled.values()].slice(-500).map((r) => r.updated_at.getTime()));
    if (newest > 0) since = new Date(Math.max(since.getTime(), newest - 1000));
    o.onProgress?.(settled.size);
    if (Date.now() - started > 600_000) break;
  }
  await finished;
  let active = 0;
  let errors = 0;
  let last = started;
  const activePerSecond: number[] = [];
  for (const row of settled.values()) {
    const sent = sentAt.get(row.uuid) ?? sentAt.get(row.reservation_id);
    if (sent === undefined) continue;
    if (row.vm_state !== 'active' || !row.launched_at) {
      errors += 1;
      continue;
    }
    active += 1;
    const at = row.launched_at.getTime();
    last = Math.max(last, at);
    const second = Math.max(0, Math.floor((at - started) / 1000));
    while (activePerSecond.length <= second) activePerSecond.push(0);
    activePerSecond[second] = (activePerSecond[second] ?? 0) + 1;
    latency.recordValue(Math.max(1, at - sent));
  }
  const seconds = (last - started) / 1000;
  return {
    servers: o.servers,
    batch: o.batch,
    mode: o.rate ? `open loop at ${o.rate} servers/s` : `closed loop, ${o.concurrency} POSTs in flight`,
    seconds,
    bootsPerSecond: active / seconds,
    active,
    errors,
    rejected,
    postToActiveMs: percentiles(latency),
    acceptMs: percentiles(accept),
    activePerSecond,
  };
}

async function closedLoop(requests: number, concurrency: number, post: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, requests) }, async () => {
      while (next < requests) await post(next++);
    }),
  );
}

async function openLoop(requests: number, perSecond: number, post: (i: number) => Promise<void>): Promise<void> {
  const started = Date.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < requests; i += 1) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(post(i));
  }
  await Promise.all(inFlight);
}
