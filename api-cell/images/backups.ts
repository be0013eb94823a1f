import { execute, inList, select } from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';

/**
 * createBackup's rotation (Nova's _rotate_backups): of one server's backups of one kind, the
 * newest `keep` stay and the others are deleted. Returns the ids it deleted; running it again
 * deletes nothing more.
 */
export async function rotateBackups(api: ApiDatabase, instanceUuid: string, backupType: string, keep: number): Promise<string[]> {
  const rows = await select<{ uuid: string }>(
    api,
    `SELECT uuid FROM images WHERE deleted = 0 AND JSON_VALUE(properties, '$.image_type') = 'backup'
       AND JSON_VALUE(properties, '$.instance_uuid') = ? AND JSON_VALUE(properties, '$.backup_type') = ?
     ORDER BY created_at DESC, id DESC`,
    [instanceUuid, backupType],
  );
  const excess = rows.slice(keep).map((r) => r.uuid);
  if (excess.length === 0) return [];
  const list = inList(excess.length);
  await execute(api, `UPDATE images SET deleted = id, deleted_at = NOW(6), status = 'deleted' WHERE uuid IN (${list}) AND deleted = 0`, excess);
  await execute(api, `DELETE FROM image_data WHERE image_uuid IN (${list})`, excess);
  return excess;
}
