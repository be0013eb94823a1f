import { errorMessage, type RpcMethods } from '../../../ops/runtime/index.js';
import type { BuildArgs } from '../../compute/index.js';
import { recordActionEvent, stepFailed, updateInstance, UnexpectedStateError } from '../../db/index.js';
import { TaskState, VmState } from '../../instance/index.js';
import { BuildFailedArgs, CONDUCTOR_LATEST_VERSION, type BuildFailedResult } from '../messages.js';
import type { ConductorDeps } from './deps.js';

/**
 * The one place a build moves to an alternate. A spawn failed (the host asks) or a host did not
 * take the cast (the super-conductor asks, not_taken): try the next alternate the scheduler
 * handed down, inside this cell (no call back to the super-conductor), moving the allocation
 * with placement. With none left a failed spawn goes to ERROR with a fault and its allocation
 * is freed; a build no host took is left as it is, for the super-conductor to hand back.
 */
export function rescheduleMethods(deps: ConductorDeps): RpcMethods {
  return {
    build_failed: {
      version: CONDUCTOR_LATEST_VERSION,
      schema: BuildFailedArgs,
      handle: async (args: BuildFailedArgs, context): Promise<BuildFailedResult> => {
        const requestId = context.requestId ?? `req-conductor-${args.build.instance.uuid}`;
        const uuid = args.build.instance.uuid;
        await recordActionEvent(deps.db, {
          instance_uuid: uuid, request_id: requestId, action: 'create', event: 'compute_build_and_run_instance',
          host: args.failed_host, result: 'Error', details: args.reason,
        });
        let alternates = args.build.alternates;
        while (alternates.length > 0) {
          const [next, ...rest] = alternates;
          alternates = rest;
          if (!next) break;
          const moved = await moveTo(deps, args.build, next, requestId).catch((err: unknown) => {
            if (err instanceof UnexpectedStateError) throw err;
            context.log.warn({ host: next.host, err: errorMessage(err) }, 'alternate refused the reschedule');
            return false;
          });
          if (!moved) continue;
          const build: BuildArgs = {
            instance: { ...args.build.instance, node: next.node },
            allocation: { provider_uuid: next.provider_uuid, resources: args.build.allocation.resources },
            alternates: rest,
          };
          try {
            await deps.compute.buildAndRunInstance(next.host, build, requestId, deps.castTimeoutMs);
            context.log.info({ instance: uuid, from: args.failed_host, to: next.host }, 'build rescheduled');
            return { rescheduled_to: next.host };
          } catch (err) {
            context.log.warn({ host: next.host, err: errorMessage(err) }, 'alternate did not take the build');
          }
        }
        if (!args.not_taken) await giveUp(deps, uuid, args.reason);
        return { rescheduled_to: null };
      },
    },
  };
}

async function moveTo(deps: ConductorDeps, build: BuildArgs, next: { host: string; node: string; provider_uuid: string }, requestId: string): Promise<boolean> {
  const { uuid, project_id, user_id } = build.instance;
  const claimed = await deps.placement.replaceAllocations(uuid, next.provider_uuid, build.allocation.resources, project_id, user_id);
  if (!claimed) return false;
  await updateInstance(
    deps.db,
    uuid,
    { host: next.host, node: next.node, launched_on: next.host, task_state: TaskState.SCHEDULING },
    { vm_state: [VmState.BUILDING], task_state: [TaskState.SCHEDULING, TaskState.NETWORKING, TaskState.SPAWNING] },
  );
  deps.log.debug({ instance: uuid, host: next.host, request_id: requestId }, 'allocation moved to alternate');
  return true;
}

/** No host left: free the allocation first, so that whoever sees ERROR also sees it freed. */
async function giveUp(deps: ConductorDeps, uuid: string, reason: string): Promise<void> {
  await deps.placement.deleteAllocations(uuid).catch((err: unknown) =>
    deps.log.warn({ instance: uuid, err: errorMessage(err) }, 'could not free the allocation of a failed build'),
  );
  await stepFailed(deps.db, uuid, {
    updates: { vm_state: VmState.ERROR, task_state: null },
    expected: { vm_state: [VmState.BUILDING] },
    fault: { code: 500, message: `Exceeded maximum number of retries. Exhausted all hosts available for retrying build failures for instance ${uuid}.`, details: reason },
  });
}
