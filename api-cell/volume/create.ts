import { randomUUID } from 'node:crypto';
import { InvalidInputError } from '../../ops/runtime/index.js';
import { downloadImage, findImage, type Image } from '../images/index.js';
import { attachMade } from './attach.js';
import type { VolumeDeps } from './deps.js';
import { withQuota } from './quotas.js';
import type { Snapshot, Volume, VolumeViewer } from './records.js';
import { moveRow } from './rows.js';
import { findSnapshot } from './snapshots.js';
import { defaultType, findType } from './types.js';
import { findVolume, insertVolume } from './volumes.js';

export interface VolumeSpec {
  size?: number | undefined;
  name?: string | null | undefined;
  description?: string | null | undefined;
  volume_type?: string | undefined;
  availability_zone?: string | undefined;
  snapshot_id?: string | undefined;
  source_volid?: string | undefined;
  imageRef?: string | undefined;
  metadata?: Record<string, string> | undefined;
  multiattach?: boolean | undefined;
  /** A volume the compute API makes for a server (boot from volume): attached to it once it is made. */
  attachTo?: { instance_uuid: string; device: string } | undefined;
}

type Source = { kind: 'blank' } | { kind: 'snapshot'; snapshot: Snapshot } | { kind: 'volume'; volume: Volume } | { kind: 'image'; image: Image };

const GiB = 1024 ** 3;

/** The volume's source, checked: it must be visible to the caller and ready to copy. */
async function resolveSource(deps: VolumeDeps, viewer: VolumeViewer, spec: VolumeSpec): Promise<Source> {
  const given = [spec.snapshot_id, spec.source_volid, spec.imageRef].filter((s) => s !== undefined && s !== null);
  if (given.length > 1) throw new InvalidInputError('Invalid input received: Only one of snapshot_id, source_volid and imageRef may be given.');
  if (spec.snapshot_id) {
    const snapshot = await findSnapshot(deps.db, spec.snapshot_id, viewer);
    if (snapshot.status !== 'available') throw new InvalidInputError(`Invalid snapshot: Originating snapshot status must be one of 'available' values`);
    return { kind: 'snapshot', snapshot };
  }
  if (spec.source_volid) {
    const volume = await findVolume(deps.db, spec.source_volid, viewer);
    if (!['available', 'in-use'].includes(volume.status)) throw new InvalidInputError(`Invalid volume: Source volume status must be 'available' or 'in-use', but current status is: ${volume.status}.`);
    return { kind: 'volume', volume };
  }
  if (spec.imageRef) {
    const image = await findImage(deps.api, spec.imageRef, { projectId: viewer.projectId, isAdmin: viewer.isAdmin }).catch(() => {
      throw new InvalidInputError(`Invalid image identifier or unable to access requested image.`);
    });
    if (image.status !== 'active') throw new InvalidInputError(`Invalid input received: Image ${image.uuid} is not active.`);
    return { kind: 'image', image };
  }
  return { kind: 'blank' };
}

function sizeFor(source: Source, asked: number | undefined): number {
  const floor = source.kind === 'snapshot' ? source.snapshot.size : source.kind === 'volume' ? source.volume.size : 0;
  const size = asked ?? floor;
  if (size <= 0) throw new InvalidInputError(`Invalid input received: Volume size '${asked ?? 'None'}' must be an integer and greater than 0.`);
  if (size < floor) {
    const what = source.kind === 'snapshot' ? 'snapshot' : 'source volume';
    throw new InvalidInputError(`Invalid input received: Volume size '${size}'GB cannot be smaller than the ${what} size ${floor}GB. They must be >= original ${what} size.`);
  }
  if (source.kind === 'image') {
    const image = source.image;
    if (image.size !== null && Math.ceil(image.size / GiB) > size) throw new InvalidInputError(`Invalid input received: Size of specified image ${Math.ceil(image.size / GiB)}GB is larger than volume size ${size}GB.`);
    if (image.min_disk > size) throw new InvalidInputError(`Invalid input received: Volume size ${size}GB cannot be smaller than the image minDisk size ${image.min_disk}GB.`);
  }
  return size;
}

const imageMetadata = (image: Image): Record<string, string> => ({
  ...image.properties,
  image_id: image.uuid,
  image_name: image.name ?? '',
  checksum: image.checksum ?? '',
  container_format: image.container_format ?? '',
  disk_format: image.disk_format ?? '',
  min_disk: String(image.min_disk),
  min_ram: String(image.min_ram),
  size: String(image.size ?? 0),
});

