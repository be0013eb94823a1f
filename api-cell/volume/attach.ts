import { InvalidInputError } from '../../ops/runtime/index.js';
import { attachmentsOfVolumes, findAttachment, insertAttachment, setAttachment, softDeleteAttachment } from './attachments.js';
import type { VolumeDeps } from './deps.js';
import type { Attachment, Volume, VolumeViewer } from './records.js';
import { moveRow } from './rows.js';
import { findVolume } from './volumes.js';

/** How a host reaches the volume: the file itself (os-brick's `local` type) until volumes are exported over NBD. */
export function connectionInfo(volume: Volume, attachment: Attachment): Record<string, unknown> {
  return {
    driver_volume_type: 'local',
    data: { device_path: volume.provider_location, format: volume.provider_location?.endsWith('.raw') ? 'raw' : 'qcow2', access_mode: attachment.attach_mode, volume_id: volume.uuid },
    attachment_id: attachment.uuid,
  };
}

export interface AttachmentSpec {
  volume_uuid: string;
  instance_uuid?: string | null | undefined;
  connector?: Record<string, unknown> | null | undefined;
  mode?: 'rw' | 'ro' | undefined;
}

/**
 * Reserves a volume for a server (Cinder's attachment_create): `reserved` without a connector,
 * `attaching` with one. An attached volume takes another attachment only when it is multiattach.
 */
export async function createAttachment(deps: VolumeDeps, viewer: VolumeViewer, spec: AttachmentSpec): Promise<Attachment> {
  const volume = await findVolume(deps.db, spec.volume_uuid, viewer);
  const from = volume.multiattach ? ['available', 'reserved', 'in-use', 'attaching'] : ['available'];
  if (!from.includes(volume.status)) {
    throw new InvalidInputError(`Invalid volume: Volume ${volume.uuid} status must be available or downloading to reserve, but the current status is ${volume.status}.`);
  }
  const connector = spec.connector ?? null;
  return deps.db.sequelize.transaction(async (transaction) => {
    const run = { sequelize: deps.db.sequelize, transaction };
    const next = connector ? 'attaching' : volume.status === 'in-use' ? 'in-use' : 'reserved';
    if (!(await moveRow(run, 'volumes', volume.uuid, [volume.status], next, connector ? { attach_status: 'attaching' } : {}))) {
      throw new InvalidInputError(`Invalid volume: Volume ${volume.uuid} changed status meanwhile.`);
    }
    const uuid = await insertAttachment(run, {
      volume_uuid: volume.uuid,
      project_id: volume.project_id,
      instance_uuid: spec.instance_uuid ?? null,
      attach_status: connector ? 'attaching' : 'reserved',
      attach_mode: spec.mode ?? 'rw',
      connector,
    });
    return findAttachment(run, uuid);
  });
}

/** attachment_update: the host's connector arrives; the answer carries how to connect. */
export async function updateAttachment(deps: VolumeDeps, viewer: VolumeViewer, uuid: string, connector: Record<string, unknown>): Promise<Attachment> {
  const attachment = await findAttachment(deps.db, uuid, viewer);
  if (!['reserved', 'attaching', 'attached'].includes(attachment.attach_status)) {
    throw new InvalidInputError(`Invalid volume: Attachment ${uuid} status is ${attachment.attach_status}; it cannot be updated.`);
  }
  const volume = await findVolume(deps.db, attachment.volume_uuid);
  if (!['reserved', 'attaching', 'in-use'].includes(volume.status)) {
    throw new InvalidInputError(`Invalid volume: Volume ${volume.uuid} status must be reserved or attaching, but the current status is ${volume.status}.`);
  }
  const host = typeof connector['host'] === 'string' ? connector['host'] : null;
  const mountpoint = typeof connector['mountpoint'] === 'string' ? connector['mountpoint'] : null;
  await setAttachment(deps.db, uuid, { connector, attached_host: host, mountpoint, attach_status: attachment.attach_status === 'attached' ? 'attached' : 'attaching' });
  if (volume.status === 'reserved') await moveRow(deps.db, 'volumes', volume.uuid, ['reserved'], 'attaching', { attach_status: 'attaching' });
  return findAttachment(deps.db, uuid);
}

