import { execute, inList, select } from '../../ops/runtime-db/index.js';
import type { CellDatabase } from './database.js';

/** A services row as the admin APIs (os-services, os-hypervisors, os-availability-zone) read it. */
export interface ServiceRecord {
  id: number;
  uuid: string;
  host: string;
  binary: string;
  topic: string | null;
  disabled: boolean;
  disabled_reason: string | null;
  forced_down: boolean;
  /** When the service was last heard from or changed, whichever is later. */
  updated_at: Date | null;
  /** Seconds since the last heartbeat, measured by the database clock; null if never (or marked down). */
  seconds_since_seen: number | null;
}

interface ServiceRow extends Omit<ServiceRecord, 'disabled' | 'forced_down' | 'seconds_since_seen'> {
  disabled: number | boolean;
  forced_down: number | boolean;
  since_seen_us: number | string | null;
}

export const serviceColumns = `s.id, s.uuid, s.host, s.\`binary\`, s.topic, s.disabled, s.disabled_reason, s.forced_down,
  GREATEST(COALESCE(s.updated_at, s.last_seen_up), COALESCE(s.last_seen_up, s.updated_at)) AS updated_at,
  TIMESTAMPDIFF(MICROSECOND, s.last_seen_up, NOW(6)) AS since_seen_us`;

export function toServiceRecord(row: ServiceRow): ServiceRecord {
  return {
    id: Number(row.id),
    uuid: row.uuid,
    host: row.host,
    binary: row.binary,
    topic: row.topic,
    disabled: Boolean(row.disabled),
    disabled_reason: row.disabled_reason,
    forced_down: Boolean(row.forced_down),
    updated_at: row.updated_at,
    seconds_since_seen: row.since_seen_us === null ? null : Number(row.since_seen_us) / 1e6,
  };
}

export interface ServiceFilter {
  host?: string;
  binary?: string;
  id?: number;
  uuid?: string;
}

/** Live services of the cell, oldest first, optionally narrowed to a host, a binary, an id or a uuid. */
export async function listServiceRecords(db: CellDatabase, filter: ServiceFilter = {}): Promise<ServiceRecord[]> {
  const where = ['s.deleted = 0'];
  const values: unknown[] = [];
  const add = (clause: string, value: unknown) => {
    where.push(clause);
    values.push(value);
  };
  if (filter.host !== undefined) add('s.host = ?', filter.host);
  if (filter.binary !== undefined) add('s.`binary` = ?', filter.binary);
  if (filter.id !== undefined) add('s.id = ?', filter.id);
  if (filter.uuid !== undefined) add('s.uuid = ?', filter.uuid);
  const rows = await select<ServiceRow>(db, `SELECT ${serviceColumns} FROM services s WHERE ${where.join(' AND ')} ORDER BY s.id`, values);
  // MariaDB compares host names without regard to case; a service is found only by its exact name.
  return rows.map(toServiceRecord).filter((s) => filter.host === undefined || s.host === filter.host);
}

export interface ServiceChanges {
  disabled?: boolean;
  disabled_reason?: string | null;
  forced_down?: boolean;
}

/**
 * Changes a service's status; `updated_at` moves so that the scheduler's next incremental
 * refresh (which reads services changed since its last look) sees the change.
 */
export async function updateServiceRecord(db: CellDatabase, id: number, changes: ServiceChanges): Promise<ServiceRecord | undefined> {
  const sets: string[] = [];
  const values: unknown[] = [];
  for (const [column, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    sets.push(`${column} = ?`);
    values.push(value);
  }
  if (sets.length > 0) await execute(db, `UPDATE services SET ${sets.join(', ')}, updated_at = NOW(6) WHERE id = ? AND deleted = 0`, [...values, id]);
  return (await listServiceRecords(db, { id }))[0];
}

export interface HostWorkload {
  instances: number;
  /** Migrations to or from the host that are not finished. */
  migrations: number;
}

const finishedMigrations = ['confirmed', 'reverted', 'error', 'failed', 'completed', 'cancelled', 'done'];

/** What still runs on a host: live instances and unfinished migrations (one statement). */
export async function hostWorkload(db: CellDatabase, host: string): Promise<HostWorkload> {
  const rows = await select<{ instances: number; migrations: number }>(
    db,
    `SELECT (SELECT COUNT(*) FROM instances WHERE host = ? AND deleted = 0) AS instances,
       (SELECT COUNT(*) FROM migrations WHERE (source_compute = ? OR dest_compute = ?) AND deleted = 0
          AND status NOT IN (${inList(finishedMigrations.length)})) AS migrations`,
    [host, host, host, ...finishedMigrations],
  );
  return { instances: Number(rows[0]?.instances ?? 0), migrations: Number(rows[0]?.migrations ?? 0) };
}

/** Live instances on each of the given hosts (hosts without any are left out). */
export async function countInstancesByHost(db: CellDatabase, hosts: string[]): Promise<Map<string, number>> {
  if (hosts.length === 0) return new Map();
  const rows = await select<{ host: string; n: number }>(
    db,
    `SELECT host, COUNT(*) AS n FROM instances WHERE deleted = 0 AND host IN (${inList(hosts.length)}) GROUP BY host`,
    hosts,
  );
  return new Map(rows.map((r) => [r.host, Number(r.n)]));
}

/**
 * Soft-deletes a service, and with `withNodes` the compute nodes of its host, in one transaction
 * (Nova's service destroy); returns the uuids of the nodes, whose resource providers go too.
 */
export async function deleteServiceRecord(db: CellDatabase, service: Pick<ServiceRecord, 'id' | 'host'>, withNodes: boolean): Promise<string[]> {
  return db.sequelize.transaction(async (transaction) => {
    const run = { sequelize: db.sequelize, transaction };
    const nodes = withNodes
      ? await select<{ id: number; uuid: string }>(
          run,
          'SELECT id, uuid FROM compute_nodes WHERE host = ? AND BINARY host = ? AND deleted = 0 FOR UPDATE',
          [service.host, service.host],
        )
      : [];
    if (nodes.length > 0) {
      await execute(run, `UPDATE compute_nodes SET deleted = id, deleted_at = NOW(6), updated_at = NOW(6) WHERE id IN (${inList(nodes.length)})`, nodes.map((n) => n.id));
    }
    await execute(run, 'UPDATE services SET deleted = id, deleted_at = NOW(6), updated_at = NOW(6) WHERE id = ? AND deleted = 0', [service.id]);
    return nodes.map((n) => n.uuid);
  });
}

/** A host's compute service as host_status reads it (Nova's UP, MAINTENANCE, DOWN, UNKNOWN). */
export interface ServiceState {
  host: string;
  disabled: number;
  forced_down: number;
  last_seen_up: Date | null;
}

/** The live services of `binary` on these hosts (at least one), in one query. */
export function serviceStates(db: CellDatabase, binary: string, hosts: string[]): Promise<ServiceState[]> {
  return select<ServiceState>(
    db,
    `SELECT host, disabled, forced_down, last_seen_up FROM services WHERE \`binary\` = ? AND deleted = 0 AND host IN (${inList(hosts.length)})`,
    [binary, ...hosts],
  );
}
