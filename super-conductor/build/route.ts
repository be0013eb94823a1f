import { routeBuilds, type Build } from '../../api-cell/builds/index.js';
import type { CellMapping } from '../../api-cell/cells/index.js';
import { freeAllocations } from '../../api-cell/placement/index.js';
import { createInstances, softDeleteInstances } from '../../child-cell/db/index.js';
import { settleAll } from '../../ops/runtime/index.js';
import { resourcesOf, type Placement } from '../scheduler/index.js';
import { castBuild, type CastTarget } from './cast.js';
import type { BuildDeps } from './deps.js';
import { createAction, newInstance } from './instances.js';

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
    return build ? [newInstance(build, { host: p.host.host, node: p.host.node, zone: p.host.availabilityZone })] : [];
  });
  await deps.registry.withCell(cell, ({ db }) => createInstances(db, instances, placements.map((p) => createAction(p.spec))));
  const { routed, gone, routedElsewhere } = await routeBuilds(deps.api, cell.id, instances.map((i) => i.uuid));
  if (gone.length > 0) {
    await deps.registry.withCell(cell, ({ db }) => softDeleteInstances(db, gone));
    await freeAllocations(deps.api, gone);
    deps.log.info({ count: gone.length, cell: cell.name }, 'builds deleted while being scheduled were undone');
  }
  // Another run of the job routed these first and casts them; only a row written here for one
  // that lives in another cell is undone (the allocation is that run's).
  const strays = routedElsewhere.filter((r) => r.cellId !== cell.id).map((r) => r.uuid);
  if (strays.length > 0) await deps.registry.withCell(cell, ({ db }) => softDeleteInstances(db, strays));
  if (routedElsewhere.length > 0) deps.log.warn({ count: routedElsewhere.length, cell: cell.name }, 'builds another run routed first were left to it');
  const routedSet = new Set(routed);
  const casts = placements
    .filter((p) => routedSet.has(p.spec.instance_uuid))
    .map((p) => castBuild(deps, cell, castTarget(p, builds.get(p.spec.instance_uuid)?.instance.display_name)));
  await settleAll(casts);
}

export function castTarget(p: Placement, displayName = p.spec.instance_uuid): CastTarget {
  const s = p.spec;
  return {
    host: p.host.host,
    projectId: s.project_id,
    userId: s.user_id,
    requestId: s.request_id,
    args: {
      instance: {
        uuid: s.instance_uuid,
        project_id: s.project_id,
        user_id: s.user_id,
        display_name: displayName,
        image_ref: s.image.id,
        node: p.host.node,
        flavor: s.flavor,
      },
      allocation: { provider_uuid: p.host.provider.uuid, resources: resourcesOf(s) },
      alternates: p.alternates.map((a) => ({ host: a.host, node: a.node, provider_uuid: a.provider.uuid })),
    },
  };
}
