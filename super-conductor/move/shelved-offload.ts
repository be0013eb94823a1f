import { randomUUID } from 'node:crypto';
import { isCell0, type CellRegistry } from '../../api-cell/cells/index.js';
import type { CellDatabase } from '../../child-cell/db/index.js';
import { TaskState, VmState } from '../../child-cell/instance/index.js';
import { errorMessage, type Logger } from '../../ops/runtime/index.js';
import { execute, inList, select } from '../../ops/runtime-db/index.js';
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
 * seconds are offloaded (their guest, allocation and host go). Two statements per cell and one
 * queue write for all; a cell that does not answer is skipped until the next round. Returns how
 * many were queued.
 */
export async function offloadShelved(deps: ShelvedOffloadDeps, offloadAfterSeconds: number): Promise<number> {
  const cutoff = new Date(Date.now() - offloadAfterSeconds * 1000).toISOString();
  let queued = 0;
  for (const cell of (await deps.registry.list()).filter((c) => !isCell0(c))) {
    try {
      const due = await deps.registry.withCell(cell, ({ db }) => claimDue(db, cutoff));
      const jobs = due.map(({ uuid, image }) => ({ instance_uuid: uuid, cell_uuid: cell.uuid, image_uuid: image, offload: true, request_id: `req-${randomUUID()}` }));
      await deps.moves.enqueueShelves(jobs).catch(async (err: unknown) => {
        // Not queued: put them back as they were, for the next round.
        const uuids = due.map((d) => d.uuid);
        if (uuids.length > 0) await deps.registry.withCell(cell, ({ db }) => execute(db, `UPDATE instances SET task_state = NULL WHERE task_state = ? AND uuid IN (${inList(uuids.length)})`, [TaskState.SHELVING_OFFLOADING, ...uuids]));
        throw err;
      });
      queued += due.length;
    } catch (err) {
      deps.log.warn({ cell: cell.name, err: errorMessage(err) }, 'shelved servers of this cell not checked for offloading');
    }
  }
  if (queued > 0) deps.log.info({ queued }, 'shelved servers past shelved_offload_time queued for offloading');
  return queued;
}

/** Finds the servers due and puts them in shelving_offloading, locked meanwhile so an unshelve cannot slip between. */
async function claimDue(db: CellDatabase, cutoff: string): Promise<Due[]> {
  return db.sequelize.transaction(async (transaction) => {
    const run = { sequelize: db.sequelize, transaction };
    const due = await select<Due>(
      run,
      `SELECT i.uuid, img.value AS image FROM instances i
         JOIN instance_system_metadata at ON at.instance_uuid = i.uuid AND at.\`key\` = 'shelved_at' AND at.deleted = 0
         JOIN instance_system_metadata img ON img.instance_uuid = i.uuid AND img.\`key\` = 'shelved_image_id' AND img.deleted = 0
        WHERE i.vm_state = ? AND i.task_state IS NULL AND i.deleted = 0 AND at.value < ? FOR UPDATE`,
      [VmState.SHELVED, cutoff],
    );
    if (due.length > 0) {
      await execute(run, `UPDATE instances SET task_state = ?, updated_at = NOW(6) WHERE uuid IN (${inList(due.length)})`, [TaskState.SHELVING_OFFLOADING, ...due.map((d) => d.uuid)]);
    }
    return due;
  });
}
