import type { CellMapping } from '../../api-cell/cells/index.js';
import { claimResources } from '../../api-cell/placement/index.js';
import { recordActionEvent, updateInstance } from '../../child-cell/db/index.js';
import { ComputeClient, type AlternateArgs, type BuildArgs } from '../../child-cell/compute/index.js';
import { TaskState, VmState } from '../../child-cell/instance/index.js';
import { errorMessage, UnavailableError } from '../../ops/runtime/index.js';
import { select } from '../../ops/runtime-db/index.js';
import type { BuildDeps } from './deps.js';
import { returnToQueue } from './requeue.js';

export interface CastTarget {
  args: BuildArgs;
  host: string;
  projectId: string;
  userId: string;
  /** The request the build came from; a batch mixes several. */
  requestId: string;
}

/**
 * Hands a build to its host over the cell's bus. A host that does not take it (down, gone, its
 * bus away) counts as down for scheduling at once and is passed over for the next alternate
 * that is up, the allocation moved with it. With none left no guest was ever started, so the
 * build is not failed: it goes back to the queue to be scheduled again, leaving out the hosts
 * tried.
 */
export async function castBuild(deps: BuildDeps, cell: CellMapping, target: CastTarget): Promise<void> {
  const { requestId } = target;
  const client = new ComputeClient(await deps.registry.bus(cell), cell.uuid);
  let { host, args } = target;
  const uuid = args.instance.uuid;
  const tried: string[] = [];
  for (;;) {
    try {
      await client.buildAndRunInstance(host, args, requestId, deps.castTimeoutMs);
      return;
    } catch (err) {
      if (!(err instanceof UnavailableError)) throw err;
      tried.push(host);
      deps.scheduler.markUnreachable(host);
      deps.log.warn({ host, instance: uuid, err: errorMessage(err) }, 'host did not take the build; trying an alternate');
      await deps.registry.withCell(cell, ({ db }) =>
        recordActionEvent(db, { instance_uuid: uuid, request_id: requestId, action: 'create', event: 'compute_build_and_run_instance', host, result: 'Error', details: errorMessage(err) }),
      );
    }
    const next = await moveToAlternate(deps, cell, target, args.alternates);
    if (!next) {
      await returnToQueue(deps, cell, [{ uuid, triedHosts: tried }], `no host of cell ${cell.name} took the build (tried ${tried.join(', ')})`);
      return;
    }
    host = next.alternate.host;
    args = next.args;
  }
}

/** Claims the first alternate that has room and points the instance at it. */
async function moveToAlternate(
  deps: BuildDeps,
  cell: CellMapping,
  target: CastTarget,
  alternates: AlternateArgs[],
): Promise<{ alternate: AlternateArgs; args: BuildArgs } | undefined> {
  const uuid = target.args.instance.uuid;
  for (let i = 0; i < alternates.length; i += 1) {
    const alternate = alternates[i];
    if (!alternate || !deps.scheduler.isUp(alternate.host)) continue;
    const providers = await select<{ id: number }>(deps.api, 'SELECT id FROM resource_providers WHERE uuid = ?', [alternate.provider_uuid]);
    const providerId = providers[0]?.id;
    if (providerId === undefined) continue;
    const claim = await claimResources(deps.api, [{
      consumer: uuid,
      projectId: target.projectId,
      userId: target.userId,
      providerId,
      resources: target.args.allocation.resources,
    }]);
    if (claim.outcomes[0]?.status !== 'claimed') continue;
    await deps.registry.withCell(cell, ({ db }) =>
      updateInstance(db, uuid, { host: alternate.host, node: alternate.node, launched_on: alternate.host }, {
        vm_state: [VmState.BUILDING],
        task_state: [TaskState.SCHEDULING],
      }),
    );
    const args: BuildArgs = {
      instance: { ...target.args.instance, node: alternate.node },
      allocation: { provider_uuid: alternate.provider_uuid, resources: target.args.allocation.resources },
      alternates: alternates.slice(i + 1),
    };
    return { alternate, args };
  }
  return undefined;
}
