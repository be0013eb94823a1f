import { bindServerPorts, type NetworkDatabase } from '../../network/index.js';
import { randomUUID } from 'node:crypto';
import { beginMove, beginRevert, confirmMove, getSystemMetadata, latestMigration, updateInstance } from '../../../child-cell/db/index.js';
import { buildMessage, moveSteps, PowerState, VmState, type FlavorSnapshot } from '../../../child-cell/instance/index.js';
import { ConflictError, errorMessage, ifNotFound, InvalidInputError, UnavailableError, type Config } from '../../../ops/runtime/index.js';
import { retryDeadlocks } from '../../../ops/runtime-db/index.js';
import type { MoveQueue } from '../../../super-conductor/queue/index.js';
import type { RequestContext } from '../../context.js';
import type { ApiDatabase } from '../../db/index.js';
import { findFlavor, flavorSnapshot } from '../../flavors/index.js';
import { freeAllocations, moveAllocations } from '../../placement/index.js';
import { chargeDelta, ensureUsageRows, quotaLimits } from '../../quota/index.js';
import type { ShowDeps } from '../show.js';
import { checkLocked, checkState, invalidState, locate, recordAction, type Target } from '../target.js';
import { castToHost, type ActionDeps } from './cast.js';
import { checkHostInCell } from './hosts.js';

export interface MoveDeps extends ShowDeps, ActionDeps {
  api: ApiDatabase;
  network: NetworkDatabase;
  moves: MoveQueue;
  config: Config;
}

type Kind = 'resize' | 'migration' | 'live-migration' | 'evacuation';

const deltaOf = (from: FlavorSnapshot, to: FlavorSnapshot) => ({ cores: to.vcpus - from.vcpus, ram: to.memory_mb - from.memory_mb });

async function charge(deps: MoveDeps, projectId: string, delta: { cores: number; ram: number }): Promise<void> {
  if (delta.cores === 0 && delta.ram === 0) return;
  const limits = await quotaLimits(deps.api, projectId, deps.config.quota);
  await ensureUsageRows(deps.api, [projectId]);
  await retryDeadlocks(() => deps.api.sequelize.transaction((t) => chargeDelta(deps.api, t, projectId, delta, limits)));
}

/** Starts a move: a migration record, the task state, the action, then the super-conductor's job. */
export async function startMove(deps: MoveDeps, context: RequestContext, target: Target, kind: Kind, flavor: FlavorSnapshot, host: string | null, powerOff = false): Promise<void> {
  const i = target.instance;
  const migrationUuid = randomUUID();
  const steps = moveSteps[kind];
  await deps.registry.withCell(target.cell, ({ db }) =>
    beginMove(db, i, { migrationUuid, kind, startTask: steps.startTask, startStatus: steps.startStatus, newFlavor: flavor }),
  );
  await recordAction(deps, context, target, moveSteps[kind].action);
  try {
    await deps.moves.enqueue({ kind, instance_uuid: i.uuid, cell_uuid: target.cell.uuid, migration_uuid: migrationUuid, flavor, target_host: host, request_id: context.requestId, ...(powerOff ? { power_off: true } : {}) });
  } catch (err) {
    await deps.registry.withCell(target.cell, ({ db }) => updateInstance(db, i.uuid, { task_state: null }));
    throw new UnavailableError(`the move could not be queued: ${errorMessage(err)}`, { cause: err });
  }
}

/** resize: the same server on a new flavor, on a host the scheduler picks in its cell; VERIFY_RESIZE until confirmed or reverted. */
export async function resizeServer(deps: MoveDeps, context: RequestContext, uuid: string, flavorRef: string, diskConfig?: 'AUTO' | 'MANUAL'): Promise<void> {
  const flavorId = flavorRef.replace(/\/+$/, '').split('/').at(-1) ?? flavorRef;
  const flavor = await findFlavor(deps.api, flavorId, { projectId: context.projectId, isAdmin: context.isAdmin }).catch(
    ifNotFound(() => {
      throw new InvalidInputError(`Unable to find flavor ${flavorId}`);
    }),
  );
  const target = await locate(deps, context, uuid, 'resize');
  checkLocked(context, target);
  checkState(target, 'resize', { vm: [VmState.ACTIVE, VmState.STOPPED], task: [null] });
  const current = target.instance.flavor;
  if (current.flavorid === flavor.flavorid) throw new InvalidInputError('When resizing, instances must change flavor!');
  const delta = deltaOf(current, flavorSnapshot(flavor));
  const upsize = { cores: Math.max(0, delta.cores), ram: Math.max(0, delta.ram) };
  await charge(deps, target.instance.project_id, upsize);
  try {
    // A stopped server stays stopped on its new host (Nova powers it on only if it was running).
    await startMove(deps, context, target, 'resize', flavorSnapshot(flavor), null, target.instance.vm_state === VmState.STOPPED);
  } catch (err) {
    await charge(deps, target.instance.project_id, { cores: -upsize.cores, ram: -upsize.ram });
    throw err;
  }
  if (diskConfig !== undefined) await deps.registry.withCell(target.cell, ({ db }) => updateInstance(db, uuid, { auto_disk_config: diskConfig === 'AUTO' }));
}

