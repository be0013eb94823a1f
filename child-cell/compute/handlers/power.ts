import { errorMessage, type RpcMethods } from '../../../ops/runtime/index.js';
import { PowerState, TaskState, VmState } from '../../instance/index.js';
import type { VirtDriver } from '../../virt/index.js';
import { COMPUTE_LATEST_VERSION, PowerArgs, type PowerOperation } from '../messages.js';
import { isStateConflict, type HostContext } from './context.js';

interface PowerStep {
  run(driver: VirtDriver, uuid: string, args: PowerArgs): Promise<void>;
  tasks: string[];
  vmState: string;
  powerState: number;
  event: string;
  /** The instance action it belongs to, when not named as the operation is. */
  action?: string;
}

/** What each power operation does to the guest, which task it runs under, and where it ends. */
export const powerSteps: Record<PowerOperation, PowerStep> = {
  stop: { run: (d, u) => d.powerOff(u), tasks: [TaskState.POWERING_OFF], vmState: VmState.STOPPED, powerState: PowerState.SHUTDOWN, event: 'compute_stop_instance' },
  start: { run: (d, u) => d.powerOn(u), tasks: [TaskState.POWERING_ON], vmState: VmState.ACTIVE, powerState: PowerState.RUNNING, event: 'compute_start_instance' },
  reboot: { run: (d, u, a) => d.reboot(u, a.hard ?? false), tasks: [TaskState.REBOOTING, TaskState.REBOOTING_HARD], vmState: VmState.ACTIVE, powerState: PowerState.RUNNING, event: 'compute_reboot_instance' },
  pause: { run: (d, u) => d.pause(u), tasks: [TaskState.PAUSING], vmState: VmState.PAUSED, powerState: PowerState.PAUSED, event: 'compute_pause_instance' },
  unpause: { run: (d, u) => d.unpause(u), tasks: [TaskState.UNPAUSING], vmState: VmState.ACTIVE, powerState: PowerState.RUNNING, event: 'compute_unpause_instance' },
  suspend: { run: (d, u) => d.suspend(u), tasks: [TaskState.SUSPENDING], vmState: VmState.SUSPENDED, powerState: PowerState.SUSPENDED, event: 'compute_suspend_instance' },
  resume: { run: (d, u) => d.resume(u), tasks: [TaskState.RESUMING], vmState: VmState.ACTIVE, powerState: PowerState.RUNNING, event: 'compute_resume_instance' },
  rescue: { run: (d, u, a) => d.rescue(u, a.image_ref ?? ''), tasks: [TaskState.RESCUING], vmState: VmState.RESCUED, powerState: PowerState.RUNNING, event: 'compute_rescue_instance' },
  unshelve: { run: (d, u) => d.powerOn(u), tasks: [TaskState.UNSHELVING], vmState: VmState.ACTIVE, powerState: PowerState.RUNNING, event: 'compute_unshelve_instance' },
  changePassword: {
    run: (d, u, a) => d.setAdminPassword(u, a.admin_password ?? ''),
    tasks: [TaskState.UPDATING_PASSWORD],
    vmState: VmState.ACTIVE,
    powerState: PowerState.RUNNING,
    event: 'compute_set_admin_password',
  },
  unrescue: { run: (d, u) => d.unrescue(u), tasks: [TaskState.UNRESCUING], vmState: VmState.ACTIVE, powerState: PowerState.RUNNING, event: 'compute_unrescue_instance' },
  softDelete: { run: (d, u) => d.powerOff(u), tasks: [TaskState.SOFT_DELETING], vmState: VmState.SOFT_DELETED, powerState: PowerState.SHUTDOWN, event: 'compute_soft_delete_instance', action: 'delete' },
  restore: { run: (d, u) => d.powerOn(u), tasks: [TaskState.RESTORING], vmState: VmState.ACTIVE, powerState: PowerState.RUNNING, event: 'compute_restore_instance' },
};

/** Stop, start, reboot, pause, suspend, rescue and their undoing, acknowledged at once and reported when done. */
export function powerMethods(ctx: HostContext): RpcMethods {
  return {
    power_action: {
      version: COMPUTE_LATEST_VERSION,
      schema: PowerArgs,
      handle: async (args: PowerArgs, rpc) => {
        void run(ctx, args, rpc.requestId ?? `req-${args.operation}-${args.instance_uuid}`);
        return { accepted: true };
      },
    },
  };
}

async function run(ctx: HostContext, args: PowerArgs, requestId: string): Promise<void> {
  const step = powerSteps[args.operation];
  const uuid = args.instance_uuid;
  const event = { action: step.action ?? args.operation, event: step.event };
  try {
    await step.run(ctx.driver, uuid, args);
    await ctx.conductor.instanceUpdate(
      {
        uuid,
        host: ctx.host,
        updates: { vm_state: step.vmState, power_state: step.powerState, task_state: null },
        expected_task_state: step.tasks,
        event: { ...event, result: 'Success' },
      },
      requestId,
    );
  } catch (err) {
    if (isStateConflict(err)) {
      ctx.log.info({ instance: uuid, operation: args.operation }, 'instance changed during a power action; nothing to record');
      return;
    }
    ctx.log.warn({ instance: uuid, operation: args.operation, err: errorMessage(err) }, 'power action failed');
    // The guest did not change: clear the task so the instance can be acted on again, and say why.
    await ctx.conductor
      .instanceUpdate(
        {
          uuid,
          host: ctx.host,
          updates: { task_state: null, power_state: ctx.driver.powerState(uuid) },
          expected_task_state: step.tasks,
          event: { ...event, result: 'Error', details: errorMessage(err) },
          fault: { code: 500, message: `${args.operation} failed`, details: errorMessage(err) },
        },
        requestId,
      )
      .catch((e: unknown) => {
        // The instance keeps its task until the conductor hears of it; say so where an operator looks.
        ctx.log.error({ instance: uuid, operation: args.operation, err: errorMessage(e) }, 'could not record the failed power action');
      });
  }
}
