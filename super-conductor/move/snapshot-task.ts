import { discardImage, findImage, rotateBackups, storeImageData, type Image } from '../../api-cell/images/index.js';
import type { CellMapping } from '../../api-cell/cells/index.js';
import { ComputeClient } from '../../child-cell/compute/index.js';
import { getInstance, recordActionEvent, updateInstance, UnexpectedStateError } from '../../child-cell/db/index.js';
import { SNAPSHOT_TASKS } from '../../child-cell/instance/index.js';
import { ifNotFound, NotFoundError } from '../../ops/runtime/index.js';
import type { TaskDeps } from '../deps.js';
import type { SnapshotJob } from '../queue/index.js';


export interface SnapshotDeps extends TaskDeps {
  /** How long the host has to copy the disk (super_conductor.snapshot_timeout_ms). */
  snapshotTimeoutMs: number;
}

/**
 * createImage (Nova's snapshot): the instance's host copies the guest's disk and answers with
 * it; the image, queued since the API took the request, takes the data and becomes active.
 * Safe to run again: an image already active is left as it is, and a host makes one snapshot
 * of an image at a time. An image its owner deleted meanwhile ends the task. A backup then
 * rotates: only the newest `rotation` backups of its server and kind are kept.
 */
export async function snapshotInstance(deps: SnapshotDeps, job: SnapshotJob): Promise<void> {
  const cell = await deps.registry.find(job.cell_uuid);
  const image = await findImage(deps.api, job.image_uuid).catch(ifNotFound(() => undefined));
  if (!image) return endTask(deps, cell, job);
  if (image.status !== 'queued') return rotate(deps, job, image);
  const instance = await deps.registry.withCell(cell, ({ db }) => getInstance(db, job.instance_uuid));
  if (!instance?.host) throw new NotFoundError(`instance ${job.instance_uuid} has no host to take a snapshot on`);
  const client = await ComputeClient.forCell(deps.registry, cell);
  const { data, uploaded } = await client.snapshotInstance(instance.host, { instance_uuid: job.instance_uuid, image_uuid: job.image_uuid, ...(job.rotation === undefined ? {} : { backup: true }) }, job.request_id, deps.snapshotTimeoutMs);
  // A QEMU host stored the image in the image service itself.
  if (!uploaded) await storeImageData(deps.api, job.image_uuid, Buffer.from(data, 'base64'));
  deps.log.info({ instance: job.instance_uuid, image: job.image_uuid, host: instance.host }, 'snapshot stored');
  await rotate(deps, job, image);
}

async function rotate(deps: SnapshotDeps, job: SnapshotJob, image: Image): Promise<void> {
  const backupType = image.properties['backup_type'];
  if (job.rotation === undefined || backupType === undefined) return;
  const deleted = await rotateBackups(deps.api, job.instance_uuid, backupType, job.rotation);
  if (deleted.length > 0) deps.log.info({ instance: job.instance_uuid, deleted, rotation: job.rotation }, 'older backups deleted');
}

/** A snapshot that failed for good: the image goes, the server's task ends, its action says why. */
export async function failSnapshot(deps: TaskDeps, job: SnapshotJob, reason: string): Promise<void> {
  await discardImage(deps.api, job.image_uuid);
  const cell = await deps.registry.find(job.cell_uuid).catch(ifNotFound(() => undefined));
  if (!cell) return;
  await endTask(deps, cell, job);
  await deps.registry.withCell(cell, ({ db }) =>
    recordActionEvent(db, { instance_uuid: job.instance_uuid, request_id: job.request_id, action: job.rotation === undefined ? 'createImage' : 'createBackup', event: 'conductor_snapshot_instance', host: '', result: 'Error', details: reason }),
  );
  deps.log.warn({ instance: job.instance_uuid, image: job.image_uuid, reason }, 'snapshot failed; its image was deleted');
}


/** Ends the snapshot task of the server, if it is still in one. */
async function endTask(deps: TaskDeps, cell: CellMapping, job: SnapshotJob): Promise<void> {
  await deps.registry
    .withCell(cell, ({ db }) => updateInstance(db, job.instance_uuid, { task_state: null }, { task_state: SNAPSHOT_TASKS }))
    .catch((err: unknown) => {
      if (!(err instanceof UnexpectedStateError)) throw err;
    });
}
