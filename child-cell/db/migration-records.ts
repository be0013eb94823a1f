import { execute, inList, placeholders, select, type Runner } from '../../ops/runtime-db/index.js';
import type { CellDatabase } from './database.js';

/** A move of an instance between hosts (Nova's migrations table). */
export interface MigrationRecord {
  id: number;
  uuid: string;
  instance_uuid: string;
  migration_type: string;
  status: string;
  source_compute: string | null;
  source_node: string | null;
  dest_compute: string | null;
  dest_node: string | null;
  old_instance_type_id: number | null;
  new_instance_type_id: number | null;
  created_at: Date;
  updated_at: Date | null;
}

const columns = `id, uuid, instance_uuid, migration_type, status, source_compute, source_node, dest_compute, dest_node,
  old_instance_type_id, new_instance_type_id, created_at, updated_at`;

export async function createMigration(run: Runner, m: Omit<MigrationRecord, 'id' | 'created_at' | 'updated_at' | 'dest_compute' | 'dest_node'>): Promise<void> {
  await execute(
    run,
    `INSERT IGNORE INTO migrations (uuid, instance_uuid, migration_type, status, source_compute, source_node, old_instance_type_id, new_instance_type_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    [m.uuid, m.instance_uuid, m.migration_type, m.status, m.source_compute, m.source_node, m.old_instance_type_id, m.new_instance_type_id],
  );
}

export async function getMigration(db: CellDatabase, uuid: string): Promise<MigrationRecord | undefined> {
  return (await select<MigrationRecord>(db, `SELECT ${columns} FROM migrations WHERE uuid = ? AND deleted = 0`, [uuid]))[0];
}

/** The newest migration of an instance in one of `statuses`. */
export async function latestMigration(db: CellDatabase, instanceUuid: string, statuses: string[]): Promise<MigrationRecord | undefined> {
  return (
    await select<MigrationRecord>(
      db,
      `SELECT ${columns} FROM migrations WHERE instance_uuid = ? AND deleted = 0 AND status IN (${inList(statuses.length)}) ORDER BY id DESC LIMIT 1`,
      [instanceUuid, ...statuses],
    )
  )[0];
}

/** Moves a migration to a new status (and destination), only from the statuses given. */
export async function setMigrationStatus(run: Runner, uuid: string, status: string, from: string[], dest?: { host: string; node: string }): Promise<boolean> {
  const sets = ['status = ?', 'updated_at = NOW(6)'];
  const params: unknown[] = [status];
  if (dest) {
    sets.push('dest_compute = ?', 'dest_node = ?');
    params.push(dest.host, dest.node);
  }
  return (await execute(run, `UPDATE migrations SET ${sets.join(', ')} WHERE uuid = ? AND status IN (${inList(from.length)})`, [...params, uuid, ...from])) > 0;
}

export interface MigrationFilter {
  host?: string | undefined;
  status?: string | undefined;
  migrationType?: string | undefined;
  instanceUuid?: string | undefined;
  changesSince?: Date | undefined;
  changesBefore?: Date | undefined;
  limit: number;
}

/** Migrations for os-migrations, newest first. */
export async function listMigrations(db: CellDatabase, f: MigrationFilter): Promise<MigrationRecord[]> {
  const where = ['deleted = 0'];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]): void => {
    where.push(sql);
    params.push(...values);
  };
  if (f.host !== undefined) add('(source_compute = ? OR dest_compute = ?)', f.host, f.host);
  if (f.status !== undefined) add('status = ?', f.status);
  if (f.migrationType !== undefined) add('migration_type = ?', f.migrationType);
  if (f.instanceUuid !== undefined) add('instance_uuid = ?', f.instanceUuid);
  if (f.changesSince) add('COALESCE(updated_at, created_at) >= ?', f.changesSince);
  if (f.changesBefore) add('COALESCE(updated_at, created_at) <= ?', f.changesBefore);
  return select<MigrationRecord>(db, `SELECT ${columns} FROM migrations WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ?`, [...params, f.limit]);
}

/**
 * Keeps values beside an instance (Nova's system metadata: the flavor before a resize, where a
 * shelved server's image is, ...); a null value removes its key. One statement for the values
 * set and one for the keys removed, however many there are.
 */
export async function setSystemMetadata(run: Runner, uuid: string, values: Record<string, string | null>): Promise<void> {
  const entries = Object.entries(values);
  const removed = entries.filter(([, v]) => v === null).map(([k]) => k);
  const kept = entries.filter((e): e is [string, string] => e[1] !== null);
  if (removed.length > 0) {
    await execute(run, `UPDATE instance_system_metadata SET deleted = id, deleted_at = NOW(6) WHERE instance_uuid = ? AND \`key\` IN (${inList(removed.length)}) AND deleted = 0`, [uuid, ...removed]);
  }
  if (kept.length > 0) {
    await execute(
      run,
      `INSERT INTO instance_system_metadata (instance_uuid, \`key\`, value) VALUES ${placeholders(kept.length, 3)} ON DUPLICATE KEY UPDATE value = VALUES(value), updated_at = NOW(6)`,
      kept.flatMap(([k, v]) => [uuid, k, v]),
    );
  }
}

export async function getSystemMetadata(db: CellDatabase, uuid: string, key: string): Promise<string | undefined> {
  return (await select<{ value: string }>(db, 'SELECT value FROM instance_system_metadata WHERE instance_uuid = ? AND `key` = ? AND deleted = 0', [uuid, key]))[0]?.value;
}
