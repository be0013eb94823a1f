import { errorMessage } from '../../ops/runtime/index.js';
import type { HostInstance } from '../conductor/index.js';
import { PowerState, SHELVE_TASKS, TaskState, VmState } from '../instance/index.js';
import { isStateConflict, type HostContext } from './handlers/context.js';
import { powerSteps } from './handlers/power.js';

/** What a restarted host does with one instance the cell places on it (Nova's `_init_instance`). */
export type Recovery =
  /** At rest: the guest is still there, nothing to write. */
  | { kind: 'adopt'; powerState: PowerState }
  /** A power action was cut short: the guest ends where the action was taking it. */
  | { kind: 'finish'; vmState: string; powerState: PowerState }
  /** A rebuild or move was cut short: it cannot be resumed, so the instance goes to ERROR. */
  | { kind: 'error'; reason: string }
  /** A build was cut short: no guest is left, so it goes back to waiting for a cast (the build watchdog casts it again). */
  | { kind: 'handback' }
  /** A delete was cut short: finish it. */
  | { kind: 'delete' }
  /** The super-conductor's job owns it (shelving, or unshelving onto this host) and will ask again. */
  | { kind: 'leave'; powerState: PowerState };

/** Where each power action's task leads: a cut-short one ends there (the host's own power steps). */
const powerTargets = new Map(
  Object.values(powerSteps).flatMap((s) => s.tasks.map((task) => [task, { vmState: s.vmState, powerState: s.powerState as PowerState }] as const)),
);

const restingPower: Record<string, PowerState> = {
  [VmState.ACTIVE]: PowerState.RUNNING,
  [VmState.RESIZED]: PowerState.RUNNING,
  [VmState.STOPPED]: PowerState.SHUTDOWN,
  [VmState.PAUSED]: PowerState.PAUSED,
  [VmState.SUSPENDED]: PowerState.SUSPENDED,
  [VmState.RESCUED]: PowerState.RUNNING,
  [VmState.SHELVED]: PowerState.SHUTDOWN,
};


export function recoveryFor(instance: HostInstance): Recovery {
  const { vm_state: vm, task_state: task } = instance;
  if (task === TaskState.DELETING) return { kind: 'delete' };
  // Shelve steps the super-conductor drives: its job, tried again, asks this host again.
  if (task && SHELVE_TASKS.includes(task)) return { kind: 'leave', powerState: restingPower[vm] ?? (instance.power_state as PowerState) };
  // Unshelving here from offloaded: no guest yet; the job spawns it when it asks again.
  if (task === TaskState.UNSHELVING && vm === VmState.SHELVED_OFFLOADED) return { kind: 'leave', powerState: PowerState.NOSTATE };
  if (vm === VmState.BUILDING) return { kind: 'handback' };
  if (task) {
    const target = powerTargets.get(task);
    if (target) return { kind: 'finish', ...target };
    return { kind: 'error', reason: `the instance was ${task} when its compute host restarted` };
  }
  return { kind: 'adopt', powerState: restingPower[vm] ?? (instance.power_state as PowerState) };
}

export interface RecoveryCounts {
  adopted: number;
  finished: number;
  errored: number;
  deleted: number;
  handedBack: number;
}

/** Guests at rest come back into the driver at once, before the host serves its subject. */
export function adoptGuests(ctx: HostContext, instances: HostInstance[]): void {
  for (const instance of instances) {
    const recovery = recoveryFor(instance);
    if (recovery.kind !== 'adopt' && recovery.kind !== 'finish' && recovery.kind !== 'leave') continue;
    if (recovery.powerState === PowerState.NOSTATE) continue; // No guest behind it (an ERROR that never ran).
    ctx.driver.adopt?.(instance.uuid, recovery.powerState);
    ctx.instances.set(instance.uuid, 'running');
  }
}

