import { select } from '../../ops/runtime-db/index.js';
import type { CellDatabase } from './database.js';

/** A host's first compute node and what its live instances take, per project (os-hosts show). */
export interface HostResources {
  node: { uuid: string; vcpus: number; memory_mb: number; local_gb: number };
  instances: { project_id: string; vcpus: number; memory_mb: number; disk_gb: number }[];
}

/** undefined when the host has no compute node in this cell. */
export async function hostResources(db: CellDatabase, host: string): Promise<HostResources | undefined> {
  const [nodes, instances] = await Promise.all([
    select<{ uuid: string; host: string; vcpus: number; memory_mb: number; local_gb: number }>(
      db,
      'SELECT uuid, host, vcpus, memory_mb, local_gb FROM compute_nodes WHERE host = ? AND deleted = 0 ORDER BY id',
      [host],
    ),
    select<{ host: string; project_id: string; vcpus: number; memory_mb: number; root_gb: number; ephemeral_gb: number }>(
      db,
      'SELECT host, project_id, vcpus, memory_mb, root_gb, ephemeral_gb FROM instances WHERE host = ? AND deleted = 0 ORDER BY id',
      [host],
    ),
  ]);
  // The collation compares names without case; a host is found only by its exact name.
  const node = nodes.find((n) => n.host === host);
  if (!node) return undefined;
  return {
    node: { uuid: node.uuid, vcpus: Number(node.vcpus), memory_mb: Number(node.memory_mb), local_gb: Number(node.local_gb) },
    instances: instances
      .filter((i) => i.host === host)
      .map((i) => ({ project_id: i.project_id, vcpus: Number(i.vcpus), memory_mb: Number(i.memory_mb), disk_gb: Number(i.root_gb) + Number(i.ephemeral_gb) })),
  };
}
