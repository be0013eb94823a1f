import { type RpcMethods } from '../../../ops/runtime/index.js';
import { PowerState, SHELVE_TASKS, TaskState, VmState } from '../../instance/index.js';
import { COMPUTE_LATEST_VERSION, ShelveArgs, UnshelveArgs, type SnapshotResult, type UnshelveResult } from '../messages.js';
import { isStateConflict, joinRun, type HostContext } from './context.js';


/** The host's part of a shelve: an offload already under way is not moved back. */
const copyingTasks = SHELVE_TASKS.filter((t) => t !== TaskState.SHELVING_OFFLOADING);

/**
 * shelve_instance powers the guest off and copies its disk (tasks shelving ->
 * shelving_image_pending_upload -> shelving_image_uploading), answering with the disk for the
 * super-conductor to store; the super-conductor then marks it shelved and offloads it.
 * unshelve_instance spawns an offloaded instance here from its shelved image and makes it
 * ACTIVE. Both answer a repeated request with the same outcome instead of doing it twice.
 */
export function shelveMethods(ctx: HostContext): RpcMethods {
  const shelving = new Map<string, Promise<SnapshotResult>>();
  return {
    shelve_instance: {
      version: COMPUTE_LATEST_VERSION,
      schema: ShelveArgs,
      handle: (args: ShelveArgs, rpc) => joinRun(shelving, args.image_uuid, () => shelve(ctx, args, rpc.requestId ?? `req-shelve-${args.instance_uuid}`)),
    },
    unshelve_instance: {
      version: COMPUTE_LATEST_VERSION,
      schema: UnshelveArgs,
      handle: (args: UnshelveArgs, rpc) => unshelve(ctx, args, rpc.requestId ?? `req-unshelve-${args.instance.uuid}`),
    },
  };
}

async function shelve(ctx: HostContext, args: ShelveArgs, requestId: string): Promise<SnapshotResult> {
  const uuid = args.instance_uuid;
  const step = async (to: string) => {
    try {
      await ctx.conductor.instanceUpdate({ uuid, host: ctx.host, updates: { task_state: to }, expected_task_state: copyingTasks }, requestId);
    } catch (err) {
      if (!isStateConflict(err)) throw err; // Sent again after it moved on: the image is still wanted.
    }
  };
  if (ctx.driver.powerState(uuid) !== PowerState.SHUTDOWN) await ctx.driver.powerOff(uuid);
  await step(TaskState.SHELVING_IMAGE_PENDING_UPLOAD);
  const upload = ctx.driver.uploadSnapshot?.bind(ctx.driver);
  const disk = upload ? null : await ctx.driver.snapshot(uuid);
  await step(TaskState.SHELVING_IMAGE_UPLOADING);
  if (upload) await upload(uuid, args.image_uuid);
  ctx.log.info({ instance: uuid, image: args.image_uuid, request_id: requestId }, 'guest powered off and its disk copied for shelving');
  return disk ? { data: disk.toString('base64') } : { data: '', uploaded: true };
}

async function unshelve(ctx: HostContext, args: UnshelveArgs, requestId: string): Promise<UnshelveResult> {
  const { instance } = args;
  const f = instance.flavor;
  if (!ctx.driver.guests().includes(instance.uuid)) {
    ctx.instances.set(instance.uuid, 'building');
    try {
      await ctx.driver.spawn({ uuid: instance.uuid, name: instance.display_name, vcpus: f.vcpus, memory_mb: f.memory_mb, disk_gb: f.root_gb + f.ephemeral_gb, image_ref: instance.image_ref });
    } catch (err) {
      ctx.instances.delete(instance.uuid);
      throw err;
    }
  }
  ctx.instances.set(instance.uuid, 'running');
  try {
    await ctx.conductor.instanceUpdate(
      {
        uuid: instance.uuid,
        host: ctx.host,
        updates: { vm_state: VmState.ACTIVE, task_state: null, power_state: PowerState.RUNNING },
        expected_task_state: [TaskState.UNSHELVING],
        event: { action: 'unshelve', event: 'compute_unshelve_instance', result: 'Success' },
      },
      requestId,
    );
  } catch (err) {
    if (!isStateConflict(err)) throw err; // Already ACTIVE from the first delivery.
  }
  return { spawned: true };
}
