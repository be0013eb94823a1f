import type { Transaction } from 'sequelize';
import { execute, inList, placeholders, retryDeadlocks, select, type Runner } from '../../ops/runtime-db/index.js';
import type { CellDatabase } from './database.js';
import { UnexpectedStateError, type StateExpectation } from './instances.js';

/** One state change a host asks for, with the event and fault to record with it. */
export interface InstanceWrite {
  uuid: string;
  host: string;
  requestId: string | undefined;
  /** Column values; `launched_at: 'now'` takes the database's clock. */
  updates: Record<string, string | number | boolean | null>;
  expected: StateExpectation;
  event?: { action: string; event: string; result: 'Success' | 'Error' | null; details?: string | null };
  fault?: { code: number; message: string; details?: string | null };
}

const updatable = new Set([
  'vm_state', 'task_state', 'power_state', 'host', 'node', 'launched_on', 'launched_at', 'terminated_at', 'progress',
  'display_name', 'display_description', 'locked', 'locked_by', 'locked_reason', 'availability_zone',
  'image_ref', 'hostname', 'access_ip_v4', 'access_ip_v6', 'instance_type_id', 'flavor', 'vcpus', 'memory_mb',
  'root_gb', 'ephemeral_gb',
]);

/**
 * Applies many hosts' instance writes in one transaction: writes that make the same change under
 * the same expectations share one UPDATE (`uuid IN (...)`), events and faults go in multi-row
 * INSERTs. Each write succeeds or fails on its own: a write whose instance is not in the
 * expected state gets an UnexpectedStateError (unless it already holds the wanted values: the
 * same message handled twice). Returns one result per write, in order.
 */
export async function applyInstanceWrites(db: CellDatabase, writes: InstanceWrite[]): Promise<(Error | undefined)[]> {
  // A deadlock victim (against a super-conductor writing new instances and actions) runs again:
  // failing it would put a healthy build in ERROR.
  return retryDeadlocks(() => db.sequelize.transaction(async (transaction) => {
    const run: Runner = { sequelize: db.sequelize, transaction };
    const results: (Error | undefined)[] = writes.map(() => undefined);
    const groups = new Map<string, number[]>();
    writes.forEach((w, i) => {
      const key = JSON.stringify([w.updates, w.expected]);
      groups.set(key, [...(groups.get(key) ?? []), i]);
    });
    for (const members of groups.values()) await updateGroup(run, writes, members, results);
    const ok = writes.filter((_, i) => results[i] === undefined);
    await recordEvents(run, ok);
    const faults = ok.filter((w) => w.fault);
    if (faults.length > 0) {
      await execute(
        run,
        `INSERT INTO instance_faults (instance_uuid, code, message, details, host) VALUES ${placeholders(faults.length, 5)}`,
        faults.flatMap((w) => [w.uuid, w.fault?.code, w.fault?.message.slice(0, 255), w.fault?.details ?? null, w.host]),
      );
    }
    return results;
  }));
}

