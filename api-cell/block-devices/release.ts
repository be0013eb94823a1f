import { deleteVolume, detachFromServer, findVolume, type VolumeDeps } from '../volume/index.js';
import type { ApiDatabase } from '../db/index.js';
import { devicesOf, removeDevice, type BlockDevice } from './store.js';

/** How long a volume still being made for a deleted server is waited for before it is left as it is. */
const MAKING_WAIT_MS = 600_000;

/**
 * A deleted server gives its volumes back (Nova's _cleanup_volumes): each is detached, and those
 * with delete_on_termination are deleted; the others are `available` for the next server. A
 * volume the backend is still making for it is given back once made, after the answer. Safe to
 * run twice: what is already detached or gone is skipped.
 */
export async function releaseBlockDevices(api: ApiDatabase, deps: VolumeDeps, instanceUuid: string): Promise<void> {
  for (const device of await devicesOf(api, [instanceUuid])) {
    await removeDevice(api, device.uuid);
    if (!device.volume_id) continue;
    const volume = await findVolume(deps.db, device.volume_id).catch(() => undefined);
    if (volume?.status === 'creating') deps.background(`give back volume ${volume.uuid}`, () => giveBackWhenMade(deps, device));
    else await giveBack(deps, device);
  }
}

async function giveBackWhenMade(deps: VolumeDeps, device: BlockDevice): Promise<void> {
  const deadline = Date.now() + MAKING_WAIT_MS;
  // The backend attaches the volume in the step that ends its making: wait for that, then undo it.
  while (Date.now() < deadline) {
    const volume = await findVolume(deps.db, device.volume_id ?? '').catch(() => undefined);
    if (volume?.status !== 'creating') break;
    await new Promise((done) => setTimeout(done, 200));
  }
  await giveBack(deps, device);
}

async function giveBack(deps: VolumeDeps, device: BlockDevice): Promise<void> {
  const volumeId = device.volume_id ?? '';
  await detachFromServer(deps, volumeId, device.instance_uuid);
  if (!device.delete_on_termination) return;
  const volume = await findVolume(deps.db, volumeId).catch(() => undefined);
  const owner = { projectId: device.project_id, userId: '', isAdmin: true };
  if (volume?.status === 'available') {
    await deleteVolume(deps, owner, volumeId, { cascade: false, force: false }).catch((err: unknown) => deps.log.warn({ err, volume: volumeId }, 'a delete_on_termination volume was kept'));
  }
}
