import { bindServerPorts } from '../../api-cell/network/index.js';
import { respecOf } from './respec.js';
import type { CellMapping } from '../../api-cell/cells/index.js';
import { allocationsOf, freeAllocations, moveAllocations } from '../../api-cell/placement/index.js';
import { ComputeClient } from '../../child-cell/compute/index.js';
import { destinationChosen, destinationUndone, getInstance, getMigration, stepFailed, type InstanceDetail, type MigrationRecord } from '../../child-cell/db/index.js';
import { buildMessage, moveSteps } from '../../child-cell/instance/index.js';
import { ifNotFound, isNoResponders, UnavailableError } from '../../ops/runtime/index.js';
import type { TaskDeps } from '../deps.js';
import type { MoveJob } from '../queue/index.js';
import { resourcesOf } from '../scheduler/index.js';


/** Destinations tried in one run of a move job before it gives the job back to the queue. */
const destinationRounds = 3;

/**
 * A move (Nova's migrate_server): the instance's allocation passes to its migration, so the
 * source stays held; the scheduler picks a destination in the same cell and claims it for the
 * instance; the destination host is told to take the instance over. A destination found gone
 * (nothing listens on its subject) gives its claim back and another is chosen without it. Safe
 * to run again: a migration already under way is just handed to its destination again.
 */
export async function moveInstance(deps: TaskDeps, job: MoveJob): Promise<void> {
  const cell = await deps.registry.find(job.cell_uuid);
  const gone: string[] = [];
  for (let round = 1; ; round += 1) {
    try {
      await moveOnce(deps, cell, job, gone);
      return;
    } catch (err) {
      const dest = err instanceof DestinationGone ? err.host : undefined;
      if (!dest || round >= destinationRounds) throw err;
      gone.push(dest);
    }
  }
}

class DestinationGone extends UnavailableError {
  constructor(readonly host: string, cause: unknown) {
    super(`destination ${host} is gone`, { cause });
  }
}

async function moveOnce(deps: TaskDeps, cell: CellMapping, job: MoveJob, gone: string[]): Promise<void> {
  const [instance, migration] = await deps.registry.withCell(cell, async ({ db }) => [await getInstance(db, job.instance_uuid), await getMigration(db, job.migration_uuid)] as const);
  if (!instance || !migration || !instance.host || !instance.node) return;
  if (migration.status === moveSteps[job.kind].startStatus) {
    const chosen = await chooseDestination(deps, cell, job, instance, migration, gone);
    if (!chosen) return;
  }
  const current = await deps.registry.withCell(cell, ({ db }) => getMigration(db, job.migration_uuid));
  if (current?.status !== moveSteps[job.kind].runningStatus || !current.dest_compute || !current.dest_node) return;
  const dest = current.dest_compute;
  const source = (await allocationsOf(deps.api, [job.migration_uuid])).get(job.migration_uuid);
  const client = await ComputeClient.forCell(deps.registry, cell);
  try {
    await client.receiveMove(
      dest,
      {
        instance: buildMessage({ ...instance, flavor: job.flavor }, current.dest_node),
        migration_uuid: job.migration_uuid,
        kind: job.kind,
        source_host: current.source_compute ?? instance.host,
        source_allocation: { provider_uuid: source?.providerUuid ?? '', resources: source?.resources ?? {} },
        ...(job.power_off ? { power_off: true } : {}),
      },
      job.request_id,
      deps.castTimeoutMs,
    );
  } catch (err) {
    if (!isNoResponders(err)) throw err;
    await unchoose(deps, cell, job, instance.uuid, dest);
    throw new DestinationGone(dest, err);
  }
}


/** The chosen destination is gone: the migration goes back to its start and the claim on it is freed. */
async function unchoose(deps: TaskDeps, cell: CellMapping, job: MoveJob, uuid: string, dest: string): Promise<void> {
  const undone = await deps.registry.withCell(cell, ({ db }) => destinationUndone(db, uuid, job.migration_uuid, moveSteps[job.kind]));
  if (undone) await freeAllocations(deps.api, [uuid]);
  deps.log.warn({ instance: uuid, kind: job.kind, dest }, 'the chosen destination is gone; choosing another');
}

async function chooseDestination(deps: TaskDeps, cell: CellMapping, job: MoveJob, instance: InstanceDetail, migration: MigrationRecord, gone: string[]): Promise<boolean> {
  // The source goes to the migration once. Run again after a claim on a destination was made
  // (and before the migration said so), the instance's claim is that destination's: it is kept
  // and the scheduler takes it as already placed.
  const migrationHolds = (await allocationsOf(deps.api, [job.migration_uuid])).has(job.migration_uuid);
  if (!migrationHolds) await moveAllocations(deps.api, instance.uuid, job.migration_uuid, instance.project_id, instance.user_id);
  // The moving server's own allocation is the migration's now, so only the other members of its group count.
  const spec = await respecOf(deps.api, cell, instance, {
    flavor: job.flavor,
    zone: instance.pinned_availability_zone,
    ignoreHosts: [migration.source_compute ?? instance.host ?? '', ...gone],
    host: job.target_host,
    requestId: job.request_id,
  });
  const result = await deps.scheduler.place([spec], await allocationsOf(deps.api, [instance.uuid]));
  const placed = result.placed[0];
  if (!placed) {
    await giveUp(deps, cell, job, instance, result.unplaced[0]?.reason ?? 'No valid host was found.');
    return false;
  }
  await deps.registry.withCell(cell, ({ db }) =>
    destinationChosen(db, instance.uuid, job.migration_uuid, moveSteps[job.kind], { host: placed.host.host, node: placed.host.node }),
  );
  await bindServerPorts(deps.network, instance.uuid, placed.host.host);
  deps.log.info({ instance: instance.uuid, from: instance.host, to: placed.host.host, kind: job.kind, resources: resourcesOf(spec) }, 'move scheduled');
  return true;
}

/** No host can take it: the instance keeps its source allocation and its place, and says why. */
async function giveUp(deps: TaskDeps, cell: CellMapping, job: MoveJob, instance: InstanceDetail, reason: string): Promise<void> {
  await moveAllocations(deps.api, job.migration_uuid, instance.uuid, instance.project_id, instance.user_id);
  await deps.registry.withCell(cell, ({ db }) =>
    stepFailed(db, instance.uuid, {
      migration: { uuid: job.migration_uuid, status: 'error', from: [moveSteps[job.kind].startStatus] },
      updates: { task_state: null },
      fault: { code: 400, message: 'No valid host was found.', details: reason },
      event: { request_id: job.request_id, action: moveSteps[job.kind].action, event: 'conductor_migrate_server' },
    }),
  );
  deps.log.warn({ instance: instance.uuid, kind: job.kind, reason }, 'no host for the move');
}

/** A move job that failed for good: put the instance back as it was. */
export async function failMove(deps: TaskDeps, job: MoveJob, reason: string): Promise<void> {
  const cell = await deps.registry.find(job.cell_uuid).catch(ifNotFound(() => undefined));
  if (!cell) return;
  const instance = await deps.registry.withCell(cell, ({ db }) => getInstance(db, job.instance_uuid)).catch((err: unknown) => {
    if (err instanceof UnavailableError) return undefined;
    throw err;
  });
  if (instance) await giveUp(deps, cell, job, instance, `the move failed: ${reason}`);
}
