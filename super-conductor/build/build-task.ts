import { findMappings, loadBuilds, type Build } from '../../api-cell/builds/index.js';
import { isCell0, type CellMapping } from '../../api-cell/cells/index.js';
import { allocationsOf, freeAllocations } from '../../api-cell/placement/index.js';
import { getInstances } from '../../child-cell/db/index.js';
import { TaskState, VmState } from '../../child-cell/instance/index.js';
import { resourcesOf, type Placement } from '../scheduler/index.js';
import type { BuildJob } from '../queue/index.js';
import { buryInCell0 } from './bury.js';
import { castBuild } from './cast.js';
import type { BuildDeps } from './deps.js';
import { routeToCell } from './route.js';

/**
 * Builds one reservation (Nova's schedule_and_build_instances): schedule and claim, bury what
 * cannot be placed in cell0, route the rest to their cells and cast them to their hosts.
 * Safe to run twice: what a previous run finished is found done, what it claimed is reused,
 * and what it routed but may not have cast is cast again.
 */
export async function buildReservation(deps: BuildDeps, job: BuildJob): Promise<void> {
  const log = deps.log.child({ request_id: job.request_id, reservation_id: job.reservation_id });
  const builds = await loadBuilds(deps.api, job.instance_uuids);
  const waiting = new Set(builds.map((b) => b.instance.uuid));
  const earlier = job.instance_uuids.filter((u) => !waiting.has(u));
  if (earlier.length > 0) await recastRouted({ ...deps, log }, earlier, job.request_id);
  if (builds.length === 0) return;

  const held = await allocationsOf(deps.api, builds.map((b) => b.instance.uuid));
  const result = await deps.scheduler.place(builds.map((b) => b.spec), held);
  const byUuid = new Map(builds.map((b) => [b.instance.uuid, b]));
  const buried: { build: Build; reason: string }[] = [];
  let placed = result.placed;
  if (placed.length < Math.min(job.min_count, builds.length)) {
    // All or nothing below min_count: give back what was claimed and bury the whole reservation.
    await freeAllocations(deps.api, placed.map((p) => p.spec.instance_uuid));
    const why = `only ${placed.length} of the ${job.min_count} servers asked for at least could be placed: ${result.unplaced[0]?.reason ?? ''}`;
    for (const b of builds) buried.push({ build: b, reason: why });
    placed = [];
  } else {
    for (const u of result.unplaced) buried.push({ build: byUuid.get(u.spec.instance_uuid) as Build, reason: u.reason });
  }
  await buryInCell0({ ...deps, log }, buried);

  const byCell = new Map<number, Placement[]>();
  for (const p of placed) byCell.set(p.host.cellId, [...(byCell.get(p.host.cellId) ?? []), p]);
  const cells = new Map((await deps.registry.list()).map((c) => [c.id, c]));
  await Promise.all(
    [...byCell].map(([cellId, placements]) => routeToCell({ ...deps, log }, cells.get(cellId) as CellMapping, placements, byUuid, job.request_id)),
  );
  deps.onBuilt?.({ placed: placed.length, buried: buried.length, decisionMs: result.decisionMs, conflicts: result.claimConflicts });
  log.debug({ placed: placed.length, buried: buried.length, decision_ms: result.decisionMs.toFixed(2) }, 'reservation built');
}

/** Instances an earlier run routed to a cell but may have died before casting: cast them again. */
async function recastRouted(deps: BuildDeps, uuids: string[], requestId: string): Promise<void> {
  const mappings = await findMappings(deps.api, uuids);
  const cells = await deps.registry.list();
  const allocations = await allocationsOf(deps.api, uuids);
  for (const cell of cells.filter((c) => !isCell0(c))) {
    const inCell = [...mappings.values()].filter((m) => m.cell_id === cell.id && !m.queued_for_delete).map((m) => m.instance_uuid);
    if (inCell.length === 0) continue;
    const stuck = (await deps.registry.withCell(cell, ({ db }) => getInstances(db, inCell))).filter(
      (i) => i.vm_state === VmState.BUILDING && i.task_state === TaskState.SCHEDULING && i.host,
    );
    for (const instance of stuck) {
      const allocation = allocations.get(instance.uuid);
      if (!allocation || !instance.host || !instance.node) continue;
      const spec = { flavor: instance.flavor } as Parameters<typeof resourcesOf>[0];
      await castBuild(deps, cell, {
        host: instance.host,
        projectId: instance.project_id,
        userId: instance.user_id,
        args: {
          instance: {
            uuid: instance.uuid,
            project_id: instance.project_id,
            user_id: instance.user_id,
            display_name: instance.display_name ?? instance.uuid,
            image_ref: instance.image_ref ?? '',
            node: instance.node,
            flavor: instance.flavor,
          },
          allocation: { provider_uuid: allocation.providerUuid, resources: resourcesOf(spec) },
          alternates: [],
        },
      }, requestId);
    }
  }
}
