import { ComputeClient } from '../../../child-cell/compute/index.js';
import { updateInstance } from '../../../child-cell/db/index.js';
import { ConflictError, UnavailableError } from '../../../ops/runtime/index.js';
import type { CellRegistry } from '../../cells/index.js';
import type { Target } from '../target.js';

export interface ActionDeps {
  registry: CellRegistry;
  castTimeoutMs: number;
}

/**
 * Sets the instance's task state, but only from the state the action was checked against, so
 * two requests racing cannot both start: the loser gets Nova's 409.
 */
export async function startTask(deps: ActionDeps, target: Target, updates: Record<string, unknown>, expected: { vm: string[]; task: (string | null)[] }): Promise<void> {
  await deps.registry.withCell(target.cell, ({ db }) => updateInstance(db, target.instance.uuid, updates, { vm_state: expected.vm, task_state: expected.task }));
}

/**
 * Hands the action to the instance's host. A host that does not answer cannot act: the task
 * state is put back and the caller told, instead of leaving the instance stuck mid-task.
 */
export async function castToHost(deps: ActionDeps, target: Target, send: (client: ComputeClient, host: string) => Promise<unknown>, undo: Record<string, unknown>): Promise<void> {
  const host = target.instance.host;
  if (!host) throw new ConflictError(`Instance ${target.instance.uuid} has no host to act on`);
  try {
    const client = await ComputeClient.forCell(deps.registry, target.cell);
    await send(client, host);
  } catch (err) {
    if (!(err instanceof UnavailableError)) throw err;
    await deps.registry.withCell(target.cell, ({ db }) => updateInstance(db, target.instance.uuid, undo));
    throw new ConflictError(`Compute host ${host} is not answering; instance ${target.instance.uuid} was left as it was`, { cause: err });
  }
}

/**
 * Asks the instance's host something and waits for the answer (console, diagnostics, crash
 * dump): no host is Nova's 409 "not ready", and a host that does not answer is a 409 saying
 * what could not be done, rather than a 503 for the whole API.
 */
export async function askHost<T>(deps: ActionDeps, target: Target, what: string, ask: (client: ComputeClient, host: string) => Promise<T>): Promise<T> {
  const host = target.instance.host;
  if (!host) throw new ConflictError(`Instance ${target.instance.uuid} is not ready`);
  try {
    return await ask(await ComputeClient.forCell(deps.registry, target.cell), host);
  } catch (err) {
    if (!(err instanceof UnavailableError)) throw err;
    throw new ConflictError(`Compute host ${host} is not answering; ${what} of instance ${target.instance.uuid}`, { cause: err });
  }
}
