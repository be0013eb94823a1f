import { findMapping } from '../builds/index.js';
import type { RequestContext } from '../context.js';
import { canAccessProject } from '../context.js';
import { NotFoundError } from '../../ops/runtime/index.js';
import { select } from '../../ops/runtime-db/index.js';
import { cellDown } from './extras.js';
import { notFound, type ShowDeps } from './show.js';

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
  /** Exclusive, as ServerFilters.changedBefore. */
  changedBefore?: Date | undefined;
}

/** The cell holding an instance's history (deleted instances keep theirs). */
async function cellOf(deps: ShowDeps, context: RequestContext, uuid: string) {
  const mapping = await findMapping(deps.api, uuid);
  if (!mapping || !canAccessProject(context, mapping.project_id) || mapping.cell_id === null) throw notFound(uuid);
  const cell = (await deps.registry.list()).find((c) => c.id === mapping.cell_id);
  if (!cell) throw notFound(uuid);
  return cell;
}

/** An instance's actions, newest first, paged by request id. */
export async function listActions(deps: ShowDeps, context: RequestContext, uuid: string, q: ActionQuery): Promise<ActionRow[]> {
  const cell = await cellOf(deps, context, uuid);
  return deps.registry
    .withCell(cell, async ({ db }) => {
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
        `SELECT id, action, instance_uuid, request_id, user_id, project_id, start_time, finish_time, message, updated_at
           FROM instance_actions WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`,
        [...params, q.limit],
      );
    })
    .catch((err: unknown) => {
      if (err instanceof NotFoundError) throw err;
      throw cellDown(cell, err);
    });
}

/** One action with its events. */
export async function getAction(deps: ShowDeps, context: RequestContext, uuid: string, requestId: string): Promise<{ action: ActionRow; events: EventRow[] }> {
  const cell = await cellOf(deps, context, uuid);
  return deps.registry.withCell(cell, async ({ db }) => {
    const action = (await select<ActionRow>(
      db,
      'SELECT id, action, instance_uuid, request_id, user_id, project_id, start_time, finish_time, message, updated_at FROM instance_actions WHERE instance_uuid = ? AND request_id = ?',
      [uuid, requestId],
    ))[0];
    if (!action) throw new NotFoundError(`Action for request_id ${requestId} on instance ${uuid} not found`);
    const events = await select<EventRow>(
      db,
      'SELECT event, host, start_time, finish_time, result, traceback, details FROM instance_actions_events WHERE action_id = ? ORDER BY id',
      [action.id],
    );
    return { action, events };
  });
}
