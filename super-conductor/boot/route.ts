import { routeBuilds, type Build } from '../../api-cell/builds/index.js';
import type { CellMapping } from '../../api-cell/cells/index.js';
import { freeServerPorts } from '../../api-cell/network/index.js';
import { freeAllocations } from '../../api-cell/placement/index.js';
import { createInstances, softDeleteInstances } from '../../child-cell/db/index.js';
import { buildMessage, instanceRow, type BuildSubject } from '../../child-cell/instance/index.js';
import type { AlternateArgs } from '../../child-cell/compute/index.js';
import { settleAll } from '../../ops/runtime/index.js';
import { resourcesOf, type Placement } from '../scheduler/index.js';
import { castBuild, type CastTarget } from './cast.js';
import type { BuildDeps } from './deps.js';
import { createAction } from './instances.js';

/**
 * Moves placed builds into their cell: the instances are written to the cell's database, the
 * build requests give way to mappings that name the cell (one API transaction), and each build
 * is cast to its host on the cell's own bus. Builds the user deleted meanwhile are undone.
 */
export async function routeToCell(deps: BuildDeps, cell: CellMapping, placements: Placement[], builds: Map<string, Build>): Promise<void> {
  const first = placements[0];
  if (!first) return;
  const instances = placements.flatMap((p) => {
    const build = builds.get(p.spec.instance_uuid);
    return build ? [instanceRow(build.instance, { host: p.host.host, node: p.host.node, zone: p.host.availabilityZone })] : [];
  });
  await deps.registry.withCell(cell, ({ db }) => createInstances(db, instances, placements.map((p) => createAction(p.spec))));
  const { routed, gone, routedElsewhere } = await routeBuilds(deps.api, cell.id, instances.map((i) => i.uuid));
  if (gone.length > 0) {
    await deps.registry.withCell(cell, ({ db }) => softDeleteInstances(db, gone));
    await freeAllocations(deps.api, gone);
    await freeServerPorts(deps.network, gone);
    deps.log.info({ count: gone.length, cell: cell.name }, 'builds deleted while being scheduled were undone');
  }
  // Another run of the job routed these first and casts them; only a row written here for one
  // that lives in another cell is undone (the allocation is that run's).
  const strays = routedElsewhere.filter((r) => r.cellId !== cell.id).map((r) => r.uuid);
  if (strays.length > 0) await deps.registry.withCell(cell, ({ db }) => softDeleteInstances(db, strays));
  if (routedElsewhere.length > 0) deps.log.warn({ count: routedElsewhere.length, cell: cell.name }, 'builds another run routed first were left to it');
  const routedSet = new Set(routed);
  const casts = placements.flatMap((p) => {
    const build = builds.get(p.spec.instance_uuid);
    if (!build || !routedSet.has(p.spec.instance_uuid)) return [];
    const at = { host: p.host.host, node: p.host.node, providerUuid: p.host.provider.uuid };
    const alternates = p.alternates.map((a) => ({ host: a.host, node: a.node, provider_uuid: a.provider.uuid }));
    return [castBuild(deps, cell, castTarget(build.instance, at, resourcesOf(p.spec), alternates, p.spec.request_id))];
  });
  await settleAll(casts);
}

/** A build cast: the instance's build message to the host it was given, with its claim and alternates. */
export function castTarget(
  instance: BuildSubject,
  at: { host: string; node: string; providerUuid: string },
  resources: Record<string, number>,
  alternates: AlternateArgs[],
  requestId: string,
): CastTarget {
  return {
    host: at.host,
    projectId: instance.project_id,
    userId: instance.user_id,
    requestId,
    args: { instance: buildMessage(instance, at.node), allocation: { provider_uuid: at.providerUuid, resources }, alternates },
  };
}
