import { execute, inList, placeholders, retryDeadlocks, type Runner } from '../../ops/runtime-db/index.js';
import type { CellDatabase } from './database.js';

// What the API changes on an instance by itself, with no host involved: its fields (PUT
// /servers), its metadata and its tags.

/** The columns PUT /servers may change. */
const editable = new Set(['display_name', 'display_description', 'hostname', 'access_ip_v4', 'access_ip_v6', 'auto_disk_config']);

/** Writes `values` (column -> value) to a live instance; a deleted or unknown one is left alone. */
export async function editInstance(db: CellDatabase, uuid: string, values: Record<string, unknown>): Promise<void> {
  const keys = Object.keys(values).filter((k) => editable.has(k));
  if (keys.length === 0) return;
  await execute(db, `UPDATE instances SET ${keys.map((k) => `${k} = ?`).join(', ')}, updated_at = NOW(6) WHERE uuid = ? AND deleted = 0`, [...keys.map((k) => values[k]), uuid]);
}

/** Makes `items` the instance's metadata: live keys not in it are soft-deleted (keeping their history), the others written. */
export async function setInstanceMetadata(db: CellDatabase, uuid: string, items: Record<string, string>): Promise<void> {
  await retryDeadlocks(() =>
    db.sequelize.transaction(async (transaction) => {
      const run: Runner = { sequelize: db.sequelize, transaction };
      const keys = Object.keys(items);
      await execute(
        run,
        `UPDATE instance_metadata SET deleted = id, deleted_at = NOW(6) WHERE instance_uuid = ? AND deleted = 0${keys.length > 0 ? ` AND \`key\` NOT IN (${inList(keys.length)})` : ''}`,
        [uuid, ...keys],
      );
      if (keys.length === 0) return;
      await execute(
        run,
        `INSERT INTO instance_metadata (instance_uuid, \`key\`, value) VALUES ${placeholders(keys.length, 3)}
         ON DUPLICATE KEY UPDATE value = VALUES(value), updated_at = NOW(6)`,
        keys.flatMap((k) => [uuid, k, items[k]]),
      );
    }),
  );
}

/** Rebuild's metadata: every live key is soft-deleted, then `items` written as new rows. */
export async function replaceInstanceMetadata(db: CellDatabase, uuid: string, items: Record<string, string>): Promise<void> {
  const keys = Object.keys(items);
  await execute(db, 'UPDATE instance_metadata SET deleted = id, deleted_at = NOW(6) WHERE instance_uuid = ? AND deleted = 0', [uuid]);
  if (keys.length > 0) {
    await execute(db, `INSERT INTO instance_metadata (instance_uuid, \`key\`, value) VALUES ${placeholders(keys.length, 3)}`, keys.flatMap((k) => [uuid, k, items[k]]));
  }
}

export async function deleteInstanceMetadataKey(db: CellDatabase, uuid: string, key: string): Promise<void> {
  await execute(db, 'UPDATE instance_metadata SET deleted = id, deleted_at = NOW(6) WHERE instance_uuid = ? AND `key` = ? AND deleted = 0', [uuid, key]);
}

/** Makes `tags` (no duplicates) the instance's tags, in one transaction. */
export async function setInstanceTags(db: CellDatabase, uuid: string, tags: string[]): Promise<void> {
  await db.sequelize.transaction(async (transaction) => {
    const run: Runner = { sequelize: db.sequelize, transaction };
    await execute(run, 'DELETE FROM tags WHERE resource_id = ?', [uuid]);
    if (tags.length > 0) await execute(run, `INSERT INTO tags (resource_id, tag) VALUES ${placeholders(tags.length, 2)}`, tags.flatMap((t) => [uuid, t]));
  });
}

export async function addInstanceTag(db: CellDatabase, uuid: string, tag: string): Promise<void> {
  await execute(db, 'INSERT IGNORE INTO tags (resource_id, tag) VALUES (?, ?)', [uuid, tag]);
}

export async function removeInstanceTag(db: CellDatabase, uuid: string, tag: string): Promise<void> {
  await execute(db, 'DELETE FROM tags WHERE resource_id = ? AND tag = ?', [uuid, tag]);
}
