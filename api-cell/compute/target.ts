import type { CellMapping } from '../cells/index.js';
import type { RequestContext } from '../context.js';
import { addAction, type InstanceDetail } from '../../child-cell/db/index.js';
import { ConflictError } from '../../ops/runtime/index.js';
import { getServer, type ShowDeps } from './show.js';

/** An instance that can be acted on: its cell and its row. */
export interface Target {
  cell: CellMapping;
  instance: InstanceDetail;
}

export interface StateRule {
  vm?: string[];
  task?: (string | null)[];
}

/**
 * Finds the instance an action is about. A server still waiting for a cell has no instance to
 * act on yet: Nova's 409 for the building state. A cell that does not answer is a 503.
 */
export async function locate(deps: ShowDeps, context: RequestContext, uuid: string, action: string): Promise<Target> {
  const record = await getServer(deps, context, uuid);
  if (record.source !== 'cell') throw invalidState(action, uuid, 'vm_state', 'building');
  return { cell: record.cell, instance: record.instance };
}

export function invalidState(action: string, uuid: string, attr: string, state: string | null): ConflictError {
  return new ConflictError(`Cannot '${action}' instance ${uuid} while it is in ${attr} ${state ?? 'None'}`);
}

/** Nova's check_instance_state: the action is allowed only in these vm and task states. */
export function checkState(target: Target, action: string, rule: StateRule): void {
  const i = target.instance;
  if (rule.vm && !rule.vm.includes(i.vm_state)) throw invalidState(action, i.uuid, 'vm_state', i.vm_state);
  if (rule.task && !rule.task.includes(i.task_state)) throw invalidState(action, i.uuid, 'task_state', i.task_state);
}

/** Nova's check_instance_lock: a locked instance refuses changes except from an admin. */
export function checkLocked(context: RequestContext, target: Target): void {
  if (target.instance.locked && !context.isAdmin) throw new ConflictError(`Instance ${target.instance.uuid} is locked`);
}

/** Records the action the API starts (os-instance-actions); the host records its events. */
export async function recordAction(deps: ShowDeps, context: RequestContext, target: Target, action: string): Promise<void> {
  await deps.registry.withCell(target.cell, ({ db }) =>
    addAction(db, target.instance.uuid, action, { request_id: context.requestId, user_id: context.userId, project_id: context.projectId }),
  );
}
