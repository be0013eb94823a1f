import { bindServerPorts } from '../../api-cell/network/index.js';
import { respecOf } from './respec.js';
import type { CellMapping } from '../../api-cell/cells/index.js';
import { discardImage } from '../../api-cell/images/index.js';
import { allocationsOf, freeAllocations } from '../../api-cell/placement/index.js';
import { ComputeClient } from '../../child-cell/compute/index.js';
import { getInstance, getSystemMetadata, stepFailed, setSystemMetadata, UnexpectedStateError, updateInstance, type InstanceDetail } from '../../child-cell/db/index.js';
import { buildMessage, TaskState } from '../../child-cell/instance/index.js';
import { errorMessage, ifNotFound, RemoteError, UnavailableError } from '../../ops/runtime/index.js';
import type { TaskDeps } from '../deps.js';
import type { UnshelveJob } from '../queue/index.js';
import type { SnapshotDeps } from './snapshot-task.js';

/**
 * unshelve of an offloaded server (Nova's unshelve_instance through the conductor): the
 * scheduler picks a host in the server's cell (in the zone asked for, else its own) and claims
 * it; the host spawns the guest from the shelved image and makes it ACTIVE; the shelved image
 * goes. Run again after a crash, an instance already placed keeps its host and claim.
 */
export async function unshelveInstance(deps: SnapshotDeps, job: UnshelveJob): Promise<void> {
  const cell = await deps.registry.find(job.cell_uuid);
  const [instance, imageId] = await deps.registry.withCell(cell, async ({ db }) => [await getInstance(db, job.instance_uuid), await getSystemMetadata(db, job.instance_uuid, 'shelved_image_id')] as const);
  if (!instance || instance.task_state !== TaskState.UNSHELVING) return;
  const placed = instance.host && instance.node ? { host: instance.host, node: instance.node } : await place(deps, cell, job, instance);
  if (!placed) return;
  const client = await ComputeClient.forCell(deps.registry, cell);
  const args = {
    instance: buildMessage({ ...instance, image_ref: imageId ?? instance.image_ref }, placed.node),
  };
  try {
    await client.unshelveInstance(placed.host, args, job.request_id, deps.snapshotTimeoutMs);
  } catch (err) {
    if (!(err instanceof RemoteError)) throw err; // The host did not answer: the job runs again.
    await backToShelf(deps, cell, job, 'unshelve failed', `the spawn on ${placed.host} failed: ${errorMessage(err)}`);
    return;
  }
  if (imageId) await discardImage(deps.api, imageId);
  await bindServerPorts(deps.network, job.instance_uuid, placed.host);
  await deps.registry.withCell(cell, async ({ db }) => {
    await setSystemMetadata(db, job.instance_uuid, { shelved_image_id: null, shelved_at: null, shelved_host: null });
  });
  deps.log.info({ instance: job.instance_uuid, host: placed.host }, 'instance unshelved');
}

async function place(deps: TaskDeps, cell: CellMapping, job: UnshelveJob, instance: InstanceDetail): Promise<{ host: string; node: string } | null> {
  const spec = await respecOf(deps.api, cell, instance, {
    flavor: instance.flavor,
    zone: job.any_zone ? null : (job.availability_zone ?? instance.pinned_availability_zone),
    ignoreHosts: [],
    host: job.host ?? null,
    requestId: job.request_id,
  });
  const result = await deps.scheduler.place([spec], await allocationsOf(deps.api, [instance.uuid]));
  const chosen = result.placed[0];
  if (!chosen) {
    await backToShelf(deps, cell, job, 'No valid host was found.', result.unplaced[0]?.reason ?? 'No valid host was found.');
    return null;
  }
  const { host, node, availabilityZone } = chosen.host;
  await deps.registry.withCell(cell, ({ db }) =>
    updateInstance(db, instance.uuid, { host, node, availability_zone: availabilityZone }, { task_state: [TaskState.UNSHELVING] }),
  );
  return { host, node };
}

/** No host, or the spawn failed: the server stays shelved and offloaded, and says why. */
async function backToShelf(deps: TaskDeps, cell: CellMapping, job: UnshelveJob, message: string, reason: string): Promise<void> {
  await freeAllocations(deps.api, [job.instance_uuid]);
  await deps.registry.withCell(cell, ({ db }) =>
    stepFailed(db, job.instance_uuid, {
      updates: { task_state: null, host: null, node: null },
      expected: { task_state: [TaskState.UNSHELVING] },
      fault: { code: message === 'unshelve failed' ? 500 : 400, message, details: reason },
      event: { request_id: job.request_id, action: 'unshelve', event: 'conductor_unshelve_instance' },
    }),
  );
  deps.log.warn({ instance: job.instance_uuid, reason }, 'unshelve failed; the server stays shelved');
}

/** An unshelve job that failed for good. */
export async function failUnshelve(deps: TaskDeps, job: UnshelveJob, reason: string): Promise<void> {
  const cell = await deps.registry.find(job.cell_uuid).catch(ifNotFound(() => undefined));
  if (!cell) return;
  await backToShelf(deps, cell, job, 'unshelve failed', reason).catch((err: unknown) => {
    if (!(err instanceof UnavailableError) && !(err instanceof UnexpectedStateError)) throw err;
  });
}
