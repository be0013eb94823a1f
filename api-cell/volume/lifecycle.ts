import { randomUUID } from 'node:crypto';
import { InvalidInputError } from '../../ops/runtime/index.js';
import type { VolumeDeps } from './deps.js';
import { withQuota } from './quotas.js';
import type { Snapshot, Volume, VolumeViewer } from './records.js';
import { moveRow, softDeleteRow, updateFields } from './rows.js';
import { findSnapshot, insertSnapshot, snapshotsOfVolume } from './snapshots.js';
import { findVolume } from './volumes.js';

/** Statuses a volume may be deleted from (Cinder's list). */
const DELETABLE = ['available', 'error', 'error_restoring', 'error_extending', 'error_managing'];

/** os-extend: grows an available volume (an in-use one from 3.42); the new GiB must fit the quota. */
export async function extendVolume(deps: VolumeDeps, viewer: VolumeViewer, uuid: string, newSize: number, inUseAllowed: boolean): Promise<void> {
  const volume = await findVolume(deps.db, uuid, viewer);
  const from = inUseAllowed ? ['available', 'in-use'] : ['available'];
  if (!from.includes(volume.status)) {
    throw new InvalidInputError(`Invalid volume: Volume ${uuid} status must be '${from.join("' or '")}' to extend, currently ${volume.status}.`);
  }
  if (newSize <= volume.size) {
    throw new InvalidInputError(`Invalid input received: New size for extend must be greater than current size. (current: ${volume.size}, extended: ${newSize}).`);
  }
  await withQuota(deps.db, deps.config, volume.project_id, { gigabytes: newSize - volume.size }, async (run) => {
    if (!(await moveRow(run, 'volumes', uuid, [volume.status], 'extending'))) throw new InvalidInputError(`Invalid volume: Volume ${uuid} changed status meanwhile.`);
  });
  deps.background(`extend volume ${uuid}`, async () => {
    try {
      if (volume.provider_location) await deps.backend.extend(volume.provider_location, newSize);
      await moveRow(deps.db, 'volumes', uuid, ['extending'], volume.status, { size: newSize });
    } catch (err) {
      deps.log.warn({ err, volume: uuid }, 'volume extend failed');
      await moveRow(deps.db, 'volumes', uuid, ['extending'], 'error_extending');
    }
  }, { table: 'volumes', uuid });
}

/** DELETE: refused while attached or (without cascade) while it has snapshots; the files go after the answer. */
export async function deleteVolume(deps: VolumeDeps, viewer: VolumeViewer, uuid: string, options: { cascade: boolean; force: boolean }): Promise<void> {
  const volume = await findVolume(deps.db, uuid, viewer);
  const snapshots = await snapshotsOfVolume(deps.db, uuid);
  const refused = options.force ? volume.attach_status === 'attached' : !DELETABLE.includes(volume.status) || volume.attach_status !== 'detached';
  if (refused || (snapshots.length > 0 && !options.cascade)) {
    throw new InvalidInputError(
      'Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.',
    );
  }
  if (options.cascade && snapshots.some((s) => !['available', 'error'].includes(s.status))) {
    throw new InvalidInputError('Invalid volume: Snapshot of the volume must be available or error to delete with cascade.');
  }
  if (!(await moveRow(deps.db, 'volumes', uuid, options.force ? [volume.status] : DELETABLE, 'deleting'))) {
    throw new InvalidInputError(`Invalid volume: Volume ${uuid} changed status meanwhile.`);
  }
  for (const snapshot of snapshots) await moveRow(deps.db, 'snapshots', snapshot.uuid, ['available', 'error'], 'deleting');
  deps.background(`delete volume ${uuid}`, () => finishVolumeDelete(deps, volume), { table: 'volumes', uuid });
}

