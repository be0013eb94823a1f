import { type RpcMethods } from '../../../ops/runtime/index.js';
import { SNAPSHOT_TASKS, TaskState } from '../../instance/index.js';
import { COMPUTE_LATEST_VERSION, SnapshotArgs, type SnapshotResult } from '../messages.js';
import { isStateConflict, joinRun, type HostContext } from './context.js';

/**
 * createImage on the host (Nova's snapshot_instance): the task goes image_snapshot_pending ->
 * image_pending_upload -> image_uploading -> none while the driver copies the disk, and the
 * disk comes back in the answer for the super-conductor to store. A backup (Nova's
 * backup_instance) starts from image_backup instead. The same image asked for again while it
 * is being made waits for that one run.
 */
export function snapshotMethods(ctx: HostContext): RpcMethods {
  const running = new Map<string, Promise<SnapshotResult>>();
  return {
    snapshot_instance: {
      version: COMPUTE_LATEST_VERSION,
      schema: SnapshotArgs,
      handle: (args: SnapshotArgs, rpc) => joinRun(running, args.image_uuid, () => snapshot(ctx, args, rpc.requestId ?? `req-snapshot-${args.image_uuid}`)),
    },
  };
}

async function snapshot(ctx: HostContext, args: SnapshotArgs, requestId: string): Promise<SnapshotResult> {
  const uuid = args.instance_uuid;
  const event = args.backup ? { action: 'createBackup', event: 'compute_backup_instance' } : { action: 'createImage', event: 'compute_snapshot_instance' };
  const step = async (to: string | null, result?: 'Success' | null) => {
    try {
      await ctx.conductor.instanceUpdate(
        {
          uuid,
          host: ctx.host,
          updates: { task_state: to },
          expected_task_state: SNAPSHOT_TASKS,
          ...(result !== undefined ? { event: { ...event, result } } : {}),
        },
        requestId,
      );
    } catch (err) {
      // Sent again after it finished (the task is over): the image is still wanted, so go on.
      if (!isStateConflict(err)) throw err;
    }
  };
  await step(args.backup ? TaskState.IMAGE_BACKUP : TaskState.IMAGE_SNAPSHOT_PENDING, null);
  const upload = ctx.driver.uploadSnapshot?.bind(ctx.driver);
  const disk = upload ? null : await ctx.driver.snapshot(uuid);
  await step(TaskState.IMAGE_PENDING_UPLOAD);
  await step(TaskState.IMAGE_UPLOADING);
  const bytes = upload ? await upload(uuid, args.image_uuid) : (disk?.length ?? 0);
  await step(null, 'Success');
  ctx.log.info({ instance: uuid, image: args.image_uuid, request_id: requestId, bytes }, 'snapshot taken');
  return disk ? { data: disk.toString('base64') } : { data: '', uploaded: true };
}
