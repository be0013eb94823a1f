import type { Transaction } from 'sequelize';
import { ConflictError } from '../../ops/runtime/index.js';
import { execute, fastSelect, inList, placeholders, retryDeadlocks, select, type Runner } from '../../ops/runtime-db/index.js';
import type { FlavorSnapshot, InstanceFault, InstanceRecord, NewInstance } from '../instance/index.js';
import type { CellDatabase } from './database.js';

const run = (db: CellDatabase, transaction?: Transaction): Runner => ({ sequelize: db.sequelize, transaction });

interface InstanceRow extends Omit<InstanceRecord, 'flavor' | 'locked' | 'auto_disk_config'> {
  flavor: string;
  locked: number | boolean;
  auto_disk_config: number | boolean;
}

const columns = `id, uuid, project_id, user_id, display_name, display_description, hostname, host, node,
  availability_zone, vm_state, task_state, power_state, flavor, image_ref, key_name, reservation_id, launch_index,
  locked, locked_by, locked_reason, progress, access_ip_v4, access_ip_v6, config_drive, user_data, launched_at,
  terminated_at, created_at, updated_at, deleted_at, deleted, pinned_availability_zone, auto_disk_config`;

function toRecord(row: InstanceRow): InstanceRecord {
  return { ...row, flavor: JSON.parse(row.flavor) as FlavorSnapshot, locked: Boolean(row.locked), auto_disk_config: Boolean(row.auto_disk_config) };
}

export interface CreateAction {
  request_id: string;
  user_id: string;
  project_id: string;
}

const insertColumns = [
  'uuid', 'project_id', 'user_id', 'display_name', 'display_description', 'hostname', 'host', 'node', 'launched_on',
  'availability_zone', 'vm_state', 'task_state', 'power_state', 'instance_type_id', 'flavor', 'vcpus', 'memory_mb',
  'root_gb', 'ephemeral_gb', 'image_ref', 'key_name', 'key_data', 'user_data', 'config_drive', 'access_ip_v4',
  'access_ip_v6', 'reservation_id', 'launch_index', 'scheduled_at', 'created_at', 'pinned_availability_zone', 'auto_disk_config',
];

function insertValues(i: NewInstance): unknown[] {
  const f = i.flavor;
  return [
    i.uuid, i.project_id, i.user_id, i.display_name, i.display_description, i.hostname, i.host, i.node, i.host,
    i.availability_zone, i.vm_state, i.task_state, 0, f.id, JSON.stringify(f), f.vcpus, f.memory_mb,
    f.root_gb, f.ephemeral_gb, i.image_ref, i.key_name, i.key_data, i.user_data, i.config_drive, i.access_ip_v4,
    i.access_ip_v6, i.reservation_id, i.launch_index, i.host ? new Date() : null, i.created_at, i.pinned_availability_zone, i.auto_disk_config,
  ];
}

/**
 * Creates instances with their metadata, tags and `create` action (actions[n] for instances[n])
 * in one transaction.
 * Idempotent: an instance whose uuid exists already is left as it is.
 */
export async function createInstances(db: CellDatabase, instances: NewInstance[], actions: CreateAction[]): Promise<void> {
  if (instances.length === 0) return;
  // Every statement is an INSERT IGNORE: a deadlock victim can simply run again.
  await retryDeadlocks(() => db.sequelize.transaction(async (transaction) => {
    const r = run(db, transaction);
    await execute(
      r,
      `INSERT IGNORE INTO instances (${insertColumns.map((c) => `\`${c}\``).join(', ')})
       VALUES ${placeholders(instances.length, insertColumns.length)}`,
      instances.flatMap(insertValues),
    );
    const metadata = instances.flatMap((i) => Object.entries(i.metadata).map(([k, v]) => [i.uuid, k, v]));
    if (metadata.length > 0) {
      await execute(r, `INSERT IGNORE INTO instance_metadata (instance_uuid, \`key\`, value) VALUES ${placeholders(metadata.length, 3)}`, metadata.flat());
    }
    const tags = instances.flatMap((i) => i.tags.map((tag) => [i.uuid, tag]));
    if (tags.length > 0) await execute(r, `INSERT IGNORE INTO tags (resource_id, tag) VALUES ${placeholders(tags.length, 2)}`, tags.flat());
    await execute(
      r,
      `INSERT IGNORE INTO instance_actions (action, instance_uuid, request_id, user_id, project_id, start_time)
       VALUES ${placeholders(instances.length, 6)}`,
      instances.flatMap((i, n) => {
        const action = actions[n] ?? actions[0];
        return ['create', i.uuid, action?.request_id ?? '', action?.user_id ?? i.user_id, action?.project_id ?? i.project_id, i.created_at];
      }),
    );
  }));
}

