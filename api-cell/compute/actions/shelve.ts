import { getSystemMetadata, setSystemMetadata, updateInstance } from '../../../child-cell/db/index.js';
import { TaskState, VmState } from '../../../child-cell/instance/index.js';
import { ConflictError, errorMessage, InvalidInputError, UnavailableError } from '../../../ops/runtime/index.js';
import type { RequestContext } from '../../context.js';
import { hostZones, zoneName } from '../../aggregates/index.js';
import { discardImage } from '../../images/index.js';
import { checkZone } from '../create.js';
import { checkLocked, checkState, locate, recordAction, type Target } from '../target.js';
import { startTask } from './cast.js';
import { checkHostInCell } from './hosts.js';
import type { MoveDeps } from './moves.js';
import { powerAction } from './power.js';
import { startImageTask } from './snapshot.js';

const shelvable = { vm: [VmState.ACTIVE, VmState.STOPPED, VmState.PAUSED, VmState.SUSPENDED], task: [null] };

/**
 * shelve: the guest is powered off and its disk kept as a private image "<name>-shelved"; with
 * compute.shelved_offload_time 0 (the default) the server then leaves its host and frees its
 * resources (SHELVED_OFFLOADED); otherwise it stays SHELVED on it until shelveOffload, or until
 * the super-conductor finds it shelved longer than that many seconds.
 */
export async function shelveServer(deps: MoveDeps, context: RequestContext, uuid: string): Promise<void> {
  const target = await locate(deps, context, uuid, 'shelve');
  checkLocked(context, target);
  checkState(target, 'shelve', shelvable);
  const offload = deps.config.compute.shelved_offload_time === 0;
  const name = `${target.instance.display_name ?? uuid}-shelved`;
  await startImageTask(deps, context, target, { name, metadata: {}, task: TaskState.SHELVING, action: 'shelve' }, (imageUuid) =>
    deps.moves.enqueueShelve({ instance_uuid: uuid, cell_uuid: target.cell.uuid, image_uuid: imageUuid, offload, request_id: context.requestId }),
  );
}

/** shelveOffload: a SHELVED server leaves its host now. */
export async function shelveOffloadServer(deps: MoveDeps, context: RequestContext, uuid: string): Promise<void> {
  const target = await locate(deps, context, uuid, 'shelveOffload');
  checkLocked(context, target);
  checkState(target, 'shelveOffload', { vm: [VmState.SHELVED], task: [null] });
  const imageUuid = (await deps.registry.withCell(target.cell, ({ db }) => getSystemMetadata(db, uuid, 'shelved_image_id'))) ?? '';
  await startTask(deps, target, { task_state: TaskState.SHELVING_OFFLOADING }, { vm: [VmState.SHELVED], task: [null] });
  await recordAction(deps, context, target, 'shelveOffload');
  await enqueue(deps, target, () => deps.moves.enqueueShelve({ instance_uuid: uuid, cell_uuid: target.cell.uuid, image_uuid: imageUuid, offload: true, request_id: context.requestId }));
}

export interface UnshelveTarget {
  /** A zone to go to (2.77). */
  zone: string | null;
  /** Any zone, whatever the server was booted into (2.91, availability_zone null). */
  anyZone: boolean;
  /** A host to go to (2.91, admins). */
  host: string | null;
}

/**
 * unshelve: a SHELVED server is powered on where it is; a SHELVED_OFFLOADED one is scheduled
 * again inside its cell (into the zone or onto the host asked for) and spawned from its
 * shelved image.
 */
export async function unshelveServer(deps: MoveDeps, context: RequestContext, uuid: string, to: UnshelveTarget): Promise<void> {
  const { zone, host } = to;
  const target = await locate(deps, context, uuid, 'unshelve');
  checkLocked(context, target);
  checkState(target, 'unshelve', { vm: [VmState.SHELVED, VmState.SHELVED_OFFLOADED], task: [null] });
  if (target.instance.vm_state === VmState.SHELVED) {
    if (zone !== null || to.anyZone || host !== null) throw new ConflictError(`The availability_zone and host parameters can only be used for a shelved offloaded server; ${uuid} is shelved on its host.`);
    await powerAction(deps, context, uuid, 'unshelve');
    await dropShelvedImage(deps, target);
    return;
  }
  if (zone !== null) await checkZone(deps, zone);
  if (host !== null) {
    await checkHostInCell(deps.api, host, target);
    if (zone !== null) {
      const hostZone = zoneName(await hostZones(deps.api, [host]), host, deps.config.scheduler.default_availability_zone);
      if (!hostZone.split(',').includes(zone)) throw new InvalidInputError(`Host ${host} is not in availability zone ${zone}.`);
    }
  }
  await startTask(deps, target, { task_state: TaskState.UNSHELVING }, { vm: [VmState.SHELVED_OFFLOADED], task: [null] });
  await recordAction(deps, context, target, 'unshelve');
  await enqueue(deps, target, () => deps.moves.enqueueUnshelve({ instance_uuid: uuid, cell_uuid: target.cell.uuid, availability_zone: zone, request_id: context.requestId, ...(to.anyZone ? { any_zone: true } : {}), ...(host ? { host } : {}) }));
}

/** Unshelved in place, the server needs its shelved image no more. */
async function dropShelvedImage(deps: MoveDeps, target: Target): Promise<void> {
  const uuid = target.instance.uuid;
  const imageUuid = await deps.registry.withCell(target.cell, async ({ db }) => {
    const id = await getSystemMetadata(db, uuid, 'shelved_image_id');
    await setSystemMetadata(db, uuid, { shelved_image_id: null, shelved_at: null, shelved_host: null });
    return id;
  });
  if (imageUuid) await discardImage(deps.api, imageUuid);
}

/** Queues the job; if the queue cannot take it, the task is undone and the caller told. */
async function enqueue(deps: MoveDeps, target: Target, add: () => Promise<void>): Promise<void> {
  try {
    await add();
  } catch (err) {
    await deps.registry.withCell(target.cell, ({ db }) => updateInstance(db, target.instance.uuid, { task_state: null }));
    throw new UnavailableError(`the request could not be queued: ${errorMessage(err)}`, { cause: err });
  }
}
