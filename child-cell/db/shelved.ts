import { execute, inList, select } from '../../ops/runtime-db/index.js';
import { TaskState, VmState } from '../instance/index.js';
import type { CellDatabase } from './database.js';

/** A SHELVED server whose offload is due, and the snapshot it was shelved to. */
export interface ShelvedDue {
  uuid: string;
  image: string;
}

/**
 * Finds the servers SHELVED (and idle) since before `cutoff` (an ISO time) and puts them in
 * shelving_offloading, locked meanwhile so an unshelve cannot slip between.
 */
export async function claimShelvedBefore(db: CellDatabase, cutoff: string): Promise<ShelvedDue[]> {
  return db.sequelize.transaction(async (transaction) => {
    const run = { sequelize: db.sequelize, transaction };
    const due = await select<ShelvedDue>(
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

/** Puts claimed servers back as they were (their offload could not be queued). */
export async function releaseShelvedClaims(db: CellDatabase, uuids: string[]): Promise<void> {
  if (uuids.length === 0) return;
  await execute(db, `UPDATE instances SET task_state = NULL WHERE task_state = ? AND uuid IN (${inList(uuids.length)})`, [TaskState.SHELVING_OFFLOADING, ...uuids]);
}
