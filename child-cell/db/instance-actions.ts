import { NotFoundError } from '../../ops/runtime/index.js';
import { execute, select } from '../../ops/runtime-db/index.js';
import type { CellDatabase } from './database.js';
import type { CreateAction } from './instances.js';

/**
 * Records an action a user starts, with who started it, before any host adds its events: the
 * events' own inserts leave user and project empty, and a deleted server's history still names them.
 * Idempotent: the action of a request is recorded once.
 */
export async function startAction(db: CellDatabase, uuid: string, action: string, who: CreateAction): Promise<void> {
  await execute(
    db,
    'INSERT INTO instance_actions (action, instance_uuid, request_id, user_id, project_id, start_time) VALUES (?, ?, ?, ?, ?, NOW(6)) ON DUPLICATE KEY UPDATE user_id = COALESCE(user_id, VALUES(user_id)), project_id = COALESCE(project_id, VALUES(project_id))',
    [action, uuid, who.request_id, who.user_id, who.project_id],
  );
}

/** Records an action the API starts (os-instance-actions), unless its request's is there already: that one is left as it is. */
export async function addAction(db: CellDatabase, uuid: string, action: string, who: CreateAction): Promise<void> {
  await execute(
    db,
    'INSERT IGNORE INTO instance_actions (action, instance_uuid, request_id, user_id, project_id, start_time) VALUES (?, ?, ?, ?, ?, NOW(6))',
    [action, uuid, who.request_id, who.user_id, who.project_id],
  );
}

export interface ActionRow {
  id: number;
  action: string;
  instance_uuid: string;
  request_id: string;
  user_id: string | null;
  project_id: string | null;
  start_time: Date | null;
  finish_time: Date | null;
  message: string | null;
  updated_at: Date | null;
}

export interface EventRow {
  event: string;
  host: string;
  start_time: Date | null;
  finish_time: Date | null;
  result: string | null;
  traceback: string | null;
  details: string | null;
}

export interface ActionQuery {
  limit: number;
  marker?: string | undefined;
  changesSince?: Date | undefined;
  /** Exclusive, as InstanceFilters.changedBefore. */
  changedBefore?: Date | undefined;
}

const actionColumns = 'id, action, instance_uuid, request_id, user_id, project_id, start_time, finish_time, message, updated_at';

/** An instance's actions, newest first, paged by request id; an unknown marker is a NotFoundError. */
export async function listInstanceActions(db: CellDatabase, uuid: string, q: ActionQuery): Promise<ActionRow[]> {
  const where = ['instance_uuid = ?'];
  const params: unknown[] = [uuid];
  if (q.marker !== undefined) {
    const marker = (await select<{ id: number }>(db, 'SELECT id FROM instance_actions WHERE instance_uuid = ? AND request_id = ?', [uuid, q.marker]))[0];
    if (!marker) throw new NotFoundError(`Marker ${q.marker} could not be found.`);
    where.push('id < ?');
    params.push(marker.id);
  }
  if (q.changesSince) {
    where.push('COALESCE(updated_at, created_at) >= ?');
    params.push(q.changesSince);
  }
  if (q.changedBefore) {
    where.push('COALESCE(updated_at, created_at) < ?');
    params.push(q.changedBefore);
  }
  return select<ActionRow>(
    db,
    `SELECT ${actionColumns}
       FROM instance_actions WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`,
    [...params, q.limit],
  );
}

/** The action of one request on an instance, with its events in order; undefined if there is none. */
export async function getInstanceAction(db: CellDatabase, uuid: string, requestId: string): Promise<{ action: ActionRow; events: EventRow[] } | undefined> {
  const action = (await select<ActionRow>(db, `SELECT ${actionColumns} FROM instance_actions WHERE instance_uuid = ? AND request_id = ?`, [uuid, requestId]))[0];
  if (!action) return undefined;
  const events = await select<EventRow>(
    db,
    'SELECT event, host, start_time, finish_time, result, traceback, details FROM instance_actions_events WHERE action_id = ? ORDER BY id',
    [action.id],
  );
  return { action, events };
}
