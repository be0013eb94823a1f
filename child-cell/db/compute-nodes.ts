import { select } from '../../ops/runtime-db/index.js';
import type { CellDatabase } from './database.js';
import { COMPUTE_BINARY } from '../bus/index.js';
import { serviceColumns, toServiceRecord, type ServiceRecord } from './service-records.js';

/** A compute node with its service and what runs on it, as os-hypervisors shows it. */
export interface ComputeNodeRecord {
  id: number;
  uuid: string;
  host: string;
  hypervisor_hostname: string;
  hypervisor_type: string;
  hypervisor_version: number;
  host_ip: string | null;
  vcpus: number;
  memory_mb: number;
  local_gb: number;
  /** Live instances on the node, and those of them with a task under way. */
  running_vms: number;
  current_workload: number;
  service: ServiceRecord;
  /** Only when asked for: the node's instances. */
  servers?: { name: string; uuid: string }[];
}

export interface ComputeNodeQuery {
  /** Also page after this node, if the cell has it: see `after` and `markerFound` in the answer. */
  marker?: { id: number } | { uuid: string };
  limit?: number;
  /** A substring of hypervisor_hostname (Nova's hypervisor search). */
  pattern?: string;
  id?: number;
  uuid?: string;
  withServers?: boolean;
  enabledOnly?: boolean;
}

export interface ComputeNodePage {
  /** The first nodes of the cell. */
  nodes: ComputeNodeRecord[];
  /** Whether the marker (if any) is a node of this cell, and the nodes after it. */
  markerFound: boolean;
  after: ComputeNodeRecord[];
}

interface NodeRow {
  marker_id: number | null;
  part?: 'after' | 'start';
  node_id: number | null;
  node_uuid: string;
  node_host: string;
  hypervisor_hostname: string;
  hypervisor_type: string;
  hypervisor_version: number;
  host_ip: string | null;
  vcpus: number;
  memory_mb: number;
  local_gb: number;
  running_vms: number | string;
  current_workload: number | string | null;
  servers?: string | { name: string; uuid: string }[] | null;
}

const escapeLike = (value: string): string => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Compute nodes that have a live compute service, ordered by id, with their instance counts: one
 * statement. With a marker it answers two pages at once, the cell's first nodes and those after
 * the marker if the cell has it (integer markers may be in several cells: the caller pages on
 * from the first, and the cells after it from their start).
 */
export async function listComputeNodes(db: CellDatabase, query: ComputeNodeQuery = {}): Promise<ComputeNodePage> {
  const where = ['cn.deleted = 0'];
  const values: unknown[] = [];
  if (query.pattern !== undefined) {
    where.push('cn.hypervisor_hostname LIKE ?');
    values.push(`%${escapeLike(query.pattern)}%`);
  }
  if (query.id !== undefined) {
    where.push('cn.id = ?');
    values.push(query.id);
  }
  if (query.uuid !== undefined) {
    where.push('cn.uuid = ?');
    values.push(query.uuid);
  }
  if (query.enabledOnly) where.push('s.disabled = 0');
  const servers = query.withServers
    ? `, (SELECT JSON_ARRAYAGG(JSON_OBJECT('name', i.display_name, 'uuid', i.uuid)) FROM instances i
          WHERE i.host = cn.host AND i.deleted = 0) AS servers`
    : '';
  const nodes = `SELECT cn.id AS node_id, cn.uuid AS node_uuid, cn.host AS node_host, cn.hypervisor_hostname, cn.hypervisor_type,
      cn.hypervisor_version, cn.host_ip, cn.vcpus, cn.memory_mb, cn.local_gb,
      (SELECT COUNT(*) FROM instances i WHERE i.host = cn.host AND i.node = cn.hypervisor_hostname AND i.deleted = 0) AS running_vms,
      (SELECT SUM(i.task_state IS NOT NULL) FROM instances i
        WHERE i.host = cn.host AND i.node = cn.hypervisor_hostname AND i.deleted = 0) AS current_workload${servers},
      ${serviceColumns}
    FROM compute_nodes cn JOIN services s ON s.host = cn.host AND s.\`binary\` = ? AND s.deleted = 0
    WHERE ${where.join(' AND ')}`;
  const limit = query.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(query.limit))}`;
  const start = `SELECT NULL AS marker_id, 'start' AS part, n.* FROM (${nodes}) n ORDER BY n.node_id${limit}`;
  if (query.marker === undefined) {
    const rows = await select<Row>(db, start, [COMPUTE_BINARY, ...values]);
    return { nodes: rows.map(toNode), markerFound: false, after: [] };
  }
  const byUuid = 'uuid' in query.marker;
  // The marker's row joined to the nodes after it: its presence shows even when nothing follows it.
  const after = `SELECT m.marker_id, 'after' AS part, n.*
    FROM (SELECT (SELECT id FROM compute_nodes WHERE ${byUuid ? 'uuid' : 'id'} = ? AND deleted = 0) AS marker_id) m
    LEFT JOIN (${nodes}) n ON n.node_id > m.marker_id ORDER BY n.node_id${limit === '' ? '' : ` LIMIT ${Math.max(1, Math.floor(query.limit ?? 1))}`}`;
  const rows = await select<Row>(db, `(${after}) UNION ALL (${start})`, [
    'uuid' in query.marker ? query.marker.uuid : query.marker.id, COMPUTE_BINARY, ...values, COMPUTE_BINARY, ...values,
  ]);
  // A union keeps no order of its own: each part is put back in id order.
  const part = (name: Row['part']) =>
    rows.filter((r) => r.part === name && r.node_id !== null && r.node_id !== undefined).map(toNode).sort((a, b) => a.id - b.id);
  return { nodes: part('start'), markerFound: rows.some((r) => r.part === 'after' && r.marker_id !== null), after: part('after') };
}

type Row = NodeRow & Parameters<typeof toServiceRecord>[0];

function toNode(row: Row): ComputeNodeRecord {
  const node: ComputeNodeRecord = {
    id: Number(row.node_id),
    uuid: row.node_uuid,
    host: row.node_host,
    hypervisor_hostname: row.hypervisor_hostname,
    hypervisor_type: row.hypervisor_type,
    hypervisor_version: Number(row.hypervisor_version),
    host_ip: row.host_ip,
    vcpus: Number(row.vcpus),
    memory_mb: Number(row.memory_mb),
    local_gb: Number(row.local_gb),
    running_vms: Number(row.running_vms),
    current_workload: Number(row.current_workload ?? 0),
    service: toServiceRecord(row),
  };
  if (row.servers !== undefined) {
    const servers = typeof row.servers === 'string' ? (JSON.parse(row.servers) as { name: string; uuid: string }[]) : row.servers;
    node.servers = servers ?? [];
  }
  return node;
}