/** Checks, takes quota, writes the volume `creating` and leaves the copy to the backend; answers at once, as Cinder's 202. */
export async function createVolume(deps: VolumeDeps, viewer: VolumeViewer, spec: VolumeSpec): Promise<string> {
  const source = await resolveSource(deps, viewer, spec);
  const size = sizeFor(source, spec.size);
  const zone = spec.availability_zone ?? (source.kind === 'volume' ? source.volume.availability_zone : deps.config.volume.availability_zone);
  if (zone !== deps.config.volume.availability_zone) throw new InvalidInputError(`Invalid input received: Availability zone '${zone}' is invalid.`);
  const type = spec.volume_type ? await findType(deps.db, spec.volume_type, viewer.isAdmin) : source.kind === 'volume' ? await findType(deps.db, source.volume.volume_type_uuid) : await defaultType(deps.db);
  const uuid = randomUUID();
  // A clone, or a volume from a snapshot, is bootable when its origin was, and keeps its image metadata.
  const inherited = source.kind === 'volume' ? source.volume : source.kind === 'snapshot' ? await findVolume(deps.db, source.snapshot.volume_uuid).catch(() => undefined) : undefined;
  await withQuota(deps.db, deps.config, viewer.projectId, { volumes: 1, gigabytes: size }, (run) =>
    insertVolume(run, {
      uuid,
      project_id: viewer.projectId,
      user_id: viewer.userId,
      name: spec.name ?? null,
      description: spec.description ?? null,
      size,
      availability_zone: zone,
      volume_type_uuid: type.uuid,
      snapshot_uuid: source.kind === 'snapshot' ? source.snapshot.uuid : null,
      source_volume_uuid: source.kind === 'volume' ? source.volume.uuid : null,
      image_uuid: source.kind === 'image' ? source.image.uuid : null,
      image_metadata: source.kind === 'image' ? imageMetadata(source.image) : (inherited?.image_metadata ?? null),
      bootable: source.kind === 'image' || (inherited?.bootable ?? false),
      multiattach: spec.multiattach ?? false,
      metadata: spec.metadata ?? {},
    }),
  );
  deps.background(`create volume ${uuid}`, () => fillVolume(deps, uuid, source, size, viewer, spec.attachTo), { table: 'volumes', uuid });
  return uuid;
}

/** Makes the volume's file from its source, then `available`; any failure leaves it in `error`. */
async function fillVolume(deps: VolumeDeps, uuid: string, source: Source, size: number, viewer: VolumeViewer, attachTo: VolumeSpec['attachTo']): Promise<void> {
  try {
    let path: string;
    if (source.kind === 'snapshot') path = await deps.backend.createCopy(uuid, located(source.snapshot.provider_location), size);
    else if (source.kind === 'volume') path = await deps.backend.createCopy(uuid, located(source.volume.provider_location), size);
    else if (source.kind === 'image') {
      const data = await downloadImage(deps.api, source.image.uuid, { projectId: viewer.projectId, isAdmin: viewer.isAdmin });
      // An image registered without data (the deployment's default one) gives a blank bootable volume.
      path = data && data.length > 0 ? await deps.backend.createFromImage(uuid, data, source.image.disk_format, size) : await deps.backend.createBlank(uuid, size);
    } else path = await deps.backend.createBlank(uuid, size);
    const made = attachTo
      ? await attachMade(deps, { uuid, project_id: viewer.projectId }, attachTo.instance_uuid, attachTo.device, path)
      : await moveRow(deps.db, 'volumes', uuid, ['creating'], 'available', { provider_location: path });
    if (!made) await deps.backend.remove(path);
  } catch (err) {
    deps.log.warn({ err, volume: uuid }, 'volume creation failed');
    await moveRow(deps.db, 'volumes', uuid, ['creating'], 'error');
  }
}

function located(path: string | null): string {
  if (!path) throw new InvalidInputError('the source has no file yet');
  return path;
}

/**
 * Takes up the making of a volume whose process stopped meanwhile, from what its row says of its
 * source. A volume that was being made for a server is then `available`: the server's mapping
 * still names it, and a later attach or delete of the server finds it.
 */
export async function resumeVolumeCreate(deps: VolumeDeps, volume: Volume): Promise<void> {
  const owner: VolumeViewer = { projectId: volume.project_id, userId: volume.user_id, isAdmin: true };
  let source: Source = { kind: 'blank' };
  try {
    if (volume.snapshot_uuid) source = { kind: 'snapshot', snapshot: await findSnapshot(deps.db, volume.snapshot_uuid) };
    else if (volume.source_volume_uuid) source = { kind: 'volume', volume: await findVolume(deps.db, volume.source_volume_uuid) };
    else if (volume.image_uuid) source = { kind: 'image', image: await findImage(deps.api, volume.image_uuid) };
  } catch (err) {
    deps.log.warn({ err, volume: volume.uuid }, 'the source of a stalled volume is gone');
    await moveRow(deps.db, 'volumes', volume.uuid, ['creating'], 'error');
    return;
  }
  await fillVolume(deps, volume.uuid, source, volume.size, owner, undefined);
}
