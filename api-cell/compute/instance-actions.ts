import { findMapping } from '../builds/index.js';
import type { RequestContext } from '../context.js';
import { canAccessProject } from '../context.js';
import { NotFoundError } from '../../ops/runtime/index.js';
import { getInstanceAction, listInstanceActions, type ActionQuery, type ActionRow, type EventRow } from '../../child-cell/db/index.js';
import { cellDown } from './partial.js';
import { notFound, type ShowDeps } from './show.js';

export type { ActionQuery, ActionRow, EventRow };

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
    .withCell(cell, ({ db }) => listInstanceActions(db, uuid, q))
    .catch((err: unknown) => {
      if (err instanceof NotFoundError) throw err;
      throw cellDown(cell, err);
    });
}

/** One action with its events. */
export async function getAction(deps: ShowDeps, context: RequestContext, uuid: string, requestId: string): Promise<{ action: ActionRow; events: EventRow[] }> {
  const cell = await cellOf(deps, context, uuid);
  const found = await deps.registry.withCell(cell, ({ db }) => getInstanceAction(db, uuid, requestId));
  if (!found) throw new NotFoundError(`Action for request_id ${requestId} on instance ${uuid} not found`);
  return found;
}
