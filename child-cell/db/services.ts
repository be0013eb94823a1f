import { execute, inList, select } from '../../ops/runtime-db/index.js';
import { COMPUTE_BINARY } from '../bus/index.js';
import type { CellDatabase } from './database.js';

export interface ServiceRegistration {
  host: string;
  binary: string;
  topic: string;
  version: number;
}

/** Creates or refreshes a host's service record (idempotent); returns its uuid. */
export async function upsertService(db: CellDatabase, s: ServiceRegistration): Promise<string> {
  await execute(
    db,
    `INSERT INTO services (uuid, host, \`binary\`, topic, version, last_seen_up, report_count) VALUES (UUID(), ?, ?, ?, ?, NOW(6), 1)
     ON DUPLICATE KEY UPDATE topic = VALUES(topic), version = VALUES(version), last_seen_up = NOW(6),
       report_count = report_count + 1, updated_at = NOW(6)`,
    [s.host, s.binary, s.topic, s.version],
  );
  const rows = await select<{ uuid: string }>(db, 'SELECT uuid FROM services WHERE host = ? AND `binary` = ? AND deleted = 0', [s.host, s.binary]);
  return rows[0]?.uuid ?? '';
}

export interface NodeReport {
  uuid: string;
  host: string;
  hypervisor_hostname: string;
  hypervisor_type: string;
  vcpus: number;
  memory_mb: number;
  local_gb: number;
  cpu_allocation_ratio: number;
  ram_allocation_ratio: number;
  disk_allocation_ratio: number;
}

/**
 * Creates or updates a compute node; `updated_at` moves only when its resources changed, so the
 * scheduler's incremental refresh reads only real changes. Returns the node's uuid (an existing
 * node keeps the uuid it was created with; a node deleted with its service comes back when its
 * host registers again).
 */
export async function upsertComputeNode(db: CellDatabase, n: NodeReport): Promise<string> {
  await execute(
    db,
    `INSERT INTO compute_nodes (uuid, service_id, host, hypervisor_hostname, hypervisor_type, vcpus, memory_mb, local_gb,
        cpu_allocation_ratio, ram_allocation_ratio, disk_allocation_ratio, updated_at)
     VALUES (?, (SELECT s.id FROM services s WHERE s.host = ? AND s.\`binary\` = ? AND s.deleted = 0), ?, ?, ?, ?, ?, ?, ?, ?, ?, NOW(6))
     ON DUPLICATE KEY UPDATE
       updated_at = IF(vcpus <> VALUES(vcpus) OR memory_mb <> VALUES(memory_mb) OR local_gb <> VALUES(local_gb)
         OR cpu_allocation_ratio <> VALUES(cpu_allocation_ratio) OR ram_allocation_ratio <> VALUES(ram_allocation_ratio)
         OR disk_allocation_ratio <> VALUES(disk_allocation_ratio) OR service_id <=> NULL OR deleted <> 0, NOW(6), updated_at),
       deleted = 0, deleted_at = NULL, service_id = VALUES(service_id), vcpus = VALUES(vcpus), memory_mb = VALUES(memory_mb), local_gb = VALUES(local_gb),
       cpu_allocation_ratio = VALUES(cpu_allocation_ratio), ram_allocation_ratio = VALUES(ram_allocation_ratio),
       disk_allocation_ratio = VALUES(disk_allocation_ratio)`,
    [n.uuid, n.host, COMPUTE_BINARY, n.host, n.hypervisor_hostname, n.hypervisor_type, n.vcpus, n.memory_mb, n.local_gb,
      n.cpu_allocation_ratio, n.ram_allocation_ratio, n.disk_allocation_ratio],
  );
  const rows = await select<{ uuid: string }>(
    db,
    'SELECT uuid FROM compute_nodes WHERE host = ? AND hypervisor_hostname = ? AND deleted = 0',
    [n.host, n.hypervisor_hostname],
  );
  return rows[0]?.uuid ?? n.uuid;
}

/** Records heartbeats of many hosts in one statement. */
export async function recordHeartbeats(db: CellDatabase, binary: string, hosts: string[]): Promise<number> {
  if (hosts.length === 0) return 0;
  return execute(
    db,
    `UPDATE services SET last_seen_up = NOW(6), report_count = report_count + 1
      WHERE \`binary\` = ? AND deleted = 0 AND host IN (${inList(hosts.length)})`,
    [binary, ...hosts],
  );
}

/** Marks hosts down at once (a pool stopped cleanly) instead of waiting for service_down_time. */
export async function markHostsDown(db: CellDatabase, binary: string, hosts: string[]): Promise<number> {
  if (hosts.length === 0) return 0;
  return execute(
    db,
    `UPDATE services SET last_seen_up = NULL, updated_at = NOW(6)
      WHERE \`binary\` = ? AND deleted = 0 AND host IN (${inList(hosts.length)})`,
    [binary, ...hosts],
  );
}
