import { randomUUID } from 'node:crypto';
import { isCell0, type CellRegistry } from '../../api-cell/cells/index.js';
import { updateInstance, UnexpectedStateError } from '../../child-cell/db/index.js';
import { TaskState, VmState } from '../../child-cell/instance/index.js';
import { errorMessage, select, type Logger } from '../../ops/runtime/index.js';
import type { MoveQueue } from '../queue/index.js';

export interface ShelvedOffloadDeps {
  registry: CellRegistry;
  moves: MoveQueue;
  log: Logger;
}

interface Due {
  uuid: string;
  image: string;
}

/**
 * Nova's _poll_shelved_instances: servers SHELVED longer than compute.shelved_offload_time
 * seconds are offloaded (their guest, allocation and host go). One statement per cell; a cell
 * that does not answer is skipped until the next round. Returns how many were queued.
 */
export async function offloadShelved(deps: ShelvedOffloadDeps, offloadAfterSeconds: number): Promise<number> {
  const cutoff = new Date(Date.now() - offloadAfterSeconds * 1000).toISOString();
  let queued = 0;
  for (const cell of (await deps.registry.list()).filter((c) => !isCell0(c))) {
    try {
      queued += await deps.registry.withCell(cell, async ({ db }) => {
        const due = await select<Due>(
          db,
          `SELECT i.uuid, img.value AS image FROM instances i
             JOIN instance_system_metadata at ON at.instance_uuid = i.uuid AND at.\`key\` = 'shelved_at' AND at.deleted = 0
             JOIN instance_system_metadata img ON img.instance_uuid = i.uuid AND img.\`key\` = 'shelved_image_id' AND img.deleted = 0
            WHERE i.vm_state = ? AND i.task_state IS NULL AND i.deleted = 0 AND at.value < ?`,
          [VmState.SHELVED, cutoff],
        );
        let n = 0;
        for (const { uuid, image } of due) {
          try {
            await updateInstance(db, uuid, { task_state: TaskState.SHELVING_OFFLOADING }, { vm_state: [VmState.SHELVED], task_state: [null] });
          } catch (err) {
            if (err instanceof UnexpectedStateError) continue; // Unshelved or deleted meanwhile.
            throw err;
          }
          await deps.moves.enqueueShelve({ instance_uuid: uuid, cell_uuid: cell.uuid, image_uuid: image, offload: true, request_id: `req-${randomUUID()}` });
          n += 1;
        }
        return n;
      });
    } catch (err) {
      deps.log.warn({ cell: cell.name, err: errorMessage(err) }, 'shelved servers of this cell not checked for offloading');
    }
  }
  if (queued > 0) deps.log.info({ queued }, 'shelved servers past shelved_offload_time queued for offloading');
  return queued;
}
