import { deleteUnscheduled, findMapping, loadBuildInstance, queueForDelete } from '../builds/index.js';
import { isCell0, type CellMapping, type CellRegistry } from '../cells/index.js';
import type { ApiDatabase } from '../db/index.js';
import { freeServerPorts, type NetworkDatabase } from '../network/index.js';
import { removeGroupMembers } from '../groups/index.js';
import { freeAllocations } from '../placement/index.js';
import { ensureUsageRows, releaseInstances } from '../quota/index.js';
import { canAccessProject, type RequestContext } from '../context.js';
import { getInstance, recordActionEvent, softDeleteInstances, startAction, updateInstance, type InstanceDetail } from '../../child-cell/db/index.js';
import { ComputeClient } from '../../child-cell/compute/index.js';
import { TaskState } from '../../child-cell/instance/index.js';
import { errorMessage, UnavailableError, type Logger } from '../../ops/runtime/index.js';
import { retryDeadlocks } from '../../ops/runtime-db/index.js';
import type { FlavorSnapshot } from '../../child-cell/instance/index.js';
import { notFound } from './show.js';

export interface DeleteDeps {
  api: ApiDatabase;
  network: NetworkDatabase;
  registry: CellRegistry;
  terminateTimeoutMs: number;
  log: Logger;
}

const usageOf = (flavor: FlavorSnapshot) => ({ instances: 1, cores: flavor.vcpus, ram: flavor.memory_mb });

/**
 * Deletes a server at whatever stage it is: a build request not yet scheduled goes with its
 * mapping; an instance in a cell is marked, its quota and allocations freed at once, and its
 * host asked to destroy the guest (or, when it has no host or the host does not answer, it is
 * deleted in its cell directly, Nova's "local delete").
 */
export async function deleteServer(deps: DeleteDeps, context: RequestContext, uuid: string): Promise<void> {
  for (let pass = 0; pass < 2; pass += 1) {
    const mapping = await findMapping(deps.api, uuid);
    if (!mapping || !canAccessProject(context, mapping.project_id)) throw notFound(uuid);
    if (mapping.cell_id === null) {
      if (await deleteBuildRequest(deps, uuid, mapping.project_id)) return;
      continue;
    }
    const cell = (await deps.registry.list()).find((c) => c.id === mapping.cell_id);
    if (!cell) throw notFound(uuid);
    const instance = await deps.registry.withCell(cell, ({ db }) => getInstance(db, uuid));
    if (!instance) throw notFound(uuid);
    await deleteInstance(deps, context, cell, instance);
    return;
  }
  throw notFound(uuid);
}

/** The build has no cell yet: remove the request and its mapping, and give the quota back. */
async function deleteBuildRequest(deps: DeleteDeps, uuid: string, projectId: string): Promise<boolean> {
  const build = await loadBuildInstance(deps.api, uuid);
  if (!build) return false;
  await ensureUsageRows(deps.api, [projectId]);
  return retryDeadlocks(() => deps.api.sequelize.transaction(async (transaction) => {
    if (!(await deleteUnscheduled(deps.api, transaction, uuid))) return false;
    await releaseInstances(deps.api, transaction, projectId, usageOf(build.flavor));
    await removeGroupMembers({ sequelize: deps.api.sequelize, transaction }, [uuid]);
    // A worker may have claimed for it a moment ago; it finds the build request gone and undoes its work.
    await freeAllocations(deps.api, [uuid], transaction);
    return true;
  }));
}

async function deleteInstance(deps: DeleteDeps, context: RequestContext, cell: CellMapping, instance: InstanceDetail): Promise<void> {
  await deps.registry.withCell(cell, ({ db }) => startAction(db, instance.uuid, 'delete', { request_id: context.requestId, user_id: context.userId, project_id: context.projectId }));
  await finishDelete(deps, cell, instance, context.requestId);
}

/**
 * The steps of a delete, each safe to run again, so a delete cut short (the API process died, the
 * host never answered) is finished by running them again (the build watchdog does): quota and
 * allocations given back once, the instance marked deleting, the host asked to destroy the guest,
 * or, when it has none or does not answer, the instance deleted in its cell directly.
 */
export async function finishDelete(deps: DeleteDeps, cell: CellMapping, instance: Pick<InstanceDetail, 'uuid' | 'project_id' | 'flavor' | 'host'>, requestId: string): Promise<void> {
  const uuid = instance.uuid;
  await ensureUsageRows(deps.api, [instance.project_id]);
  await retryDeadlocks(() => deps.api.sequelize.transaction(async (transaction) => {
    if (await queueForDelete(deps.api, transaction, uuid)) {
      await releaseInstances(deps.api, transaction, instance.project_id, usageOf(instance.flavor));
    }
    await freeAllocations(deps.api, [uuid], transaction);
    await removeGroupMembers({ sequelize: deps.api.sequelize, transaction }, [uuid]);
  }));
  // Nova deallocates the network before the guest is gone; freeing twice frees nothing more.
  await freeServerPorts(deps.network, [uuid]);
  await deps.registry.withCell(cell, ({ db }) => updateInstance(db, uuid, { task_state: TaskState.DELETING }));
  if (instance.host && !isCell0(cell)) {
    try {
      const compute = await ComputeClient.forCell(deps.registry, cell);
      await compute.terminateInstance(instance.host, { instance_uuid: uuid }, requestId, deps.terminateTimeoutMs);
      return;
    } catch (err) {
      if (!(err instanceof UnavailableError)) throw err;
      deps.log.warn({ request_id: requestId, host: instance.host, err: errorMessage(err) }, 'host did not answer; deleting in the cell directly');
    }
  }
  await deps.registry.withCell(cell, async ({ db }) => {
    await softDeleteInstances(db, [uuid]);
    await recordActionEvent(db, {
      instance_uuid: uuid,
      request_id: requestId,
      action: 'delete',
      event: 'api_local_delete',
      host: instance.host ?? '',
      result: 'Success',
    });
  });
}
