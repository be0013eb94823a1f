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
  rescue: { vm: ['active', 'stopped', 'error'], task: [null], taskState: TaskState.RESCUING },
  unrescue: { vm: ['rescued'], task: [null], taskState: TaskState.UNRESCUING },
  unshelve: { vm: ['shelved'], task: [null], taskState: TaskState.UNSHELVING },
  changePassword: { vm: ['active'], task: [null], taskState: TaskState.UPDATING_PASSWORD },
  // Nova soft-deletes a launched server in any resting state; the API sends never-launched ones to a real delete.
  softDelete: { vm: ['active', 'stopped', 'paused', 'suspended', 'rescued', 'resized', 'shelved', 'error'], task: [null], taskState: TaskState.SOFT_DELETING },
  restore: { vm: ['soft-delete'], task: [null], taskState: TaskState.RESTORING },
};

const hardReboot: PowerRule = {
  vm: ['active', 'paused', 'stopped', 'suspended', 'error'],
  task: [null, TaskState.REBOOTING, 'reboot_pending', 'reboot_started'],
  taskState: TaskState.REBOOTING_HARD,
};

export interface PowerOptions {
  /** reboot: HARD rather than SOFT. */
  hard?: boolean;
  /** rescue: the image the rescue system boots from (the server's own when not given). */
  imageRef?: string;
  /** changePassword: the new root password. */
  adminPass?: string;
}

/** os-stop, os-start, reboot, pause, unpause, suspend, resume, rescue, unrescue: checked here, done by the host. */
export async function powerAction(deps: ShowDeps & ActionDeps, context: RequestContext, uuid: string, operation: PowerOperation, options: PowerOptions = {}): Promise<void> {
  const { hard = false } = options;
  const rule = operation === 'reboot' && hard ? hardReboot : rules[operation];
  const target = await locate(deps, context, uuid, operation);
  checkLocked(context, target);
  checkState(target, operation, rule);
  await startTask(deps, target, { task_state: rule.taskState }, rule);
  // Nova records a soft delete as the delete it is.
  await recordAction(deps, context, target, operation === 'softDelete' ? 'delete' : operation);
  const imageRef = operation === 'rescue' ? (options.imageRef ?? target.instance.image_ref) : undefined;
  await castToHost(
    deps,
    target,
    (client, host) => client.powerAction(host, { instance_uuid: uuid, operation, hard, ...(imageRef ? { image_ref: imageRef } : {}), ...(options.adminPass ? { admin_password: options.adminPass } : {}) }, context.requestId, deps.castTimeoutMs),
    { task_state: target.instance.task_state },
  );
}
