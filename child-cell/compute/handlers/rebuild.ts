import { errorMessage, type RpcMethods } from '../../../ops/runtime/index.js';
import { PowerState, TaskState, VmState } from '../../instance/index.js';
import { COMPUTE_BASE_VERSION, RebuildArgs } from '../messages.js';
import { isStateConflict, type HostContext } from './context.js';

/** Rebuild: the guest is destroyed and spawned again from the (new) image, on the same host. */
export function rebuildMethods(ctx: HostContext): RpcMethods {
  return {
    rebuild_instance: {
      version: COMPUTE_BASE_VERSION,
      schema: RebuildArgs,
      handle: async (args: RebuildArgs, rpc) => {
        void rebuild(ctx, args, rpc.requestId ?? `req-rebuild-${args.instance.uuid}`);
        return { accepted: true };
      },
    },
  };
}

async function rebuild(ctx: HostContext, args: RebuildArgs, requestId: string): Promise<void> {
  const { uuid, flavor } = args.instance;
  const event = { action: 'rebuild', event: 'compute_rebuild_instance' };
  try {
    // A server rebuilt while stopped stays stopped, as in Nova.
    const wasStopped = ctx.driver.guests().includes(uuid) && ctx.driver.powerState(uuid) === PowerState.SHUTDOWN;
    if (ctx.driver.guests().includes(uuid)) await ctx.driver.destroy(uuid);
    await ctx.conductor.instanceUpdate({ uuid, host: ctx.host, updates: { task_state: 'rebuild_spawning' }, expected_task_state: [TaskState.REBUILDING], event: { ...event, result: null } }, requestId);
    await ctx.driver.spawn({
      uuid,
      name: args.instance.display_name,
      vcpus: flavor.vcpus,
      memory_mb: flavor.memory_mb,
      disk_gb: flavor.root_gb + flavor.ephemeral_gb,
      image_ref: args.instance.image_ref,
    });
    ctx.instances.set(uuid, 'running');
    if (wasStopped) await ctx.driver.powerOff(uuid);
    const rested = wasStopped ? { vm_state: VmState.STOPPED, power_state: PowerState.SHUTDOWN } : { vm_state: VmState.ACTIVE, power_state: PowerState.RUNNING };
    await ctx.conductor.instanceUpdate(
      {
        uuid,
        host: ctx.host,
        updates: { ...rested, task_state: null, launched_at: Date.now() },
        expected_task_state: ['rebuild_spawning'],
        event: { ...event, result: 'Success' },
      },
      requestId,
    );
  } catch (err) {
    if (isStateConflict(err)) return;
    ctx.log.warn({ instance: uuid, err: errorMessage(err) }, 'rebuild failed');
    await ctx.conductor
      .instanceUpdate(
        {
          uuid,
          host: ctx.host,
          updates: { vm_state: VmState.ERROR, task_state: null },
          event: { ...event, result: 'Error', details: errorMessage(err) },
          fault: { code: 500, message: `Rebuild of instance ${uuid} failed`, details: errorMessage(err) },
        },
        requestId,
      )
      .catch((e: unknown) => {
        // The instance keeps its task until the conductor hears of it; say so where an operator looks.
        ctx.log.error({ instance: uuid, err: errorMessage(e) }, 'could not record the failed rebuild');
      });
  }
}
