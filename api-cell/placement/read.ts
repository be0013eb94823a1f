import { inList, select, type Runner } from '../../ops/runtime-db/index.js';
import type { Inventory, Provider } from './types.js';

interface ProviderRow {
  id: number;
  uuid: string;
  name: string;
  host: string | null;
  generation: number;
}

/**
 * Providers with their inventories and usages. With `changedSince`, only providers whose
 * generation moved since then (claims, frees and inventory changes all bump it).
 */
export async function loadProviders(api: Runner, filter: { changedSince?: Date; ids?: number[]; uuids?: string[] } = {}): Promise<Provider[]> {
  let where = '';
  const values: unknown[] = [];
  if (filter.uuids) {
    if (filter.uuids.length === 0) return [];
    where = `WHERE uuid IN (${inList(filter.uuids.length)})`;
    values.push(...filter.uuids);
  } else if (filter.ids) {
    if (filter.ids.length === 0) return [];
    where = `WHERE id IN (${inList(filter.ids.length)})`;
    values.push(...filter.ids);
  } else if (filter.changedSince) {
    where = 'WHERE updated_at >= ?';
    values.push(filter.changedSince);
  }
  const rows = await select<ProviderRow>(api, `SELECT id, uuid, name, host, generation FROM resource_providers ${where}`, values);
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [inventories, usages] = await Promise.all([
    select<Inventory & { resource_provider_id: number; resource_class: string }>(
      api,
      `SELECT resource_provider_id, resource_class, total, reserved, min_unit, max_unit, step_size, allocation_ratio
         FROM inventories WHERE resource_provider_id IN (${inList(ids.length)})`,
      ids,
    ),
    select<{ resource_provider_id: number; resource_class: string; used: number }>(
      api,
      `SELECT resource_provider_id, resource_class, SUM(used) AS used FROM allocations
        WHERE resource_provider_id IN (${inList(ids.length)}) GROUP BY resource_provider_id, resource_class`,
      ids,
    ),
  ]);
  const byId = new Map<number, Provider>(rows.map((r) => [r.id, { ...r, inventories: {}, usages: {} }]));
  for (const { resource_provider_id, resource_class, ...inv } of inventories) {
    const p = byId.get(resource_provider_id);
    if (p) p.inventories[resource_class] = { ...inv, allocation_ratio: Number(inv.allocation_ratio) };
  }
  for (const u of usages) {
    const p = byId.get(u.resource_provider_id);
    if (p) p.usages[u.resource_class] = Number(u.used);
  }
  return [...byId.values()];
}


/** The given providers, read through `run` (inside a transaction when it has one). */
export function loadProvidersIn(run: Runner, ids: number[]): Promise<Provider[]> {
  return loadProviders(run, { ids });
}
