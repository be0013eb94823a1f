import { InvalidInputError, NotFoundError } from '../../ops/runtime/index.js';
import { findSnapshot, findVolume, type VolumeDeps, type VolumeViewer } from '../volume/index.js';
import { findImage } from '../images/index.js';

/** One entry of `block_device_mapping_v2` (or the legacy `block_device_mapping`, turned into this shape). */
export interface BlockDeviceRequest {
  source_type?: string | undefined;
  destination_type?: string | undefined;
  uuid?: string | undefined;
  boot_index?: number | string | null | undefined;
  device_name?: string | null | undefined;
  volume_size?: number | string | null | undefined;
  delete_on_termination?: boolean | string | undefined;
  tag?: string | undefined;
  volume_type?: string | null | undefined;
  no_device?: boolean | undefined;
}

/** A checked device: what to make or attach for each new server. */
export interface PlannedDevice {
  source_type: 'volume' | 'image' | 'snapshot' | 'blank';
  /** The volume to attach, or the image / snapshot to make one from. */
  source_id: string | null;
  boot_index: number | null;
  device_name: string;
  delete_on_termination: boolean;
  volume_size: number | null;
  volume_type: string | null;
  tag: string | null;
}

const invalid = (why: string): InvalidInputError => new InvalidInputError(`Block Device Mapping is Invalid: ${why}`);
const truthy = (value: boolean | string | undefined): boolean => value === true || /^(true|1|yes)$/i.test(String(value ?? ''));

/** The legacy `block_device_mapping` entries in the v2 shape (Nova's BlockDeviceDict.from_legacy). */
export function fromLegacy(entries: Record<string, unknown>[]): BlockDeviceRequest[] {
  return entries.map((e) => {
    const snapshot = typeof e['snapshot_id'] === 'string' ? e['snapshot_id'] : undefined;
    const deviceName = typeof e['device_name'] === 'string' ? e['device_name'] : null;
    return {
      source_type: snapshot ? 'snapshot' : 'volume',
      destination_type: 'volume',
      uuid: snapshot ?? (typeof e['volume_id'] === 'string' ? e['volume_id'] : undefined),
      device_name: deviceName,
      volume_size: e['volume_size'] as number | string | null | undefined,
      delete_on_termination: e['delete_on_termination'] as boolean | string | undefined,
      // A legacy mapping on the root device is the boot disk.
      boot_index: /^\/dev\/[sv]da$|^[sv]da$/.test(deviceName ?? '') ? 0 : null,
      no_device: Boolean(e['no_device']),
    };
  });
}

/**
 * Checks a server's devices as Nova's API does before it accepts the server: one boot disk, the
 * volumes named exist, can be seen and are free, sizes where a volume must be made. Devices with a
 * local destination (the image itself, ephemeral disks) need no volume and are left out.
 */
export async function planBlockDevices(deps: VolumeDeps, viewer: VolumeViewer, requests: BlockDeviceRequest[], imageRef: string, count: number): Promise<PlannedDevice[]> {
  const planned: PlannedDevice[] = [];
  const bootIndexes = requests.map((r) => (r.boot_index === null || r.boot_index === undefined || Number(r.boot_index) < 0 ? null : Number(r.boot_index)));
  if (bootIndexes.filter((b) => b === 0).length > 1) throw invalid('Boot sequence for the instance and image/block device mapping combination is not valid.');
  let next = 'b'.charCodeAt(0);
  for (const [i, r] of requests.entries()) {
    if (r.no_device) continue;
    const source = r.source_type ?? 'volume';
    const destination = r.destination_type ?? (source === 'image' || source === 'blank' ? 'local' : 'volume');
    if (!['volume', 'image', 'snapshot', 'blank'].includes(source) || !['volume', 'local'].includes(destination)) throw invalid(`Invalid source_type ${source} or destination_type ${destination}.`);
    if (destination === 'local') continue;
    const size = r.volume_size === null || r.volume_size === undefined ? null : Number(r.volume_size);
    if ((source === 'image' || source === 'blank') && !size) throw invalid(`Images with destination_type 'volume' need to have a non-zero size specified`);
    if (source !== 'blank' && !r.uuid) throw invalid(`Missing uuid for a ${source} device.`);
    if (source === 'volume' && count > 1) throw new InvalidInputError('Cannot attach one or more volumes to multiple instances');
    const bootIndex = bootIndexes[i] ?? null;
    await checkSource(deps, viewer, source, r.uuid ?? '', bootIndex === 0);
    planned.push({
      source_type: source as PlannedDevice['source_type'],
      source_id: r.uuid ?? null,
      boot_index: bootIndex,
      device_name: r.device_name || (bootIndex === 0 ? '/dev/vda' : `/dev/vd${String.fromCharCode(next++)}`),
      delete_on_termination: truthy(r.delete_on_termination),
      volume_size: size,
      volume_type: r.volume_type ?? null,
      tag: r.tag ?? null,
    });
  }
  const boots = planned.some((d) => d.boot_index === 0);
  if (!imageRef && !boots) throw invalid('Boot sequence for the instance and image/block device mapping combination is not valid.');
  return planned;
}

async function checkSource(deps: VolumeDeps, viewer: VolumeViewer, source: string, id: string, boots: boolean): Promise<void> {
  try {
    if (source === 'volume') {
      const volume = await findVolume(deps.db, id, viewer);
      if (volume.status !== 'available') throw new InvalidInputError(`Invalid volume: volume '${id}' status must be 'available'. Currently in '${volume.status}'`);
      if (boots && !volume.bootable) throw new InvalidInputError(`Block Device ${id} is not bootable.`);
    } else if (source === 'snapshot') {
      const snapshot = await findSnapshot(deps.db, id, viewer);
      if (snapshot.status !== 'available') throw new InvalidInputError(`Invalid snapshot: snapshot '${id}' status must be 'available'. Currently in '${snapshot.status}'`);
    } else if (source === 'image') {
      await findImage(deps.api, id, { projectId: viewer.projectId, isAdmin: viewer.isAdmin });
    }
  } catch (err) {
    if (err instanceof NotFoundError) throw invalid(`failed to get ${source} ${id}.`);
    throw err;
  }
}
