import { TaskState, VmState } from '../../../child-cell/instance/index.js';
import { updateInstance, type InstanceDetail } from '../../../child-cell/db/index.js';
import { errorMessage, ifNotFound, UnavailableError } from '../../../ops/runtime/index.js';
import type { RequestContext } from '../../context.js';
import { createImage, discardImage, findImage, type Image } from '../../images/index.js';
import { checkState, locate, recordAction, type Target } from '../target.js';
import { startTask } from './cast.js';
import type { MoveDeps } from './moves.js';

/** createBackup's own part: the kind of backup, and how many of that kind the server keeps. */
export interface BackupRequest {
  type: string;
  rotation: number;
}

/**
 * createImage (Nova's snapshot) and createBackup: a private, queued image of the server's disk
 * is made at once; the server's task is image_snapshot (image_backup) until its host has copied
 * the disk and the super-conductor has stored it, when the image turns active. A backup then
 * leaves only the newest `rotation` backups of its type. Returns the image's id.
 */
export async function snapshotServer(deps: MoveDeps, context: RequestContext, uuid: string, name: string, metadata: Record<string, string>, backup?: BackupRequest): Promise<string> {
  const action = backup ? 'createBackup' : 'createImage';
  const target = await locate(deps, context, uuid, action);
  checkState(target, action, { vm: [VmState.ACTIVE, VmState.STOPPED, VmState.PAUSED, VmState.SUSPENDED], task: [null] });
  // A backup's kind has the last word over the caller's metadata (Nova).
  const properties = backup ? { ...metadata, image_type: 'backup', backup_type: backup.type } : metadata;
  const task = backup ? TaskState.IMAGE_BACKUP : TaskState.IMAGE_SNAPSHOT;
  return startImageTask(deps, context, target, { name, metadata: properties, task, action }, (imageUuid) =>
    deps.moves.enqueueSnapshot({ instance_uuid: uuid, cell_uuid: target.cell.uuid, image_uuid: imageUuid, request_id: context.requestId, ...(backup ? { rotation: backup.rotation } : {}) }),
  );
}

interface ImageTask {
  name: string;
  metadata: Record<string, string>;
  /** The task the server is in until the super-conductor's job is done. */
  task: string;
  action: string;
}

/**
 * Starts work that ends in an image of the server's disk (createImage, shelve): a queued image,
 * the server's task, its action, then the super-conductor's job. If the task cannot start or
 * the job cannot be queued, the image goes and the task is undone. Returns the image's id.
 */
export async function startImageTask(deps: MoveDeps, context: RequestContext, target: Target, t: ImageTask, enqueue: (imageUuid: string) => Promise<void>): Promise<string> {
  const i = target.instance;
  const image = await queueSnapshotImage(deps, i, t.name, t.metadata);
  try {
    await startTask(deps, target, { task_state: t.task }, { vm: [i.vm_state], task: [null] });
  } catch (err) {
    await discardImage(deps.api, image.uuid);
    throw err;
  }
  await recordAction(deps, context, target, t.action);
  try {
    await enqueue(image.uuid);
  } catch (err) {
    await discardImage(deps.api, image.uuid);
    await deps.registry.withCell(target.cell, ({ db }) => updateInstance(db, i.uuid, { task_state: null }));
    throw new UnavailableError(`the ${t.action} could not be queued: ${errorMessage(err)}`, { cause: err });
  }
  return image.uuid;
}

/** A private, queued image for a copy of the instance's disk, shaped like the image it booted from. */
export async function queueSnapshotImage(deps: Pick<MoveDeps, 'api'>, i: InstanceDetail, name: string, metadata: Record<string, string>): Promise<Image> {
  const base = i.image_ref ? await findImage(deps.api, i.image_ref).catch(ifNotFound(() => undefined)) : undefined;
  return createImage(deps.api, {
    name,
    owner: i.project_id,
    visibility: 'private',
    status: 'queued',
    disk_format: base?.disk_format ?? 'qcow2',
    container_format: base?.container_format ?? 'bare',
    min_disk: Math.max(i.flavor.root_gb, base?.min_disk ?? 0),
    min_ram: base?.min_ram ?? 0,
    // The caller's metadata has the last word, over the snapshot's own properties too (Nova).
    properties: { ...base?.properties, image_type: 'snapshot', instance_uuid: i.uuid, user_id: i.user_id, base_image_ref: i.image_ref ?? '', ...metadata },
  });
}
