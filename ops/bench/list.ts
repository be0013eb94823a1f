import { randomUUID } from 'node:crypto';
import { build as buildHistogram } from 'hdr-histogram-js';
import type { ApiDatabase } from '../../api-cell/db/index.js';
import type { CellDatabase } from '../../child-cell/db/index.js';
import { execute, placeholders } from '../runtime-db/index.js';
import type { Percentiles } from './boot.js';

const flavor = JSON.stringify({ id: 1, flavorid: '1', name: 'm1.tiny', vcpus: 1, memory_mb: 512, root_gb: 1, ephemeral_gb: 0, swap: 0, extra_specs: {} });
const batch = 2000;

/**
 * Writes `perCell` ACTIVE instances into each cell and their mappings into the API database,
 * in multi-row batches (the list benchmark measures reading, not booting). Creation times are
 * spread over a day so the cells interleave when merged.
 */
export async function seedServers(api: ApiDatabase, cells: { id: number; db: CellDatabase }[], perCell: number, projectId: string, onProgress: (n: number) => void): Promise<number> {
  const start = Date.now() - 86_400_000;
  let written = 0;
  for (const cell of cells) {
    for (let offset = 0; offset < perCell; offset += batch) {
      const rows = Array.from({ length: Math.min(batch, perCell - offset) }, () => ({ uuid: randomUUID(), created: new Date(start + Math.floor(Math.random() * 86_400_000)) }));
      await execute(
        cell.db,
        `INSERT INTO instances (uuid, project_id, user_id, display_name, hostname, host, node, availability_zone, vm_state, power_state,
           instance_type_id, flavor, vcpus, memory_mb, root_gb, image_ref, reservation_id, launched_at, created_at, updated_at)
         VALUES ${placeholders(rows.length, 20)}`,
        rows.flatMap((r, i) => [r.uuid, projectId, 'bench', `seed-${offset + i}`, `seed-${offset + i}`, `host-${i % 100}`, `host-${i % 100}`, 'nova', 'active', 1, 1, flavor, 1, 512, 1, 'image', `r-seed${cell.id}`, r.created, r.created, r.created]),
      );
      await execute(
        api,
        `INSERT INTO instance_mappings (instance_uuid, cell_id, project_id, user_id, created_at) VALUES ${placeholders(rows.length, 5)}`,
        rows.flatMap((r) => [r.uuid, cell.id, projectId, 'bench', r.created]),
      );
      written += rows.length;
      onProgress(written);
    }
  }
  return written;
}

export interface ListBenchResult {
  servers: number;
  firstPageMs: Percentiles;
  pageMs: Percentiles;
  pages: number;
  walkedServers: number;
  duplicates: number;
  walkSeconds: number;
  indexPageMs: Percentiles;
}

async function timed(url: string, token: string): Promise<{ ms: number; body: { servers: { id: string }[]; servers_links?: { href: string }[] } }> {
  const started = performance.now();
  const res = await fetch(url, { headers: { 'x-auth-token': token } });
  const body = (await res.json()) as { servers: { id: string }[]; servers_links?: { href: string }[] };
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
  return { ms: performance.now() - started, body };
}

/** Requests made and not counted before the measured ones. */
export const warmups = 5;

/** GET /servers/detail?limit=1000: the first page again and again (after a few not counted), then every page to the end. */
export async function runListBench(apiUrl: string, token: string, repeats: number, onPage: (n: number) => void): Promise<Omit<ListBenchResult, 'servers'>> {
  const first = buildHistogram({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000, numberOfSignificantValueDigits: 3 });
  const index = buildHistogram({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000, numberOfSignificantValueDigits: 3 });
  const pages = buildHistogram({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000, numberOfSignificantValueDigits: 3 });
  // A fresh API process compiles its hot paths on the first requests; those are not the steady state.
  for (let i = 0; i < warmups; i += 1) await timed(`${apiUrl}/v2.1/servers/detail?limit=1000`, token);
  for (let i = 0; i < repeats; i += 1) first.recordValue(Math.max(1, Math.round((await timed(`${apiUrl}/v2.1/servers/detail?limit=1000`, token)).ms)));
  for (let i = 0; i < repeats; i += 1) index.recordValue(Math.max(1, Math.round((await timed(`${apiUrl}/v2.1/servers?limit=1000`, token)).ms)));
  const seen = new Set<string>();
  let walked = 0;
  let count = 0;
  let next: string | undefined = `${apiUrl}/v2.1/servers/detail?limit=1000`;
  const started = performance.now();
  while (next) {
    const { ms, body } = await timed(next, token);
    pages.recordValue(Math.max(1, Math.round(ms)));
    for (const s of body.servers) seen.add(s.id);
    walked += body.servers.length;
    count += 1;
    onPage(walked);
    next = body.servers_links?.[0]?.href;
  }
  const p = (h: typeof first): Percentiles => ({ p50: h.getValueAtPercentile(50), p95: h.getValueAtPercentile(95), p99: h.getValueAtPercentile(99), max: h.maxValue });
  return { firstPageMs: p(first), indexPageMs: p(index), pageMs: p(pages), pages: count, walkedServers: walked, duplicates: walked - seen.size, walkSeconds: (performance.now() - started) / 1000 };
}