/** Live instances among the given uuids. */
export async function getInstances(db: CellDatabase, uuids: string[]): Promise<InstanceRecord[]> {
  if (uuids.length === 0) return [];
  const rows = await select<InstanceRow>(run(db), `SELECT ${columns} FROM instances WHERE uuid IN (${inList(uuids.length)}) AND deleted = 0`, uuids);
  return rows.map(toRecord);
}

export interface InstanceDetail extends InstanceRecord {
  metadata: Record<string, string>;
  tags: string[];
  fault: InstanceFault | null;
}

/** An instance with its metadata, tags and latest fault; deleted ones only when asked. */
export async function getInstance(db: CellDatabase, uuid: string, withDeleted = false): Promise<InstanceDetail | undefined> {
  const r = run(db);
  // The row first, the rest after: read at once on other connections, a fault committed with
  // the ERROR state could be missed while the state is seen (ERROR without a fault).
  const row = (await select<InstanceRow>(r, `SELECT ${columns} FROM instances WHERE uuid = ?${withDeleted ? '' : ' AND deleted = 0'}`, [uuid]))[0];
  if (!row) return undefined;
  const [metadata, tags, faults] = await Promise.all([
    select<{ key: string; value: string }>(r, 'SELECT `key`, value FROM instance_metadata WHERE instance_uuid = ? AND deleted = 0', [uuid]),
    select<{ tag: string }>(r, 'SELECT tag FROM tags WHERE resource_id = ? ORDER BY tag', [uuid]),
    select<InstanceFault>(
      r,
      'SELECT code, message, details, created_at FROM instance_faults WHERE instance_uuid = ? AND deleted = 0 ORDER BY id DESC LIMIT 1',
      [uuid],
    ),
  ]);
  return {
    ...toRecord(row),
    metadata: Object.fromEntries(metadata.map((m) => [m.key, m.value])),
    tags: tags.map((t) => t.tag),
    fault: faults[0] ?? null,
  };
}

/**
 * Instances with their metadata, tags and latest fault, in four queries for the whole set (a
 * page of a list), deleted ones included when asked for by uuid.
 */
