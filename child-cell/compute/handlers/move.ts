import { errorMessage, type RpcMethods } from '../../../ops/runtime/index.js';
import { PowerState } from '../../instance/index.js';
import { COMPUTE_BASE_VERSION, COMPUTE_LATEST_VERSION, ReceiveMoveArgs, ReleaseGuestArgs, RevertMoveArgs } from '../messages.js';
import { isStateConflict, type HostContext } from './context.js';

const peerTimeoutMs = 10_000;

/**
 * Moves between two hosts of a cell: the destination spawns the guest (with the new flavor for
 * a resize), has the source release its copy, and reports to the conductor. A reverted resize
 * goes the other way. Each side is acknowledged at once and does its work after.
 */
export function moveMethods(ctx: HostContext): RpcMethods {
  return {
    receive_move: {
      version: COMPUTE_LATEST_VERSION,
      schema: ReceiveMoveArgs,
      handle: async (args: ReceiveMoveArgs, rpc) => {
        void receive(ctx, args, rpc.requestId ?? `req-move-${args.migration_uuid}`);
        return { accepted: true };
      },
    },
    revert_move: {
      version: COMPUTE_BASE_VERSION,
      schema: RevertMoveArgs,
      handle: async (args: RevertMoveArgs, rpc) => {
        void takeBack(ctx, args, rpc.requestId ?? `req-revert-${args.migration_uuid}`);
        return { accepted: true };
      },
    },
    release_guest: {
      version: COMPUTE_BASE_VERSION,
      schema: ReleaseGuestArgs,
      handle: async (args: ReleaseGuestArgs) => {
        const had = ctx.driver.guests().includes(args.instance_uuid);
        if (had) await ctx.driver.destroy(args.instance_uuid);
        ctx.instances.delete(args.instance_uuid);
        return { released: had };
      },
    },
  };
}

async function spawn(ctx: HostContext, instance: ReceiveMoveArgs['instance']): Promise<void> {
  if (ctx.driver.guests().includes(instance.uuid)) return;
  const f = instance.flavor;
  await ctx.driver.spawn({ uuid: instance.uuid, name: instance.display_name, vcpus: f.vcpus, memory_mb: f.memory_mb, disk_gb: f.root_gb + f.ephemeral_gb, image_ref: instance.image_ref });
  ctx.instances.set(instance.uuid, 'running');
}

async function receive(ctx: HostContext, args: ReceiveMoveArgs, requestId: string): Promise<void> {
  const uuid = args.instance.uuid;
  try {
    await spawn(ctx, args.instance);
    if (args.power_off && ctx.driver.powerState(uuid) !== PowerState.SHUTDOWN) await ctx.driver.powerOff(uuid);
    await ctx.peers.releaseGuest(args.source_host, { instance_uuid: uuid }, requestId, peerTimeoutMs).catch((err: unknown) => {
      // The source being away must not strand the instance: it is already running here.
      ctx.log.warn({ instance: uuid, source: args.source_host, err: errorMessage(err) }, 'source host did not release the guest');
    });
    await ctx.conductor.finishMove(
      { uuid, migration_uuid: args.migration_uuid, kind: args.kind, host: ctx.host, node: args.instance.node, flavor: args.instance.flavor, ...(args.power_off ? { stopped: true } : {}) },
      requestId,
    );
  } catch (err) {
    if (isStateConflict(err)) return;
    ctx.log.warn({ instance: uuid, err: errorMessage(err) }, 'could not take the instance over');
    // Best effort: the move is reported failed whether or not the half-made guest goes.
    if (ctx.driver.guests().includes(uuid)) await ctx.driver.destroy(uuid).catch(() => undefined);
    await ctx.conductor
      .moveFailed(
        {
          uuid,
          migration_uuid: args.migration_uuid,
          kind: args.kind,
          host: ctx.host,
          reason: errorMessage(err),
          project_id: args.instance.project_id,
          user_id: args.instance.user_id,
          source_allocation: args.source_allocation,
        },
        requestId,
      )
      .catch((e: unknown) => ctx.log.error({ instance: uuid, err: errorMessage(e) }, 'could not report the failed move'));
  }
}

async function takeBack(ctx: HostContext, args: RevertMoveArgs, requestId: string): Promise<void> {
  const uuid = args.instance.uuid;
  try {
    await spawn(ctx, args.instance);
    if (args.power_off && ctx.driver.powerState(uuid) !== PowerState.SHUTDOWN) await ctx.driver.powerOff(uuid);
    // Best effort: a destination that is down must not stop the revert; its copy is no longer the instance's.
    await ctx.peers.releaseGuest(args.dest_host, { instance_uuid: uuid }, requestId, peerTimeoutMs).catch(() => undefined);
    await ctx.conductor.finishRevert(
      { uuid, migration_uuid: args.migration_uuid, host: ctx.host, node: args.instance.node, flavor: args.instance.flavor, ...(args.power_off ? { stopped: true } : {}) },
      requestId,
    );
  } catch (err) {
    ctx.log.error({ instance: uuid, err: errorMessage(err) }, 'could not take the instance back after a revert');
  }
}
