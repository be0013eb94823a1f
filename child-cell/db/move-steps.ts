import { retryDeadlocks, type Runner } from '../../ops/runtime-db/index.js';
import { TaskState, VmState, type FlavorSnapshot } from '../instance/index.js';
import type { CellDatabase } from './database.js';
import { updateInstance } from './instances.js';
import { createMigration, setMigrationStatus, setSystemMetadata } from './migration-records.js';

/** The steps of a move the API takes in a cell, each one transaction: a column change is made here only. */

export interface MoveStart {
  migrationUuid: string;
  kind: string;
  startTask: string;
  startStatus: string;
  newFlavor: FlavorSnapshot;
}

type MovingInstance = { uuid: string; vm_state: string; host: string | null; node: string | null; flavor: FlavorSnapshot };

const inTx = <T>(db: CellDatabase, work: (run: Runner) => Promise<T>): Promise<T> =>
  retryDeadlocks(() => db.sequelize.transaction((transaction) => work({ sequelize: db.sequelize, transaction })));

/** A move begins: its task state (only from no task), a migration record, and the old flavor kept for a revert. */
export async function beginMove(db: CellDatabase, i: MovingInstance, move: MoveStart): Promise<void> {
  await inTx(db, async (run) => {
    await updateInstance(db, i.uuid, { task_state: move.startTask }, { vm_state: [i.vm_state], task_state: [null] }, run.transaction);
    await createMigration(run, {
      uuid: move.migrationUuid,
      instance_uuid: i.uuid,
      migration_type: move.kind,
      status: move.startStatus,
      source_compute: i.host,
      source_node: i.node,
      old_instance_type_id: i.flavor.id,
      new_instance_type_id: move.newFlavor.id,
    });
    await setSystemMetadata(run, i.uuid, { old_flavor: JSON.stringify(i.flavor) });
  });
}

/** A resize is confirmed: the migration confirmed (false when it no longer waits) and the instance out of RESIZED. */
export async function confirmMove(db: CellDatabase, uuid: string, migrationUuid: string, vmState: string): Promise<boolean> {
  return inTx(db, async (run) => {
    if (!(await setMigrationStatus(run, migrationUuid, 'confirmed', ['finished']))) return false;
    await updateInstance(db, uuid, { vm_state: vmState, task_state: null }, { vm_state: [VmState.RESIZED] }, run.transaction);
    await setSystemMetadata(run, uuid, { old_flavor: null });
    return true;
  });
}

/** A resize revert begins: the migration reverting (false when it cannot be) and the instance's task. */
export async function beginRevert(db: CellDatabase, uuid: string, migrationUuid: string): Promise<boolean> {
  return inTx(db, async (run) => {
    if (!(await setMigrationStatus(run, migrationUuid, 'reverting', ['finished']))) return false;
    await updateInstance(db, uuid, { task_state: TaskState.RESIZE_REVERTING }, { vm_state: [VmState.RESIZED], task_state: [null] }, run.transaction);
    return true;
  });
}