export async function getInstancesDetailed(db: CellDatabase, uuids: string[]): Promise<InstanceDetail[]> {
  if (uuids.length === 0) return [];
  const r = run(db);
  const list = inList(uuids.length);
  // Rows first, as in getInstance: what is read after them is at least as new as their state.
  const rows = await fastSelect<InstanceRow>(r, `SELECT ${columns} FROM instances WHERE uuid IN (${list})`, uuids);
  const [metadata, tags, faults] = await Promise.all([
    fastSelect<{ instance_uuid: string; key: string; value: string }>(r, `SELECT instance_uuid, \`key\`, value FROM instance_metadata WHERE instance_uuid IN (${list}) AND deleted = 0`, uuids),
    fastSelect<{ resource_id: string; tag: string }>(r, `SELECT resource_id, tag FROM tags WHERE resource_id IN (${list}) ORDER BY tag`, uuids),
    fastSelect<InstanceFault & { instance_uuid: string }>(
      r,
      `SELECT f.instance_uuid, f.code, f.message, f.details, f.created_at FROM instance_faults f
         JOIN (SELECT MAX(id) AS id FROM instance_faults WHERE instance_uuid IN (${list}) AND deleted = 0 GROUP BY instance_uuid) latest ON latest.id = f.id`,
      uuids,
    ),
  ]);
  const meta = new Map<string, Record<string, string>>();
  for (const m of metadata) {
    const entry = meta.get(m.instance_uuid) ?? {};
    entry[m.key] = m.value;
    meta.set(m.instance_uuid, entry);
  }
  const tagMap = new Map<string, string[]>();
  for (const t of tags) {
    const entry = tagMap.get(t.resource_id) ?? [];
    entry.push(t.tag);
    tagMap.set(t.resource_id, entry);
  }
  const faultMap = new Map(faults.map((f) => [f.instance_uuid, { code: f.code, message: f.message, details: f.details, created_at: f.created_at }]));
  // A page holds a few flavors many times over: each distinct snapshot is parsed once.
  const flavors = new Map<string, FlavorSnapshot>();
  return rows.map((row) => {
    let flavor = flavors.get(row.flavor);
    if (!flavor) {
      flavor = JSON.parse(row.flavor) as FlavorSnapshot;
      flavors.set(row.flavor, flavor);
    }
    // The driver's fresh row becomes the record (no copy of 30-odd columns per server).
    return Object.assign(row, {
      flavor,
      locked: Boolean(row.locked),
      metadata: meta.get(row.uuid) ?? {},
      tags: tagMap.get(row.uuid) ?? [],
      fault: faultMap.get(row.uuid) ?? null,
    }) as InstanceDetail;
  });
}

/** Raised when an instance is not in the state an update expected (Nova's UnexpectedTaskStateError). */
export class UnexpectedStateError extends ConflictError {
  override readonly code: string = 'unexpected_state';
}

export interface StateExpectation {
  task_state?: (string | null)[];
  vm_state?: string[];
}

const updatable = new Set([
  'vm_state', 'task_state', 'power_state', 'host', 'node', 'launched_on', 'launched_at', 'terminated_at', 'progress',
  'display_name', 'display_description', 'locked', 'locked_by', 'locked_reason', 'availability_zone',
  'image_ref', 'hostname', 'access_ip_v4', 'access_ip_v6', 'instance_type_id', 'flavor', 'vcpus', 'memory_mb',
  'root_gb', 'ephemeral_gb', 'auto_disk_config', 'user_data',
]);

/**
 * Updates an instance only if it is in the expected state, in one statement, so that two
 * writers racing (a delete and a finishing build) cannot both win.
 */
export async function updateInstance(
  db: CellDatabase,
  uuid: string,
  values: Record<string, unknown>,
  expected: StateExpectation = {},
  transaction?: Transaction,
): Promise<void> {
  const keys = Object.keys(values).filter((k) => updatable.has(k));
  if (keys.length === 0) return;
  const where = ['uuid = ?', 'deleted = 0'];
  const params: unknown[] = [...keys.map((k) => values[k]), uuid];
  for (const [column, allowed] of Object.entries(expected) as [string, (string | null)[]][]) {
    const named = allowed.filter((v): v is string => v !== null);
    const parts = named.length > 0 ? [`${column} IN (${inList(named.length)})`] : [];
    if (allowed.includes(null)) parts.push(`${column} IS NULL`);
    where.push(`(${parts.join(' OR ') || 'FALSE'})`);
    params.push(...named);
  }
  const sql = `UPDATE instances SET ${keys.map((k) => `${k} = ?`).join(', ')}, updated_at = NOW(6) WHERE ${where.join(' AND ')}`;
  const changed = await execute(run(db, transaction), sql, params);
  if (changed === 1) return;
  const current = (await select<{ vm_state: string; task_state: string | null }>(
    run(db, transaction),
    'SELECT vm_state, task_state FROM instances WHERE uuid = ? AND deleted = 0',
    [uuid],
  ))[0];
  if (!current) throw new UnexpectedStateError(`instance ${uuid} is deleted or unknown`);
  // Writing what is already there changes no row yet is no conflict (a handler run twice).
  if (matches(current, expected)) return;
  throw new UnexpectedStateError(
    `instance ${uuid} is ${current.vm_state}/${current.task_state ?? 'none'}, not ${describe(expected)}`,
  );
}

