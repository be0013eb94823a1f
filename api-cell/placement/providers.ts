import { execute, inList, placeholders, select } from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';
import { ResourceClass } from './types.js';

/** A compute node's resources, as the cell's compute_nodes table reports them. */
export interface NodeInventory {
  uuid: string;
  name: string;
  host: string;
  vcpus: number;
  memory_mb: number;
  local_gb: number;
  cpu_allocation_ratio: number;
  ram_allocation_ratio: number;
  disk_allocation_ratio: number;
}

/**
 * Creates or updates the providers and inventories of compute nodes, a batch at a time.
 * A provider whose inventory changed gets its generation bumped; returns how many changed.
 */
export async function syncProviders(api: ApiDatabase, nodes: NodeInventory[]): Promise<number> {
  if (nodes.length === 0) return 0;
  await execute(
    api,
    `INSERT INTO resource_providers (uuid, name, host, generation) VALUES ${placeholders(nodes.length, 4)}
     ON DUPLICATE KEY UPDATE name = VALUES(name), host = VALUES(host)`,
    nodes.flatMap((n) => [n.uuid, n.name, n.host, 0]),
  );
  const ids = await select<{ id: number; uuid: string }>(
    api,
    `SELECT id, uuid FROM resource_providers WHERE uuid IN (${inList(nodes.length)})`,
    nodes.map((n) => n.uuid),
  );
  const idOf = new Map(ids.map((r) => [r.uuid, r.id]));
  const rows = nodes.flatMap((n) => {
    const id = idOf.get(n.uuid);
    if (id === undefined) return [];
    return [
      [id, ResourceClass.VCPU, n.vcpus, n.vcpus, n.cpu_allocation_ratio],
      [id, ResourceClass.MEMORY_MB, n.memory_mb, n.memory_mb, n.ram_allocation_ratio],
      [id, ResourceClass.DISK_GB, n.local_gb, n.local_gb, n.disk_allocation_ratio],
    ];
  });
  // Inventories that really change bump their provider's generation; unchanged ones touch nothing.
  const changed = await select<{ resource_provider_id: number }>(
    api,
    `SELECT DISTINCT i.resource_provider_id FROM (SELECT ? AS rp, ? AS rc, ? AS total, ? AS ratio
       ${rows.slice(1).map(() => 'UNION ALL SELECT ?, ?, ?, ?').join(' ')}) n
     LEFT JOIN inventories i ON i.resource_provider_id = n.rp AND i.resource_class = n.rc
     WHERE i.id IS NULL OR i.total <> n.total OR ABS(i.allocation_ratio - n.ratio) > 0.0001`,
    rows.flatMap(([id, rc, total, , ratio]) => [id, rc, total, ratio]),
  );
  await execute(
    api,
    `INSERT INTO inventories (resource_provider_id, resource_class, total, max_unit, allocation_ratio)
     VALUES ${placeholders(rows.length, 5)}
     ON DUPLICATE KEY UPDATE total = VALUES(total), max_unit = VALUES(max_unit), allocation_ratio = VALUES(allocation_ratio)`,
    rows.flat(),
  );
  const bump = [...new Set(changed.map((c) => c.resource_provider_id))];
  if (bump.length > 0) {
    await execute(
      api,
      `UPDATE resource_providers SET generation = generation + 1, updated_at = NOW(6) WHERE id IN (${inList(bump.length)})`,
      bump,
    );
  }
  return bump.length;
}

/** Removes the providers of compute nodes that are gone; their allocations go with them. */
export async function removeProviders(api: ApiDatabase, uuids: string[]): Promise<number> {
  if (uuids.length === 0) return 0;
  return execute(api, `DELETE FROM resource_providers WHERE uuid IN (${inList(uuids.length)})`, uuids);
}
