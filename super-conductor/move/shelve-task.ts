import { bindServerPorts } from '../../api-cell/network/index.js';
import type { CellMapping } from '../../api-cell/cells/index.js';
import { discardImage, findImage, storeImageData } from '../../api-cell/images/index.js';
import { freeAllocations } from '../../api-cell/placement/index.js';
import { ComputeClient } from '../../child-cell/compute/index.js';
import { addFaults, getInstance, markShelved, recordActionEvent, updateInstance, UnexpectedStateError } from '../../child-cell/db/index.js';
import { SHELVE_TASKS, TaskState, VmState } from '../../child-cell/instance/index.js';
import { ifNotFound, NotFoundError } from '../../ops/runtime/index.js';
import type { TaskDeps } from '../deps.js';
import type { ShelveJob } from '../queue/index.js';
import type { SnapshotDeps } from './snapshot-task.js';


/**
 * shelve (Nova's shelve_instance and shelve_offload_instance): the host powers the guest off and
 * copies its disk into the shelved image; the server is SHELVED with the image noted in its
 * system metadata. Offloaded, its guest is destroyed, its allocation freed and it has no host
 * (SHELVED_OFFLOADED) until unshelved. Safe to run again from any step: a stored image is not
 * copied again, and the allocation is freed before the state says it was.
 */
export async function shelveInstance(deps: SnapshotDeps, job: ShelveJob): Promise<void> {
  const cell = await deps.registry.find(job.cell_uuid);
  const instance = await deps.registry.withCell(cell, ({ db }) => getInstance(db, job.instance_uuid));
  if (!instance || !SHELVE_TASKS.includes(instance.task_state ?? '')) return;
  const client = await ComputeClient.forCell(deps.registry, cell);
  const image = await findImage(deps.api, job.image_uuid).catch(ifNotFound(() => undefined));
  if (image?.status === 'queued') {
    if (!instance.host) throw new NotFoundError(`instance ${job.instance_uuid} has no host to shelve it on`);
    const { data, uploaded } = await client.shelveInstance(instance.host, { instance_uuid: job.instance_uuid, image_uuid: job.image_uuid }, job.request_id, deps.snapshotTimeoutMs);
    // A QEMU host stored the image in the image service itself.
    if (!uploaded) await storeImageData(deps.api, job.image_uuid, Buffer.from(data, 'base64'));
  }
  await deps.registry.withCell(cell, ({ db }) =>
    markShelved(db, job.instance_uuid, { imageUuid: job.image_uuid, host: instance.host, offload: job.offload, firstTime: instance.vm_state !== VmState.SHELVED }),
  );
  deps.log.info({ instance: job.instance_uuid, image: job.image_uuid, host: instance.host, offload: job.offload }, 'instance shelved');
  if (job.offload) await offload(deps, cell, client, job, instance.host);
}

/** The guest goes from its host, then the allocation, then the host from the instance. */
async function offload(deps: TaskDeps, cell: CellMapping, client: ComputeClient, job: ShelveJob, host: string | null): Promise<void> {
  if (host) await client.releaseGuest(host, { instance_uuid: job.instance_uuid }, job.request_id, deps.castTimeoutMs);
  await freeAllocations(deps.api, [job.instance_uuid]);
  await bindServerPorts(deps.network, job.instance_uuid, '');
  await deps.registry.withCell(cell, ({ db }) =>
    updateInstance(db, job.instance_uuid, { vm_state: VmState.SHELVED_OFFLOADED, task_state: null, host: null, node: null }, { task_state: [TaskState.SHELVING_OFFLOADING] }),
  );
  deps.log.info({ instance: job.instance_uuid, host }, 'shelved instance offloaded');
}

/** A shelve that failed for good: the server keeps running where it was, and its action says why. */
export async function failShelve(deps: TaskDeps, job: ShelveJob, reason: string): Promise<void> {
  const image = await findImage(deps.api, job.image_uuid).catch(ifNotFound(() => undefined));
  if (image?.status === 'queued') await discardImage(deps.api, job.image_uuid);
  const cell = await deps.registry.find(job.cell_uuid).catch(ifNotFound(() => undefined));
  if (!cell) return;
  await deps.registry.withCell(cell, async ({ db }) => {
    try {
      await updateInstance(db, job.instance_uuid, { task_state: null }, { task_state: SHELVE_TASKS });
    } catch (err) {
      if (!(err instanceof UnexpectedStateError)) throw err;
      return;
    }
    await addFaults(db, [{ instance_uuid: job.instance_uuid, code: 500, message: 'shelve failed', details: reason }]);
    await recordActionEvent(db, { instance_uuid: job.instance_uuid, request_id: job.request_id, action: 'shelve', event: 'conductor_shelve_instance', host: '', result: 'Error', details: reason });
  });
  deps.log.warn({ instance: job.instance_uuid, reason }, 'shelve failed');
}

