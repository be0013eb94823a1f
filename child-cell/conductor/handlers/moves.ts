import type { Transaction } from 'sequelize';
import { errorMessage, type RpcMethods } from '../../../ops/runtime/index.js';
import { retryDeadlocks, type Runner } from '../../../ops/runtime-db/index.js';
import { addFaults, recordActionEvent, setMigrationStatus, setSystemMetadata, updateInstance } from '../../db/index.js';
import { moveSteps, PowerState, TaskState, VmState } from '../../instance/index.js';
import { CONDUCTOR_VERSION, FinishMoveArgs, FinishRevertArgs, MoveFailedArgs } from '../messages.js';
import type { ConductorDeps } from './deps.js';

type FlavorArgs = FinishMoveArgs['flavor'];

const flavorColumns = (f: FlavorArgs) => ({
  instance_type_id: f.id,
  flavor: JSON.stringify(f),
  vcpus: f.vcpus,
  memory_mb: f.memory_mb,
  root_gb: f.root_gb,
  ephemeral_gb: f.ephemeral_gb,
});


/** Writes for the end of a move, each in one cell transaction (and placement for what a live move leaves). */
export function moveMethods(deps: ConductorDeps): RpcMethods {
  // A deadlock victim (against the API or super-conductor writing the same action) runs again:
  // failing it failed the whole move, a resize ending ACTIVE with an Error action on a busy cell.
  const inTransaction = <T>(work: (run: Runner, t: Transaction) => Promise<T>): Promise<T> =>
    retryDeadlocks(() => deps.db.sequelize.transaction((t) => work({ sequelize: deps.db.sequelize, transaction: t }, t)));
  return {
    finish_move: {
      version: CONDUCTOR_VERSION,
      schema: FinishMoveArgs,
      handle: async (args: FinishMoveArgs, context) => {
        // A live migration or an evacuation is over when the destination runs the guest.
        const over = args.kind === 'live-migration' || args.kind === 'evacuation';
        const finished = await inTransaction(async (run, t) => {
          const moved = await setMigrationStatus(run, args.migration_uuid, moveSteps[args.kind].finishedStatus, ['migrating', 'running'], { host: args.host, node: args.node });
          if (!moved) return false;
          await updateInstance(
            deps.db,
            args.uuid,
            {
              host: args.host,
              node: args.node,
              launched_on: args.host,
              task_state: null,
              ...(args.kind === 'live-migration' ? {} : args.kind === 'evacuation' ? (args.stopped ? { vm_state: VmState.STOPPED, power_state: PowerState.SHUTDOWN } : { vm_state: VmState.ACTIVE, power_state: PowerState.RUNNING }) : { vm_state: VmState.RESIZED, power_state: args.stopped ? PowerState.SHUTDOWN : PowerState.RUNNING, ...flavorColumns(args.flavor) }),
            },
            { task_state: [TaskState.RESIZE_MIGRATING, TaskState.MIGRATING, TaskState.REBUILDING] },
            t,
          );
          if (context.requestId) {
            await recordActionEvent(deps.db, { instance_uuid: args.uuid, request_id: context.requestId, action: moveSteps[args.kind].action, event: moveSteps[args.kind].finishEvent, host: args.host, result: 'Success' }, t);
          }
          return true;
        });
        // What the migration held on the source goes.
        if (finished && over) await deps.placement.deleteAllocations(args.migration_uuid);
        return null;
      },
    },
    move_failed: {
      version: CONDUCTOR_VERSION,
      schema: MoveFailedArgs,
      handle: async (args: MoveFailedArgs, context) => {
        const a = args.source_allocation;
        await deps.placement.replaceAllocations(args.uuid, a.provider_uuid, a.resources, args.project_id, args.user_id).catch((err: unknown) => {
          deps.log.warn({ instance: args.uuid, err: errorMessage(err) }, 'could not give the instance its source allocation back');
        });
        // Best effort: the migration's allocation may never have been made, and the move fails either way.
        await deps.placement.deleteAllocations(args.migration_uuid).catch(() => undefined);
        await inTransaction(async (run, t) => {
          await setMigrationStatus(run, args.migration_uuid, 'error', ['pre-migrating', 'queued', 'migrating', 'running']);
          await updateInstance(deps.db, args.uuid, { task_state: null }, {}, t);
          await addFaults(deps.db, [{ instance_uuid: args.uuid, code: 500, message: `${moveSteps[args.kind].action} failed`, details: args.reason, host: args.host }], t);
          if (context.requestId) {
            await recordActionEvent(deps.db, { instance_uuid: args.uuid, request_id: context.requestId, action: moveSteps[args.kind].action, event: moveSteps[args.kind].finishEvent, host: args.host, result: 'Error', details: args.reason }, t);
          }
        });
        return null;
      },
    },
    finish_revert: {
      version: CONDUCTOR_VERSION,
      schema: FinishRevertArgs,
      handle: async (args: FinishRevertArgs, context) => {
        await inTransaction(async (run, t) => {
          if (!(await setMigrationStatus(run, args.migration_uuid, 'reverted', ['reverting']))) return;
          await updateInstance(
            deps.db,
            args.uuid,
            {
              host: args.host,
              node: args.node,
              launched_on: args.host,
              ...(args.stopped ? { vm_state: VmState.STOPPED, power_state: PowerState.SHUTDOWN } : { vm_state: VmState.ACTIVE, power_state: PowerState.RUNNING }),
              task_state: null,
              ...flavorColumns(args.flavor),
            },
            { task_state: [TaskState.RESIZE_REVERTING] },
            t,
          );
          await setSystemMetadata(run, args.uuid, { old_flavor: null });
          if (context.requestId) {
            await recordActionEvent(deps.db, { instance_uuid: args.uuid, request_id: context.requestId, action: 'revertResize', event: 'compute_finish_revert_resize', host: args.host, result: 'Success' }, t);
          }
        });
        return null;
      },
    },
  };
}
