import { updateInstance } from '../../../child-cell/db/index.js';
import type { RequestContext } from '../../context.js';
import type { ShowDeps } from '../show.js';
import { locate, recordAction } from '../target.js';

/**
 * os-resetState (admin): the operator's way out for a server stuck mid-task. Its vm_state
 * becomes `active` or `error` and its task is cleared, whatever it was doing; nothing is asked
 * of its host, so the guest is not changed.
 */
export async function resetState(deps: ShowDeps, context: RequestContext, uuid: string, state: 'active' | 'error'): Promise<void> {
  const target = await locate(deps, context, uuid, 'os-resetState');
  await deps.registry.withCell(target.cell, ({ db }) => updateInstance(db, uuid, { vm_state: state, task_state: null }));
  await recordAction(deps, context, target, 'resetState');
}