/** migrate (cold) and os-migrateLive: the same flavor on another host of the cell (admin). */
export async function migrateServer(deps: MoveDeps, context: RequestContext, uuid: string, live: boolean, host: string | null): Promise<void> {
  const action = live ? 'os-migrateLive' : 'migrate';
  const target = await locate(deps, context, uuid, action);
  checkLocked(context, target);
  checkState(target, action, live ? { vm: [VmState.ACTIVE, VmState.PAUSED], task: [null] } : { vm: [VmState.ACTIVE, VmState.STOPPED], task: [null] });
  if (host !== null && host === target.instance.host) throw new InvalidInputError(`The instance is already on host ${host}`);
  if (host !== null) await checkHostInCell(deps.api, host, target);
  await startMove(deps, context, target, live ? 'live-migration' : 'migration', target.instance.flavor, host, !live && target.instance.vm_state === VmState.STOPPED);
}

async function resizedTarget(deps: MoveDeps, context: RequestContext, uuid: string, action: string) {
  const target = await locate(deps, context, uuid, action);
  checkLocked(context, target);
  checkState(target, action, { vm: [VmState.RESIZED] });
  const migration = await deps.registry.withCell(target.cell, ({ db }) => latestMigration(db, uuid, ['finished']));
  if (!migration) throw invalidState(action, uuid, 'vm_state', target.instance.vm_state);
  const old = await deps.registry.withCell(target.cell, ({ db }) => getSystemMetadata(db, uuid, 'old_flavor'));
  const oldFlavor = old ? (JSON.parse(old) as FlavorSnapshot) : target.instance.flavor;
  return { target, migration, oldFlavor };
}

/** confirmResize: keep the new host and flavor; what the migration held on the source goes. */
export async function confirmResize(deps: MoveDeps, context: RequestContext, uuid: string): Promise<void> {
  const { target, migration, oldFlavor } = await resizedTarget(deps, context, uuid, 'confirmResize');
  await freeAllocations(deps.api, [migration.uuid]);
  // A server resized while stopped is still off: it goes back to SHUTOFF, as in Nova.
  const vmState = target.instance.power_state === PowerState.SHUTDOWN ? VmState.STOPPED : VmState.ACTIVE;
  const confirmed = await deps.registry.withCell(target.cell, ({ db }) => confirmMove(db, uuid, migration.uuid, vmState));
  if (!confirmed) throw new ConflictError(`Migration ${migration.uuid} is no longer waiting for a confirmation`);
  await recordAction(deps, context, target, 'confirmResize');
  const delta = deltaOf(oldFlavor, target.instance.flavor);
  // A smaller flavor gives its difference back now that it is confirmed.
  await charge(deps, target.instance.project_id, { cores: Math.min(0, delta.cores), ram: Math.min(0, delta.ram) });
}

/** revertResize: back to the source host and the old flavor. */
export async function revertResize(deps: MoveDeps, context: RequestContext, uuid: string): Promise<void> {
  const { target, migration, oldFlavor } = await resizedTarget(deps, context, uuid, 'revertResize');
  const i = target.instance;
  if (!migration.source_compute || !migration.source_node) throw new ConflictError(`Migration ${migration.uuid} does not say where the instance came from`);
  const reverting = await deps.registry.withCell(target.cell, ({ db }) => beginRevert(db, uuid, migration.uuid));
  if (!reverting) throw new ConflictError(`Migration ${migration.uuid} cannot be reverted now`);
  await freeAllocations(deps.api, [uuid]);
  await moveAllocations(deps.api, migration.uuid, uuid, i.project_id, i.user_id);
  await bindServerPorts(deps.network, uuid, migration.source_compute);
  await recordAction(deps, context, target, 'revertResize');
  const delta = deltaOf(oldFlavor, i.flavor);
  await charge(deps, i.project_id, { cores: -Math.max(0, delta.cores), ram: -Math.max(0, delta.ram) });
  const source = { ...target, instance: { ...i, host: migration.source_compute } };
  await castToHost(
    deps,
    source,
    (client, host) =>
      client.revertMove(
        host,
        {
          instance: buildMessage({ ...i, uuid, flavor: oldFlavor }, migration.source_node ?? host),
          migration_uuid: migration.uuid,
          dest_host: i.host ?? '',
          ...(i.power_state === PowerState.SHUTDOWN ? { power_off: true } : {}),
        },
        context.requestId,
        deps.castTimeoutMs,
      ),
    { task_state: null },
  );
}
