import { deleteVolume, detachFromServer, findVolume, type VolumeDeps } from '../volume/index.js';
import type { ApiDatabase } from '../db/index.js';
import { devicesOf, removeDevice } from './store.js';

/**
 * A deleted server gives its volumes back (Nova's _cleanup_volumes): each is detached, and those
 * with delete_on_termination are deleted; the others are `available` for the next server. Safe
 * to run twice: what is already detached or gone is skipped.
 */
export async function releaseBlockDevices(api: ApiDatabase, deps: VolumeDeps, instanceUuid: string): Promise<void> {
  for (const device of await devicesOf(api, [instanceUuid])) {
    if (device.volume_id) {
      await detachFromServer(deps, device.volume_id, instanceUuid);
      if (device.delete_on_termination) {
        const volume = await findVolume(deps.db, device.volume_id).catch(() => undefined);
        const owner = { projectId: device.project_id, userId: '', isAdmin: true };
        if (volume && volume.status === 'available') await deleteVolume(deps, owner, volume.uuid, { cascade: false, force: false }).catch((err: unknown) => deps.log.warn({ err, volume: volume.uuid }, 'a delete_on_termination volume was kept'));
      }
    }
    await removeDevice(api, device.uuid);
  }
}
