import { PowerState } from '../../../child-cell/instance/index.js';
import { ConflictError } from '../../../ops/runtime/index.js';
import type { RequestContext } from '../../context.js';
import type { ShowDeps } from '../show.js';
import { checkLocked, checkState, locate, recordAction } from '../target.js';
import { askHost, type ActionDeps } from './cast.js';

const states = { vm: ['active', 'paused', 'rescued', 'resized', 'error'], task: [null] };

/** trigger_crash_dump (2.17): the host sends the running guest an NMI; its kernel dumps and restarts. */
export async function triggerCrashDump(deps: ShowDeps & ActionDeps, context: RequestContext, uuid: string): Promise<void> {
  const target = await locate(deps, context, uuid, 'trigger_crash_dump');
  checkLocked(context, target);
  checkState(target, 'trigger_crash_dump', states);
  if (!target.instance.host || target.instance.power_state !== PowerState.RUNNING) throw new ConflictError(`Instance ${uuid} is not running.`);
  await recordAction(deps, context, target, 'trigger_crash_dump');
  const { found } = await askHost(deps, target, 'no crash dump', (client, host) => client.triggerCrashDump(host, uuid, context.requestId, deps.castTimeoutMs));
  if (!found) throw new ConflictError(`Instance ${uuid} is not running.`);
}