/** Writes what the restart changed: finished actions, ERROR for cut-short work, finished deletes. */
export async function recoverInstances(ctx: HostContext, instances: HostInstance[], counts: RecoveryCounts): Promise<void> {
  for (const instance of instances) {
    const recovery = recoveryFor(instance);
    try {
      if (recovery.kind === 'adopt' || recovery.kind === 'leave') counts.adopted += 1;
      else if (recovery.kind === 'finish') await finish(ctx, instance, recovery.vmState, recovery.powerState, counts);
      else if (recovery.kind === 'delete') await finishDelete(ctx, instance, counts);
      else if (recovery.kind === 'handback') await handBack(ctx, instance, counts);
      else await putInError(ctx, instance, recovery.reason, counts);
    } catch (err) {
      if (isStateConflict(err)) continue; // It moved on meanwhile: whoever moved it owns it.
      ctx.log.error({ instance: instance.uuid, err: errorMessage(err) }, 'could not recover the instance after a restart');
    }
  }
}

/**
 * Guests the hypervisor has that the cell does not place on this host (deleted while the host was
 * down, or built and lost): ended, as Nova's running_deleted_instance_action "reap" does.
 */
export async function reapStrays(ctx: HostContext, instances: HostInstance[]): Promise<number> {
  const known = new Set(instances.map((i) => i.uuid));
  const strays = ctx.driver.guests().filter((uuid) => !known.has(uuid) && !ctx.instances.has(uuid));
  for (const uuid of strays) {
    await ctx.driver.destroy(uuid).catch((err: unknown) => ctx.log.error({ instance: uuid, err: errorMessage(err) }, 'could not end a guest the cell does not know'));
    ctx.log.warn({ instance: uuid }, 'ended a guest the cell does not place on this host');
  }
  return strays.length;
}

const requestId = (uuid: string): string => `req-init-host-${uuid}`;

async function finish(ctx: HostContext, instance: HostInstance, vmState: string, powerState: PowerState, counts: RecoveryCounts): Promise<void> {
  await ctx.conductor.instanceUpdate(
    {
      uuid: instance.uuid,
      host: ctx.host,
      updates: { vm_state: vmState, power_state: powerState, task_state: null },
      expected_task_state: [instance.task_state],
    },
    requestId(instance.uuid),
  );
  counts.finished += 1;
}

async function finishDelete(ctx: HostContext, instance: HostInstance, counts: RecoveryCounts): Promise<void> {
  if (ctx.driver.guests().includes(instance.uuid)) await ctx.driver.destroy(instance.uuid);
  await ctx.conductor.instanceDestroy({ uuid: instance.uuid, host: ctx.host }, requestId(instance.uuid));
  ctx.instances.delete(instance.uuid);
  counts.deleted += 1;
}

/** A build this host had taken and lost with its restart: scheduling again, so it is cast here again. */
async function handBack(ctx: HostContext, instance: HostInstance, counts: RecoveryCounts): Promise<void> {
  if (ctx.instances.has(instance.uuid)) return; // Cast again since the restart: it is being built.
  if (ctx.driver.guests().includes(instance.uuid)) await ctx.driver.destroy(instance.uuid);
  if (instance.task_state !== TaskState.SCHEDULING) {
    await ctx.conductor.instanceUpdate(
      {
        uuid: instance.uuid,
        host: ctx.host,
        updates: { task_state: TaskState.SCHEDULING },
        expected_vm_state: [VmState.BUILDING],
        expected_task_state: [instance.task_state],
      },
      requestId(instance.uuid),
    );
  }
  counts.handedBack += 1;
}

async function putInError(ctx: HostContext, instance: HostInstance, reason: string, counts: RecoveryCounts): Promise<void> {
  if (ctx.instances.has(instance.uuid)) return; // A message for it arrived since the restart: it is being handled.
  if (ctx.driver.guests().includes(instance.uuid)) await ctx.driver.destroy(instance.uuid);
  await ctx.conductor.instanceUpdate(
    {
      uuid: instance.uuid,
      host: ctx.host,
      updates: { vm_state: VmState.ERROR, task_state: null, power_state: ctx.driver.powerState(instance.uuid) },
      expected_vm_state: [instance.vm_state],
      expected_task_state: [instance.task_state],
      fault: { code: 500, message: 'Compute host restarted during the operation', details: reason },
    },
    requestId(instance.uuid),
  );
  counts.errored += 1;
}
