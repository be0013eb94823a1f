import { select } from '../../ops/runtime-db/index.js';
import type { CellDatabase } from './database.js';

/** Servers SOFT_DELETED and left alone since before `cutoff`: due for the reclaim (Nova's _reclaim_queued_deletes). */
export async function softDeletedBefore(db: CellDatabase, cutoff: Date): Promise<string[]> {
  const rows = await select<{ uuid: string }>(
    db,
    "SELECT uuid FROM instances WHERE vm_state = 'soft-delete' AND task_state IS NULL AND deleted = 0 AND updated_at < ? ORDER BY id",
    [cutoff],
  );
  return rows.map((r) => r.uuid);
}