/** os-complete: the host has connected; the volume is in-use. Safe to run twice. */
export async function completeAttachment(deps: VolumeDeps, viewer: VolumeViewer, uuid: string): Promise<void> {
  const attachment = await findAttachment(deps.db, uuid, viewer);
  if (attachment.attach_status === 'attached') return;
  if (!attachment.connector) throw new InvalidInputError(`Invalid volume: Attachment ${uuid} has no connector yet; update it first.`);
  await deps.db.sequelize.transaction(async (transaction) => {
    const run = { sequelize: deps.db.sequelize, transaction };
    await setAttachment(run, uuid, { attach_status: 'attached', attach_time: new Date() });
    await moveRow(run, 'volumes', attachment.volume_uuid, ['reserved', 'attaching', 'in-use'], 'in-use', { attach_status: 'attached' });
  });
}

/**
 * Ends an attachment (a detach, or a reservation given back); the volume is `available` again once
 * it has no other attachment. Answers the volume's attachments left. Safe to run twice.
 */
export async function deleteAttachment(deps: VolumeDeps, viewer: VolumeViewer, uuid: string): Promise<Attachment[]> {
  const attachment = await findAttachment(deps.db, uuid, viewer);
  return deps.db.sequelize.transaction(async (transaction) => {
    const run = { sequelize: deps.db.sequelize, transaction };
    await softDeleteAttachment(run, uuid);
    const left = await attachmentsOfVolumes(run, [attachment.volume_uuid]);
    const busy = ['reserved', 'attaching', 'in-use', 'detaching'];
    if (left.length === 0) await moveRow(run, 'volumes', attachment.volume_uuid, busy, 'available', { attach_status: 'detached' });
    else if (!left.some((a) => a.attach_status === 'attached')) await moveRow(run, 'volumes', attachment.volume_uuid, busy, 'reserved', { attach_status: 'detached' });
    return left;
  });
}

/**
 * Nova's whole attach on the volume side in one call: reserve, connect (`host` and `mountpoint`
 * as the connector says them) and complete. Used where the compute API attaches a volume itself.
 */
export async function attachToServer(deps: VolumeDeps, viewer: VolumeViewer, volumeUuid: string, instanceUuid: string, device: string, host: string | null): Promise<Attachment> {
  const reserved = await createAttachment(deps, viewer, { volume_uuid: volumeUuid, instance_uuid: instanceUuid });
  try {
    await updateAttachment(deps, viewer, reserved.uuid, { host, mountpoint: device, instance: instanceUuid });
    await completeAttachment(deps, viewer, reserved.uuid);
  } catch (err) {
    await deleteAttachment(deps, viewer, reserved.uuid);
    throw err;
  }
  return findAttachment(deps.db, reserved.uuid);
}

/** Ends every attachment of a volume to a server (a detach, or the server deleted); safe to run twice. */
export async function detachFromServer(deps: VolumeDeps, volumeUuid: string, instanceUuid: string): Promise<void> {
  const attachments = (await attachmentsOfVolumes(deps.db, [volumeUuid])).filter((a) => a.instance_uuid === instanceUuid);
  for (const a of attachments) await deleteAttachment(deps, { projectId: a.project_id, userId: '', isAdmin: true }, a.uuid);
}

/**
 * A volume just made for a server becomes in-use and attached to it in one transaction, so it is
 * never `available` in between for another request to take. Answers false when it was no longer
 * `creating` (deleted meanwhile).
 */
export async function attachMade(deps: VolumeDeps, volume: { uuid: string; project_id: string }, instanceUuid: string, device: string, path: string): Promise<boolean> {
  return deps.db.sequelize.transaction(async (transaction) => {
    const run = { sequelize: deps.db.sequelize, transaction };
    if (!(await moveRow(run, 'volumes', volume.uuid, ['creating'], 'in-use', { provider_location: path, attach_status: 'attached' }))) return false;
    const uuid = await insertAttachment(run, { volume_uuid: volume.uuid, project_id: volume.project_id, instance_uuid: instanceUuid, attach_status: 'attached', attach_mode: 'rw', connector: { host: null, mountpoint: device, instance: instanceUuid } });
    await setAttachment(run, uuid, { mountpoint: device, attach_time: new Date() });
    return true;
  });
}
