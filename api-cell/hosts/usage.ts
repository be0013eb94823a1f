import { inList, select } from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';
import { ResourceClass } from '../placement/index.js';

/** What placement says is used on a compute node (its provider has the node's uuid). */
export interface NodeUsage {
  vcpus_used: number;
  memory_mb_used: number;
  local_gb_used: number;
}

const none: NodeUsage = { vcpus_used: 0, memory_mb_used: 0, local_gb_used: 0 };

/** Allocations summed per provider, for the given node uuids (or every provider): one statement. */
export async function nodeUsage(api: ApiDatabase, uuids?: string[]): Promise<(uuid: string) => NodeUsage> {
  if (uuids?.length === 0) return () => none;
  const rows = await select<{ uuid: string; resource_class: string; used: number | string }>(
    api,
    `SELECT rp.uuid, a.resource_class, SUM(a.used) AS used FROM allocations a
       JOIN resource_providers rp ON rp.id = a.resource_provider_id
     ${uuids ? `WHERE rp.uuid IN (${inList(uuids.length)})` : ''}
     GROUP BY rp.uuid, a.resource_class`,
    uuids ?? [],
  );
  const usage = new Map<string, NodeUsage>();
  for (const r of rows) {
    const u = usage.get(r.uuid) ?? { ...none };
    const used = Number(r.used);
    if (r.resource_class === ResourceClass.VCPU) u.vcpus_used = used;
    else if (r.resource_class === ResourceClass.MEMORY_MB) u.memory_mb_used = used;
    else if (r.resource_class === ResourceClass.DISK_GB) u.local_gb_used = used;
    usage.set(r.uuid, u);
  }
  return (uuid) => usage.get(uuid) ?? none;
}
