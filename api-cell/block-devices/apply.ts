import { attachToServer, createVolume, detachFromServer, type VolumeDeps, type VolumeViewer } from '../volume/index.js';
import type { ApiDatabase } from '../db/index.js';
import type { PlannedDevice } from './plan.js';
import { insertBlockDevices, type NewBlockDevice } from './store.js';

/**
 * Gives new servers their devices: an existing volume is attached at once, an image, snapshot or
 * blank source becomes a new volume the volume service attaches once it is made. On a failure,
 * what was attached is detached again and the error is the caller's to answer.
 */
export async function applyBlockDevices(api: ApiDatabase, deps: VolumeDeps, viewer: VolumeViewer, plan: PlannedDevice[], instanceUuids: string[]): Promise<void> {
  const rows: NewBlockDevice[] = [];
  const attached: [string, string][] = [];
  try {
    for (const instance of instanceUuids) {
      for (const device of plan) {
        let volumeId: string;
        let attachmentId: string | null = null;
        if (device.source_type === 'volume') {
          volumeId = device.source_id ?? '';
          attachmentId = (await attachToServer(deps, viewer, volumeId, instance, device.device_name, null)).uuid;
          attached.push([volumeId, instance]);
        } else {
          volumeId = await createVolume(deps, viewer, {
            size: device.volume_size ?? undefined,
            imageRef: device.source_type === 'image' ? (device.source_id ?? undefined) : undefined,
            snapshot_id: device.source_type === 'snapshot' ? (device.source_id ?? undefined) : undefined,
            volume_type: device.volume_type ?? undefined,
            name: '',
            attachTo: { instance_uuid: instance, device: device.device_name },
          });
        }
        rows.push({
          instance_uuid: instance,
          project_id: viewer.projectId,
          source_type: device.source_type,
          destination_type: 'volume',
          volume_id: volumeId,
          attachment_id: attachmentId,
          boot_index: device.boot_index,
          device_name: device.device_name,
          delete_on_termination: device.delete_on_termination,
          volume_size: device.volume_size,
          tag: device.tag,
        });
      }
    }
    await insertBlockDevices(api, rows);
  } catch (err) {
    for (const [volume, instance] of attached) await detachFromServer(deps, volume, instance);
    throw err;
  }
}
