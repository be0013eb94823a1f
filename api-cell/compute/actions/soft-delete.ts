import { isCell0 } from '../../cells/index.js';
import type { RequestContext } from '../../context.js';
import { getServer, type ShowDeps } from '../show.js';
import type { ActionDeps } from './cast.js';
import { powerAction } from './power.js';

/** Where Nova soft-deletes from: a resting server; one busy with a task is deleted outright. */
const resting = new Set(['active', 'stopped', 'paused', 'suspended', 'rescued', 'resized', 'shelved', 'error']);

/**
 * DELETE with compute.reclaim_instance_interval set: a server that has run on a host is powered
 * off and kept SOFT_DELETED (its quota and allocation held) until `restore`, `forceDelete` or
 * the reclaim. False when it must be deleted outright instead: never launched, no host, cell0,
 * in a task, or already SOFT_DELETED (Nova's fallback to delete).
 */
export async function softDeleteServer(deps: ShowDeps & ActionDeps, context: RequestContext, uuid: string): Promise<boolean> {
  const record = await getServer(deps, context, uuid);
  if (record.source !== 'cell' || isCell0(record.cell)) return false;
  const i = record.instance;
  if (!i.host || !i.launched_at || i.task_state !== null || !resting.has(i.vm_state)) return false;
  await powerAction(deps, context, uuid, 'softDelete');
  return true;
}