/** The backend half of a delete: the volume's snapshots being deleted with it, its file, its row. */
export async function finishVolumeDelete(deps: VolumeDeps, volume: Volume): Promise<void> {
  for (const snapshot of await snapshotsOfVolume(deps.db, volume.uuid)) {
    if (snapshot.status === 'deleting') await finishSnapshotDelete(deps, snapshot);
  }
  if (volume.provider_location) await deps.backend.remove(volume.provider_location);
  await softDeleteRow(deps.db, 'volumes', volume.uuid);
}

export interface VolumeChanges {
  name?: string | null | undefined;
  description?: string | null | undefined;
  metadata?: Record<string, string> | undefined;
}

export async function updateVolume(deps: VolumeDeps, viewer: VolumeViewer, uuid: string, changes: VolumeChanges): Promise<Volume> {
  await findVolume(deps.db, uuid, viewer);
  await updateFields(deps.db, 'volumes', uuid, Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)));
  return findVolume(deps.db, uuid, viewer);
}

export interface SnapshotSpec {
  volume_id: string;
  name?: string | null | undefined;
  description?: string | null | undefined;
  force?: boolean | undefined;
  metadata?: Record<string, string> | undefined;
}

/** A snapshot is a full copy of the volume's file, made after the answer; an in-use volume needs force. */
export async function createSnapshot(deps: VolumeDeps, viewer: VolumeViewer, spec: SnapshotSpec): Promise<string> {
  const volume = await findVolume(deps.db, spec.volume_id, viewer);
  const allowed = spec.force ? ['available', 'in-use'] : ['available'];
  if (!allowed.includes(volume.status)) {
    throw new InvalidInputError(`Invalid volume: Volume ${volume.uuid} status must be ${allowed.join(' or ')}, but current status is: ${volume.status}.`);
  }
  const uuid = randomUUID();
  await withQuota(deps.db, deps.config, volume.project_id, { snapshots: 1, gigabytes: volume.size }, (run) =>
    insertSnapshot(run, {
      uuid,
      project_id: volume.project_id,
      user_id: viewer.userId,
      volume_uuid: volume.uuid,
      name: spec.name ?? null,
      description: spec.description ?? null,
      size: volume.size,
      metadata: spec.metadata ?? {},
    }),
  );
  deps.background(`create snapshot ${uuid}`, () => finishSnapshot(deps, uuid, volume.provider_location), { table: 'snapshots', uuid });
  return uuid;
}

export async function deleteSnapshot(deps: VolumeDeps, viewer: VolumeViewer, uuid: string, force = false): Promise<void> {
  const snapshot = await findSnapshot(deps.db, uuid, viewer);
  const from = force ? [snapshot.status] : ['available', 'error'];
  if (!from.includes(snapshot.status) || !(await moveRow(deps.db, 'snapshots', uuid, from, 'deleting'))) {
    throw new InvalidInputError('Invalid snapshot: Volume Snapshot status must be available or error and must not be part of a group.');
  }
  deps.background(`delete snapshot ${uuid}`, () => finishSnapshotDelete(deps, snapshot), { table: 'snapshots', uuid });
}

/** The backend half of a snapshot: the copy of its volume's file, then `available` (or `error`). */
export async function finishSnapshot(deps: VolumeDeps, uuid: string, volumePath: string | null): Promise<void> {
  try {
    if (!volumePath) throw new InvalidInputError('the volume has no file');
    const path = await deps.backend.snapshot(volumePath, uuid);
    if (!(await moveRow(deps.db, 'snapshots', uuid, ['creating'], 'available', { provider_location: path }))) await deps.backend.remove(path);
  } catch (err) {
    deps.log.warn({ err, snapshot: uuid }, 'snapshot creation failed');
    await moveRow(deps.db, 'snapshots', uuid, ['creating'], 'error');
  }
}

export async function finishSnapshotDelete(deps: VolumeDeps, snapshot: Snapshot): Promise<void> {
  if (snapshot.provider_location) await deps.backend.remove(snapshot.provider_location);
  await softDeleteRow(deps.db, 'snapshots', snapshot.uuid);
}