async function updateGroup(run: Runner, writes: InstanceWrite[], members: number[], results: (Error | undefined)[]): Promise<void> {
  const first = writes[members[0] ?? 0];
  if (!first) return;
  const uuids = members.map((i) => writes[i]?.uuid ?? '');
  const keys = Object.keys(first.updates).filter((k) => updatable.has(k));
  const sets = keys.map((k) => (k === 'launched_at' && first.updates[k] === 'now' ? 'launched_at = NOW(6)' : `${k} = ?`));
  const values = keys.filter((k) => !(k === 'launched_at' && first.updates[k] === 'now')).map((k) => first.updates[k]);
  const where = ['deleted = 0', `uuid IN (${inList(uuids.length)})`];
  const params: unknown[] = [...values, ...uuids];
  for (const [column, allowed] of Object.entries(first.expected) as [string, (string | null)[]][]) {
    const named = allowed.filter((v): v is string => v !== null);
    const parts = named.length > 0 ? [`${column} IN (${inList(named.length)})`] : [];
    if (allowed.includes(null)) parts.push(`${column} IS NULL`);
    where.push(`(${parts.join(' OR ') || 'FALSE'})`);
    params.push(...named);
  }
  const changed = sets.length === 0 ? uuids.length : await execute(run, `UPDATE instances SET ${sets.join(', ')}, updated_at = NOW(6) WHERE ${where.join(' AND ')}`, params);
  if (changed === uuids.length) return;
  // Some did not match: find which, and whether they already hold what was asked (a duplicate).
  const rows = await select<Record<string, unknown> & { uuid: string; vm_state: string; task_state: string | null }>(
    run,
    `SELECT ${['uuid', 'vm_state', 'task_state', ...keys.filter((k) => k !== 'vm_state' && k !== 'task_state')].join(', ')} FROM instances WHERE deleted = 0 AND uuid IN (${inList(uuids.length)})`,
    uuids,
  );
  const current = new Map(rows.map((r) => [r.uuid, r]));
  for (const i of members) {
    const w = writes[i];
    if (!w) continue;
    const row = current.get(w.uuid);
    if (!row) {
      results[i] = new UnexpectedStateError(`instance ${w.uuid} is deleted or unknown`);
      continue;
    }
    const holds = keys.every((k) => k === 'launched_at' || row[k] === w.updates[k] || (row[k] === 0 && w.updates[k] === false) || (row[k] === 1 && w.updates[k] === true));
    if (!holds && !matches(row, w.expected)) {
      results[i] = new UnexpectedStateError(`instance ${w.uuid} is ${row.vm_state}/${row.task_state ?? 'none'}`);
    }
  }
}

function matches(row: Record<string, unknown>, expected: StateExpectation): boolean {
  return (
    (expected.task_state === undefined || expected.task_state.includes((row['task_state'] as string | null) ?? null)) &&
    (expected.vm_state === undefined || expected.vm_state.includes(row['vm_state'] as string))
  );
}

/** Actions and their events for the writes that carry one, in a few multi-row statements. */
async function recordEvents(run: Runner & { transaction?: Transaction | undefined }, writes: InstanceWrite[]): Promise<void> {
  const withEvent = writes.filter((w): w is InstanceWrite & { event: NonNullable<InstanceWrite['event']>; requestId: string } => Boolean(w.event && w.requestId));
  if (withEvent.length === 0) return;
  await execute(
    run,
    `INSERT IGNORE INTO instance_actions (action, instance_uuid, request_id, start_time) VALUES ${placeholders(withEvent.length, 3).replace(/\?\)/g, '?, NOW(6))')}`,
    withEvent.flatMap((w) => [w.event.action, w.uuid, w.requestId]),
  );
  await execute(
    run,
    `INSERT INTO instance_actions_events (action_id, event, host, start_time, finish_time, result, details)
     VALUES ${withEvent.map(() => '((SELECT a.id FROM instance_actions a WHERE a.instance_uuid = ? AND a.request_id = ? AND a.action = ?), ?, ?, NOW(6), IF(? IS NULL, NULL, NOW(6)), ?, ?)').join(', ')}
     ON DUPLICATE KEY UPDATE finish_time = COALESCE(VALUES(finish_time), finish_time),
       result = COALESCE(VALUES(result), result), details = COALESCE(VALUES(details), details), updated_at = NOW(6)`,
    withEvent.flatMap((w) => [w.uuid, w.requestId, w.event.action, w.event.event, w.host, w.event.result, w.event.result, w.event.details ?? null]),
  );
  const finished = withEvent.filter((w) => w.event.result !== null);
  if (finished.length > 0) {
    await execute(
      run,
      `UPDATE instance_actions SET finish_time = NOW(6), updated_at = NOW(6),
         message = CASE ${finished.map(() => 'WHEN instance_uuid = ? AND request_id = ? THEN ?').join(' ')} ELSE message END
       WHERE (instance_uuid, request_id, action) IN (${finished.map(() => '(?, ?, ?)').join(', ')})`,
      [
        ...finished.flatMap((w) => [w.uuid, w.requestId, w.event.result === 'Error' ? 'Error' : null]),
        ...finished.flatMap((w) => [w.uuid, w.requestId, w.event.action]),
      ],
    );
  }
}
