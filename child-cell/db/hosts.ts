import { inList, select } from '../../ops/runtime-db/index.js';
import type { CellDatabase } from './database.js';
import { COMPUTE_BINARY } from '../bus/index.js';

/** A compute node joined with its service: what the scheduler needs to know of a host. */
export interface ComputeHostRow {
  uuid: string;
  host: string;
  hypervisor_hostname: string;
  vcpus: number;
  memory_mb: number;
  local_gb: number;
  cpu_allocation_ratio: number;
  ram_allocation_ratio: number;
  disk_allocation_ratio: number;
  disabled: number | boolean;
  disabled_reason: string | null;
  forced_down: number | boolean;
  last_seen_up: Date | null;
  node_updated_at: Date | null;
}

const hostQuery = `SELECT cn.uuid, cn.host, cn.hypervisor_hostname, cn.vcpus, cn.memory_mb, cn.local_gb,
    cn.cpu_allocation_ratio, cn.ram_allocation_ratio, cn.disk_allocation_ratio,
    s.disabled, s.disabled_reason, s.forced_down, s.last_seen_up, cn.updated_at AS node_updated_at
  FROM compute_nodes cn JOIN services s ON s.host = cn.host AND s.\`binary\` = ? AND s.deleted = 0
  WHERE cn.deleted = 0`;

/** Every compute host of the cell. */
export function computeHostRows(db: CellDatabase): Promise<ComputeHostRow[]> {
  return select<ComputeHostRow>(db, hostQuery, [COMPUTE_BINARY]);
}

/**
 * Compute hosts whose node or service record changed since `since` (resources, disabled,
 * forced down, deleted and back), or the named hosts. Heartbeats are not changes: liveness is
 * read apart, with `staleServices`.
 */
export function changedComputeHostRows(db: CellDatabase, since: Date, hosts: string[] = []): Promise<ComputeHostRow[]> {
  const named = hosts.length > 0 ? ` OR cn.host IN (${inList(hosts.length)})` : '';
  return select<ComputeHostRow>(db, `${hostQuery} AND (cn.updated_at >= ? OR s.updated_at >= ?${named})`, [COMPUTE_BINARY, since, since, ...hosts]);
}

/** Hosts whose last heartbeat is older than `seenBefore` or that were marked down: usually few. */
export function staleServices(db: CellDatabase, binary: string, seenBefore: Date): Promise<{ host: string; last_seen_up: Date | null }[]> {
  return select(
    db,
    'SELECT host, last_seen_up FROM services WHERE `binary` = ? AND deleted = 0 AND (last_seen_up IS NULL OR last_seen_up < ?)',
    [binary, seenBefore],
  );
}

/** Compute nodes deleted since `since` (their service was deleted): the scheduler forgets them. */
export async function removedComputeNodes(db: CellDatabase, since: Date): Promise<string[]> {
  const rows = await select<{ uuid: string }>(db, 'SELECT uuid FROM compute_nodes WHERE deleted <> 0 AND updated_at >= ?', [since]);
  return rows.map((r) => r.uuid);
}
