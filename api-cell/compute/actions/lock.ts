import { updateInstance } from '../../../child-cell/db/index.js';
import { ForbiddenError } from '../../../ops/runtime/index.js';
import type { RequestContext } from '../../context.js';
import type { ShowDeps } from '../show.js';
import { locate, recordAction } from '../target.js';

/**
 * lock / unlock: a locked server refuses changes except from admins. The owner's project locks
 * as `owner`, anyone else (an admin) as `admin`; an admin's lock only an admin lifts.
 */
export async function setLocked(deps: ShowDeps, context: RequestContext, uuid: string, locked: boolean, reason?: string | null): Promise<void> {
  const target = await locate(deps, context, uuid, locked ? 'lock' : 'unlock');
  const i = target.instance;
  if (!locked && i.locked_by === 'admin' && !context.isAdmin) {
    throw new ForbiddenError("Policy doesn't allow os_compute_api:os-lock-server:unlock:unlock_override to be performed.");
  }
  const values = locked
    ? { locked: true, locked_by: context.projectId === i.project_id ? 'owner' : 'admin', locked_reason: reason ?? null }
    : { locked: false, locked_by: null, locked_reason: null };
  await deps.registry.withCell(target.cell, ({ db }) => updateInstance(db, uuid, values));
  await recordAction(deps, context, target, locked ? 'lock' : 'unlock');
}
