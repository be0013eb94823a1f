import { retryDeadlocks, type Runner } from '../../ops/runtime-db/index.js';
import { moveStartTasks, PowerState, SHELVE_TASKS, TaskState, VmState, type FlavorSnapshot, type MoveSteps } from '../instance/index.js';
import type { CellDatabase } from './database.js';
import { addFaults, recordActionEvent, updateInstance, type StateExpectation } from './instances.js';
import { createMigration, setMigrationStatus, setSystemMetadata } from './migration-records.js';

/** The steps of moves, shelves and failed tasks that the API and the super-conductor take in a cell, each one transaction. */

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

/** The destination a scheduler chose: the migration running towards it and the instance moving. */
export async function destinationChosen(db: CellDatabase, uuid: string, migrationUuid: string, steps: MoveSteps, dest: { host: string; node: string }): Promise<void> {
  await inTx(db, async (run) => {
    await setMigrationStatus(run, migrationUuid, steps.runningStatus, [steps.startStatus], dest);
    await updateInstance(db, uuid, { task_state: steps.movingTask }, { task_state: moveStartTasks }, run.transaction);
  });
}

/** The chosen destination is gone: migration and instance back to their start (false when already moved on). */
export async function destinationUndone(db: CellDatabase, uuid: string, migrationUuid: string, steps: MoveSteps): Promise<boolean> {
  return inTx(db, async (run) => {
    if (!(await setMigrationStatus(run, migrationUuid, steps.startStatus, [steps.runningStatus]))) return false;
    await updateInstance(db, uuid, { task_state: steps.startTask }, { task_state: [steps.movingTask] }, run.transaction);
    return true;
  });
}

/** A step that failed for good: the instance's new state, a fault saying why and the action's Error event, together. */
export interface StepFailure {
  updates: Record<string, unknown>;
  expected?: StateExpectation;
  fault: { code: number; message: string; details: string };
  event?: { request_id: string; action: string; event: string };
  /** A migration that ends with it. */
  migration?: { uuid: string; status: string; from: string[] };
}

export async function stepFailed(db: CellDatabase, uuid: string, failure: StepFailure): Promise<void> {
  await inTx(db, async (run) => {
    if (failure.migration) await setMigrationStatus(run, failure.migration.uuid, failure.migration.status, failure.migration.from);
    await updateInstance(db, uuid, failure.updates, failure.expected ?? {}, run.transaction);
    await addFaults(db, [{ instance_uuid: uuid, ...failure.fault }], run.transaction);
    if (failure.event) {
      await recordActionEvent(db, { instance_uuid: uuid, ...failure.event, host: '', result: 'Error', details: failure.fault.details }, run.transaction);
    }
  });
}

/** A guest is shelved: SHELVED (offloading next when asked), and where its image is kept, once. */
export async function markShelved(db: CellDatabase, uuid: string, shelf: { imageUuid: string; host: string | null; offload: boolean; firstTime: boolean }): Promise<void> {
  await inTx(db, async (run) => {
    const updates = { vm_state: VmState.SHELVED, power_state: PowerState.SHUTDOWN, task_state: shelf.offload ? TaskState.SHELVING_OFFLOADING : null };
    await updateInstance(db, uuid, updates, { task_state: SHELVE_TASKS }, run.transaction);
    if (shelf.firstTime) await setSystemMetadata(run, uuid, { shelved_image_id: shelf.imageUuid, shelved_at: new Date().toISOString(), shelved_host: shelf.host ?? '' });
  });
}
