import { errorMessage, type RpcMethods } from '../../../ops/runtime/index.js';
import { PowerState, TaskState, VmState } from '../../instance/index.js';
import { BuildArgs, COMPUTE_BASE_VERSION, TerminateArgs, type BuildAccepted, type TerminateResult } from '../messages.js';
import { isStateConflict, type HostContext } from './context.js';

/** Building and deleting guests on one host (Nova's compute manager, that part). */
export function buildMethods(ctx: HostContext): RpcMethods {
  return {
    build_and_run_instance: {
      version: COMPUTE_BASE_VERSION,
      schema: BuildArgs,
      handle: async (args: BuildArgs, rpc): Promise<BuildAccepted> => {
        const uuid = args.instance.uuid;
        if (ctx.lostCasts && !ctx.lostCasts.has(uuid)) {
          ctx.lostCasts.add(uuid); // Answered, then forgotten: as a host that died right after answering.
          return { accepted: true };
        }
        if (!ctx.instances.has(uuid)) {
          ctx.instances.set(uuid, 'building');
          // Acknowledge now; the build goes on and reports through the conductor.
          void buildAndRun(ctx, args, rpc.requestId ?? `req-build-${uuid}`);
        }
        return { accepted: true };
      },
    },
    terminate_instance: {
      version: COMPUTE_BASE_VERSION,
      schema: TerminateArgs,
      handle: async (args: TerminateArgs, rpc): Promise<TerminateResult> => {
        const uuid = args.instance_uuid;
        ctx.instances.set(uuid, 'deleting');
        if (ctx.driver.guests().includes(uuid)) await ctx.driver.destroy(uuid);
        const { deleted } = await ctx.conductor.instanceDestroy({ uuid, host: ctx.host }, rpc.requestId);
        ctx.instances.delete(uuid);
        return { destroyed: deleted };
      },
    },
  };
}

/** vm_state building, task_state scheduling -> networking -> spawning -> none, vm_state active. */
async function buildAndRun(ctx: HostContext, args: BuildArgs, requestId: string): Promise<void> {
  const { uuid, flavor } = args.instance;
  const event = { action: 'create', event: 'compute_build_and_run_instance' };
  const update = (updates: Record<string, string | number | null>, expected: (string | null)[], result?: 'Success' | null) =>
    ctx.conductor.instanceUpdate(
      {
        uuid,
        host: ctx.host,
        updates,
        expected_vm_state: [VmState.BUILDING],
        expected_task_state: expected,
        ...(result === undefined ? {} : { event: { ...event, result } }),
      },
      requestId,
    );
  try {
    await update({ task_state: TaskState.NETWORKING }, [TaskState.SCHEDULING], null);
    await update({ task_state: TaskState.SPAWNING }, [TaskState.NETWORKING]);
    try {
      await ctx.driver.spawn({
        uuid,
        name: args.instance.display_name,
        vcpus: flavor.vcpus,
        memory_mb: flavor.memory_mb,
        disk_gb: flavor.root_gb + flavor.ephemeral_gb,
        image_ref: args.instance.image_ref,
      });
    } catch (err) {
      await reschedule(ctx, args, requestId, errorMessage(err));
      return;
    }
    await ctx.conductor.instanceUpdate(
      {
        uuid,
        host: ctx.host,
        updates: { vm_state: VmState.ACTIVE, task_state: null, power_state: PowerState.RUNNING, launched_at: Date.now() },
        expected_vm_state: [VmState.BUILDING],
        expected_task_state: [TaskState.SPAWNING],
        event: { ...event, result: 'Success' },
      },
      requestId,
    );
    if (ctx.instances.get(uuid) === 'building') ctx.instances.set(uuid, 'running');
    ctx.onBuilt?.(true);
  } catch (err) {
    if (isStateConflict(err)) {
      // Deleted while building: whoever deleted it owns the cleanup; drop what was spawned here.
      ctx.log.info({ instance: uuid, request_id: requestId }, 'instance changed while building (deleted?); build stopped');
      // Best effort: the instance is gone; a guest that will not go changes nothing for it.
      if (ctx.driver.guests().includes(uuid)) await ctx.driver.destroy(uuid).catch(() => undefined);
    } else {
      ctx.log.error({ instance: uuid, request_id: requestId, err: errorMessage(err) }, 'build failed on this host');
      await putInError(ctx, uuid, requestId, errorMessage(err));
    }
    if (ctx.instances.get(uuid) === 'building') ctx.instances.delete(uuid);
    ctx.onBuilt?.(false);
  }
}

/** Hands a failed spawn to the conductor, which moves it to the next alternate or to ERROR. */
async function reschedule(ctx: HostContext, args: BuildArgs, requestId: string, reason: string): Promise<void> {
  const uuid = args.instance.uuid;
  ctx.instances.delete(uuid);
  // Best effort: the reschedule must go ahead whether or not the failed guest goes.
  if (ctx.driver.guests().includes(uuid)) await ctx.driver.destroy(uuid).catch(() => undefined);
  const { rescheduled_to } = await ctx.conductor.buildFailed({ failed_host: ctx.host, reason, build: args }, requestId);
  ctx.log.warn({ instance: uuid, request_id: requestId, reason, rescheduled_to }, 'spawn failed');
  ctx.onBuilt?.(false);
}

/** Something other than the spawn went wrong: never leave the instance in BUILD. */
async function putInError(ctx: HostContext, uuid: string, requestId: string, reason: string): Promise<void> {
  // Best effort: the instance goes to ERROR whether or not its guest goes.
  if (ctx.driver.guests().includes(uuid)) await ctx.driver.destroy(uuid).catch(() => undefined);
  await ctx.conductor
    .instanceUpdate(
      {
        uuid,
        host: ctx.host,
        updates: { vm_state: VmState.ERROR, task_state: null },
        expected_vm_state: [VmState.BUILDING],
        event: { action: 'create', event: 'compute_build_and_run_instance', result: 'Error', details: reason },
        fault: { code: 500, message: `Build of instance ${uuid} failed`, details: reason },
      },
      requestId,
    )
    .catch((err: unknown) => ctx.log.error({ instance: uuid, err: errorMessage(err) }, 'could not put the instance in ERROR'));
}
