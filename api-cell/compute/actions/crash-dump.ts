import { ComputeClient } from '../../../child-cell/compute/index.js';
import { PowerState } from '../../../child-cell/instance/index.js';
import { ConflictError, UnavailableError } from '../../../ops/runtime/index.js';
import type { RequestContext } from '../../context.js';
import type { ShowDeps } from '../show.js';
import { checkLocked, checkState, locate, recordAction } from '../target.js';
import type { ActionDeps } from './cast.js';

const states = { vm: ['active', 'paused', 'rescued', 'resized', 'error'], task: [null] };

/** trigger_crash_dump (2.17): the host sends the running guest an NMI; its kernel dumps and restarts. */
export async function triggerCrashDump(deps: ShowDeps & ActionDeps, context: RequestContext, uuid: string): Promise<void> {
  const target = await locate(deps, context, uuid, 'trigger_crash_dump');
  checkLocked(context, target);
  checkState(target, 'trigger_crash_dump', states);
  const { host, power_state: power } = target.instance;
  if (!host || power !== PowerState.RUNNING) throw new ConflictError(`Instance ${uuid} is not running.`);
  await recordAction(deps, context, target, 'trigger_crash_dump');
  let found: boolean;
  try {
    const client = new ComputeClient(await deps.registry.bus(target.cell), target.cell.uuid);
    ({ found } = await client.triggerCrashDump(host, uuid, context.requestId, deps.castTimeoutMs));
  } catch (err) {
    if (!(err instanceof UnavailableError)) throw err;
    throw new ConflictError(`Compute host ${host} is not answering; no crash dump was triggered on instance ${uuid}`, { cause: err });
  }
  if (!found) throw new ConflictError(`Instance ${uuid} is not running.`);
}