function matches(current: { vm_state: string; task_state: string | null }, expected: StateExpectation): boolean {
  return (
    (expected.task_state === undefined || expected.task_state.includes(current.task_state)) &&
    (expected.vm_state === undefined || expected.vm_state.includes(current.vm_state))
  );
}

function describe(expected: StateExpectation): string {
  const vm = expected.vm_state?.join('|') ?? '*';
  const task = expected.task_state?.map((t) => t ?? 'none').join('|') ?? '*';
  return `${vm}/${task}`;
}

/** Soft-deletes instances (Nova's `deleted = id`) and drops their console tokens; returns how many were live. */
export async function softDeleteInstances(db: CellDatabase, uuids: string[]): Promise<number> {
  if (uuids.length === 0) return 0;
  const deleted = await execute(
    run(db),
    `UPDATE instances SET deleted = id, deleted_at = NOW(6), terminated_at = COALESCE(terminated_at, NOW(6)),
       vm_state = 'deleted', task_state = NULL, power_state = 0, updated_at = NOW(6)
     WHERE uuid IN (${inList(uuids.length)}) AND deleted = 0`,
    uuids,
  );
  // A console of a server that is gone must not open (Nova deletes them with the instance).
  await execute(run(db), `DELETE FROM console_auth_tokens WHERE instance_uuid IN (${inList(uuids.length)})`, uuids);
  return deleted;
}

export interface FaultRecord {
  instance_uuid: string;
  code: number;
  message: string;
  details?: string | null;
  host?: string | null;
}

export async function addFaults(db: CellDatabase, faults: FaultRecord[], transaction?: Transaction): Promise<void> {
  if (faults.length === 0) return;
  await execute(
    run(db, transaction),
    `INSERT INTO instance_faults (instance_uuid, code, message, details, host) VALUES ${placeholders(faults.length, 5)}`,
    faults.flatMap((f) => [f.instance_uuid, f.code, f.message.slice(0, 255), f.details ?? null, f.host ?? null]),
  );
}

export interface ActionEvent {
  instance_uuid: string;
  request_id: string;
  action: string;
  event: string;
  host: string;
  result: 'Success' | 'Error' | null;
  details?: string | null;
}

/**
 * Records an action's event: a start (result null) or its end. Idempotent per
 * (action, event, host), so a message handled twice leaves one row.
 */
export async function recordActionEvent(db: CellDatabase, e: ActionEvent, transaction?: Transaction): Promise<void> {
  if (!transaction) {
    await retryDeadlocks(() => db.sequelize.transaction((t) => recordActionEvent(db, e, t)));
    return;
  }
  {
    const r = run(db, transaction);
    await execute(
      r,
      `INSERT IGNORE INTO instance_actions (action, instance_uuid, request_id, start_time) VALUES (?, ?, ?, NOW(6))`,
      [e.action, e.instance_uuid, e.request_id],
    );
    const finish = e.result === null ? null : new Date();
    await execute(
      r,
      `INSERT INTO instance_actions_events (action_id, event, host, start_time, finish_time, result, details)
       VALUES ((SELECT a.id FROM instance_actions a WHERE a.instance_uuid = ? AND a.request_id = ? AND a.action = ?),
         ?, ?, NOW(6), ?, ?, ?)
       ON DUPLICATE KEY UPDATE finish_time = COALESCE(VALUES(finish_time), finish_time),
         result = COALESCE(VALUES(result), result), details = COALESCE(VALUES(details), details), updated_at = NOW(6)`,
      [e.instance_uuid, e.request_id, e.action, e.event, e.host, finish, e.result, e.details ?? null],
    );
    if (e.result !== null) {
      await execute(
        r,
        `UPDATE instance_actions SET finish_time = NOW(6), message = ?, updated_at = NOW(6)
         WHERE instance_uuid = ? AND request_id = ? AND action = ?`,
        [e.result === 'Error' ? 'Error' : null, e.instance_uuid, e.request_id, e.action],
      );
    }
  }
}
