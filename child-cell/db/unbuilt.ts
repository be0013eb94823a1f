import { execute, inList, select } from '../../ops/runtime-db/index.js';
import { TaskState, VmState, type BuildSubject, type FlavorSnapshot } from '../instance/index.js';
import type { CellDatabase } from './database.js';
import { getInstancesDetailed, type InstanceDetail } from './instances.js';

/** A build that stopped moving: still BUILDING, its row untouched since before the cutoff. */
export interface StalledBuild extends BuildSubject {
  host: string | null;
  node: string | null;
  task_state: string | null;
  /** The request that created it, so events of a cast again land on the same create action. */
  request_id: string | null;
  created_at: Date;
}

/**
 * Builds in this cell that have not moved since `before` (one indexed read of the BUILDING rows).
 * A row never updated since the super-conductor wrote it has no updated_at: its scheduled_at counts.
 * task_state null marks a build being handed back to the queue (see holdUnbuilt).
 */
export async function stalledBuilds(db: CellDatabase, before: Date, limit = 1000): Promise<StalledBuild[]> {
  const rows = await select<Omit<StalledBuild, 'flavor'> & { flavor: string }>(
    db,
    `SELECT uuid, host, node, task_state, project_id, user_id, display_name, image_ref, flavor, created_at,
        (SELECT a.request_id FROM instance_actions a WHERE a.instance_uuid = i.uuid AND a.action = 'create' ORDER BY a.id LIMIT 1) AS request_id
       FROM instances i WHERE vm_state = ? AND deleted = 0 AND COALESCE(updated_at, scheduled_at, created_at) < ?
       ORDER BY COALESCE(updated_at, scheduled_at, created_at) LIMIT ?`,
    [VmState.BUILDING, before, limit],
  );
  return rows.map((r) => ({ ...r, flavor: JSON.parse(r.flavor) as FlavorSnapshot }));
}

/**
 * Takes builds no host has started out of the hosts' hands: BUILDING rows in one of `tasks` get
 * task_state null, so a host that still receives the old cast finds the build gone from under it.
 * Returns the uuids that were held (and those held already).
 */
export async function holdUnbuilt(db: CellDatabase, uuids: string[], tasks: string[] = [TaskState.SCHEDULING]): Promise<string[]> {
  if (uuids.length === 0) return [];
  if (tasks.length > 0) await execute(
    db,
    `UPDATE instances SET task_state = NULL, updated_at = NOW(6)
      WHERE deleted = 0 AND vm_state = ? AND task_state IN (${inList(tasks.length)}) AND uuid IN (${inList(uuids.length)})`,
    [VmState.BUILDING, ...tasks, ...uuids],
  );
  const held = await select<{ uuid: string }>(
    db,
    `SELECT uuid FROM instances WHERE deleted = 0 AND vm_state = ? AND task_state IS NULL AND uuid IN (${inList(uuids.length)})`,
    [VmState.BUILDING, ...uuids],
  );
  return held.map((h) => h.uuid);
}

/** Held builds with everything the API accepted for them (metadata, tags, key data), to queue them again. */
export async function heldBuilds(db: CellDatabase, uuids: string[]): Promise<(InstanceDetail & { key_data: string | null })[]> {
  const held = await holdUnbuilt(db, uuids, []);
  const rows = (await getInstancesDetailed(db, held)).filter((r) => r.deleted === 0);
  if (rows.length === 0) return [];
  const keys = await select<{ uuid: string; key_data: string | null }>(
    db,
    `SELECT uuid, key_data FROM instances WHERE uuid IN (${inList(rows.length)})`,
    rows.map((r) => r.uuid),
  );
  const keyOf = new Map(keys.map((k) => [k.uuid, k.key_data]));
  return rows.map((r) => ({ ...r, key_data: keyOf.get(r.uuid) ?? null }));
}

/**
 * Removes held builds from this cell, with their metadata, tags, faults and actions: the build
 * request in the API database is their truth again. Only held (BUILDING, no task) rows go.
 */
export async function removeHeldBuilds(db: CellDatabase, uuids: string[]): Promise<string[]> {
  if (uuids.length === 0) return [];
  return db.sequelize.transaction(async (transaction) => {
    const run = { sequelize: db.sequelize, transaction };
    const rows = await select<{ uuid: string }>(
      run,
      `SELECT uuid FROM instances WHERE deleted = 0 AND vm_state = ? AND task_state IS NULL AND uuid IN (${inList(uuids.length)}) FOR UPDATE`,
      [VmState.BUILDING, ...uuids],
    );
    const gone = rows.map((r) => r.uuid);
    if (gone.length === 0) return [];
    const list = inList(gone.length);
    await execute(run, `DELETE e FROM instance_actions_events e JOIN instance_actions a ON a.id = e.action_id WHERE a.instance_uuid IN (${list})`, gone);
    for (const [table, column] of [
      ['instance_actions', 'instance_uuid'],
      ['instance_faults', 'instance_uuid'],
      ['instance_metadata', 'instance_uuid'],
      ['instance_system_metadata', 'instance_uuid'],
      ['tags', 'resource_id'],
      ['instances', 'uuid'],
    ] as const) {
      await execute(run, `DELETE FROM ${table} WHERE ${column} IN (${list})`, gone);
    }
    return gone;
  });
}

/** A delete that stopped moving: its row still in task deleting since before the cutoff. */
export interface StalledDelete {
  uuid: string;
  host: string | null;
  project_id: string;
  flavor: FlavorSnapshot;
  /** The request of its delete action, so the events of finishing it land there. */
  request_id: string | null;
}

/** Deletes in this cell cut short (the API died, the host never answered); the states index serves it, one range per state. */
export async function stalledDeletes(db: CellDatabase, before: Date, limit = 1000): Promise<StalledDelete[]> {
  const states = Object.values(VmState).filter((s) => s !== VmState.DELETED);
  const rows = await select<Omit<StalledDelete, 'flavor'> & { flavor: string }>(
    db,
    `SELECT uuid, host, project_id, flavor,
        (SELECT a.request_id FROM instance_actions a WHERE a.instance_uuid = i.uuid AND a.action = 'delete' ORDER BY a.id DESC LIMIT 1) AS request_id
       FROM instances i WHERE vm_state IN (${inList(states.length)}) AND task_state = ? AND deleted = 0
        AND COALESCE(updated_at, scheduled_at, created_at) < ? LIMIT ?`,
    [...states, TaskState.DELETING, before, limit],
  );
  return rows.map((r) => ({ ...r, flavor: JSON.parse(r.flavor) as FlavorSnapshot }));
}
