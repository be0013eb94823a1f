import { routeBuilds, type Build } from '../../api-cell/builds/index.js';
import { isCell0 } from '../../api-cell/cells/index.js';
import { addFaults, createInstances, softDeleteInstances } from '../../child-cell/db/index.js';
import { instanceRow } from '../../child-cell/instance/index.js';
import { UnavailableError } from '../../ops/runtime/index.js';
import type { BuildDeps } from './deps.js';
import { createAction } from './instances.js';

/**
 * Buries builds that could not be scheduled in cell0, in ERROR with a fault saying why, as Nova
 * does: the user sees them, and deleting them releases their quota.
 */
export async function buryInCell0(deps: BuildDeps, builds: { build: Build; reason: string; message?: string }[]): Promise<void> {
  if (builds.length === 0) return;
  const cell0 = (await deps.registry.list()).find(isCell0);
  if (!cell0) throw new UnavailableError('cell0 is not mapped: unschedulable builds have nowhere to go (cellctl cell map-cell0)');
  const first = builds[0];
  if (!first) return;
  await deps.registry.withCell(cell0, async ({ db }) => {
    await createInstances(db, builds.map((b) => instanceRow(b.build.instance, null)), builds.map((b) => createAction(b.build.spec)));
    await addFaults(db, builds.map((b) => ({
      instance_uuid: b.build.instance.uuid,
      code: 500,
      message: b.message ?? 'No valid host was found. There are not enough hosts available.',
      details: b.reason,
    })));
  });
  const { gone, routedElsewhere } = await routeBuilds(deps.api, cell0.id, builds.map((b) => b.build.instance.uuid));
  // Deleted by the user, or placed by another run of the job: the ERROR row written here goes.
  const undo = [...gone, ...routedElsewhere.filter((r) => r.cellId !== cell0.id).map((r) => r.uuid)];
  if (undo.length > 0) await deps.registry.withCell(cell0, ({ db }) => softDeleteInstances(db, undo));
  deps.log.info({ count: builds.length, reason: first.reason }, 'builds buried in cell0: no valid host');
}
