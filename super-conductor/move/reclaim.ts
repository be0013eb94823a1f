import { deleteServer, type DeleteDeps } from '../../api-cell/compute/index.js';
import { isCell0 } from '../../api-cell/cells/index.js';
import { softDeletedBefore } from '../../child-cell/db/index.js';
import { errorMessage } from '../../ops/runtime/index.js';

/**
 * Nova's _reclaim_queued_deletes: servers SOFT_DELETED longer than reclaim_instance_interval
 * seconds are deleted for good (guest, quota, allocation). A cell or a server that fails is left
 * for the next round. Returns how many were deleted.
 */
export async function reclaimSoftDeleted(deps: DeleteDeps, afterSeconds: number): Promise<number> {
  const cutoff = new Date(Date.now() - afterSeconds * 1000);
  const requestId = `req-reclaim-${Date.now()}`;
  const admin = { requestId, userId: '', projectId: '', roles: ['admin'], isAdmin: true };
  let reclaimed = 0;
  for (const cell of (await deps.registry.list()).filter((c) => !isCell0(c))) {
    let due: string[];
    try {
      due = await deps.registry.withCell(cell, ({ db }) => softDeletedBefore(db, cutoff));
    } catch (err) {
      deps.log.warn({ cell: cell.name, err: errorMessage(err) }, 'soft-deleted servers of this cell not checked for reclaiming');
      continue;
    }
    for (const uuid of due) {
      try {
        await deleteServer(deps, admin, uuid);
        reclaimed += 1;
      } catch (err) {
        deps.log.warn({ instance: uuid, err: errorMessage(err) }, 'soft-deleted server not reclaimed; tried again next round');
      }
    }
  }
  if (reclaimed > 0) deps.log.info({ reclaimed }, 'soft-deleted servers past reclaim_instance_interval deleted');
  return reclaimed;
}
