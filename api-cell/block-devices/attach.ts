import { InvalidInputError, NotFoundError } from '../../ops/runtime/index.js';
import { attachToServer, detachFromServer, findVolume, type VolumeDeps, type VolumeViewer } from '../volume/index.js';
import type { ApiDatabase } from '../db/index.js';
import { devicesOf, insertBlockDevices, removeDevice, type BlockDevice } from './store.js';

/** The next free /dev/vdX of a server: vda is the root disk. */
function nextDevice(devices: BlockDevice[]): string {
  const used = new Set(devices.map((d) => d.device_name));
  for (let c = 'b'.charCodeAt(0); c <= 'z'.charCodeAt(0); c += 1) {
    const name = `/dev/vd${String.fromCharCode(c)}`;
    if (!used.has(name)) return name;
  }
  throw new InvalidInputError('The server has no free device name left.');
}

export interface AttachRequest {
  volumeId: string;
  device?: string | null | undefined;
  tag?: string | undefined;
  delete_on_termination?: boolean | undefined;
}

/** os-volume_attachments POST: attaches a free volume to a server and records the device. */
export async function attachVolume(api: ApiDatabase, deps: VolumeDeps, viewer: VolumeViewer, instanceUuid: string, host: string | null, req: AttachRequest): Promise<BlockDevice> {
  const volume = await findVolume(deps.db, req.volumeId, viewer);
  const devices = await devicesOf(api, [instanceUuid]);
  if (devices.some((d) => d.volume_id === volume.uuid)) throw new InvalidInputError(`Invalid volume: volume ${volume.uuid} is already attached to the instance.`);
  if (volume.status !== 'available') throw new InvalidInputError(`Invalid volume: volume '${volume.uuid}' status must be 'available'. Currently in '${volume.status}'`);
  const device = req.device || nextDevice(devices);
  if (devices.some((d) => d.device_name === device)) throw new InvalidInputError(`The supplied device path (${device}) is in use.`);
  const attachment = await attachToServer(deps, viewer, volume.uuid, instanceUuid, device, host);
  try {
    const [row] = await insertBlockDevices(api, [{
      instance_uuid: instanceUuid,
      project_id: volume.project_id,
      source_type: 'volume',
      destination_type: 'volume',
      volume_id: volume.uuid,
      attachment_id: attachment.uuid,
      boot_index: null,
      device_name: device,
      delete_on_termination: req.delete_on_termination ?? false,
      volume_size: volume.size,
      tag: req.tag ?? null,
    }]);
    if (!row) throw new Error('the device row was not written');
    return row;
  } catch (err) {
    await detachFromServer(deps, volume.uuid, instanceUuid);
    throw err;
  }
}

/** os-volume_attachments DELETE: detaches a volume that is not the server's root disk. */
export async function detachVolume(api: ApiDatabase, deps: VolumeDeps, instanceUuid: string, volumeId: string): Promise<void> {
  const device = (await devicesOf(api, [instanceUuid])).find((d) => d.volume_id === volumeId);
  if (!device) throw new NotFoundError(`Instance ${instanceUuid} is not attached to volume ${volumeId}`);
  if (device.boot_index === 0) throw new InvalidInputError('Cannot detach a root device volume');
  await detachFromServer(deps, volumeId, instanceUuid);
  await removeDevice(api, device.uuid);
}
