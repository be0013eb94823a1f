import type { PowerOperation } from '../../../child-cell/compute/index.js';
import { TaskState } from '../../../child-cell/instance/index.js';
import type { RequestContext } from '../../context.js';
import type { ShowDeps } from '../show.js';
import { checkLocked, checkState, locate, recordAction } from '../target.js';
import { castToHost, startTask, type ActionDeps } from './cast.js';

interface PowerRule {
  vm: string[];
  task: (string | null)[];
  taskState: string;
}

/** Nova's allowed states and the task each power action runs under. */
const rules: Record<PowerOperation, PowerRule> = {
  stop: { vm: ['active', 'rescued', 'error'], task: [null], taskState: TaskState.POWERING_OFF },
  start: { vm: ['stopped'], task: [null], taskState: TaskState.POWERING_ON },
  reboot: { vm: ['active'], task: [null], taskState: TaskState.REBOOTING },
  pause: { vm: ['active'], task: [null], taskState: TaskState.PAUSING },
  unpause: { vm: ['paused'], task: [null], taskState: TaskState.UNPAUSING },
  suspend: { vm: ['active'], task: [null], taskState: TaskState.SUSPENDING },
  resume: { vm: ['suspended'], task: [null], taskState: TaskState.RESUMING },
};

const hardReboot: PowerRule = {
  vm: ['active', 'paused', 'stopped', 'suspended', 'error'],
  task: [null, TaskState.REBOOTING, 'reboot_pending', 'reboot_started'],
  taskState: TaskState.REBOOTING_HARD,
};

/** os-stop, os-start, reboot, pause, unpause, suspend, resume: checked here, done by the host. */
export async function powerAction(deps: ShowDeps & ActionDeps, context: RequestContext, uuid: string, operation: PowerOperation, hard = false): Promise<void> {
  const rule = operation === 'reboot' && hard ? hardReboot : rules[operation];
  const target = await locate(deps, context, uuid, operation);
  checkLocked(context, target);
  checkState(target, operation, rule);
  await startTask(deps, target, { task_state: rule.taskState }, rule);
  await recordAction(deps, context, target, operation);
  await castToHost(
    deps,
    target,
    (client, host) => client.powerAction(host, { instance_uuid: uuid, operation, hard }, context.requestId, deps.castTimeoutMs),
    { task_state: target.instance.task_state },
  );
}
