import { findMappings } from '../../api-cell/builds/index.js';
import { isCell0, type CellMapping } from '../../api-cell/cells/index.js';
import { allocationsOf, freeAllocations } from '../../api-cell/placement/index.js';
import { finishDelete } from '../../api-cell/compute/index.js';
import { holdUnbuilt, stepFailed, removeHeldBuilds, stalledBuilds, stalledDeletes, updateInstance, type StalledBuild } from '../../child-cell/db/index.js';
import { TaskState, VmState } from '../../child-cell/instance/index.js';
import { settleAll } from '../../ops/runtime/index.js';
import { resourcesOf } from '../scheduler/index.js';
import { castBuild } from './cast.js';
import type { BuildDeps } from './deps.js';
import { returnToQueue } from './requeue.js';
import { castTarget } from './route.js';

export interface WatchCounts {
  recast: number;
  returned: number;
  strays: number;
  timedOut: number;
  /** Deletes cut short (the API died, the host never answered) finished again. */
  deletes: number;
}

export interface WatchOptions {
  stallMs: number;
  /** Nova's instance_build_timeout: a build older than this goes to ERROR, the last resort (0: never). */
  buildTimeoutMs: number;
}

/**
 * Re-drives builds that stopped moving, from the cells' databases (the truth), whatever lost
 * them: a cast that went out while the cell's bus was down, a host or conductor that died
 * after taking it, a super-conductor that died between writing and casting.
 * - still waiting for its host (scheduling, or networking the host never finished): cast again;
 * - spawning on a host that is down: handed back to be scheduled again;
 * - held to be handed back (no task): the hand-back is finished;
 * - a row whose mapping names another cell or none (a hand-back cut short): removed;
 * - a delete cut short (task deleting, unchanged): finished again, through the host or locally.
 * A build whose host is up and spawning is left alone: spawns may take long.
 */
export async function watchBuilds(deps: BuildDeps, options: WatchOptions): Promise<WatchCounts> {
  const counts: WatchCounts = { recast: 0, returned: 0, strays: 0, timedOut: 0, deletes: 0 };
  const cells = (await deps.registry.list()).filter((c) => !isCell0(c));
  const before = new Date(Date.now() - options.stallMs);
  const answers = await deps.registry.scatterGather(cells, ({ db }) => stalledBuilds(db, before));
  const deletes = await deps.registry.scatterGather(cells, ({ db }) => stalledDeletes(db, before));
  await settleAll(
    answers.map(async (answer) => {
      if (answer.status !== 'ok' || answer.value.length === 0) return;
      const tooOld = options.buildTimeoutMs > 0 ? answer.value.filter((b) => Date.now() - b.created_at.getTime() > options.buildTimeoutMs) : [];
      if (tooOld.length > 0) counts.timedOut += await timeOut(deps, answer.cell, tooOld, options.buildTimeoutMs);
      const left = answer.value.filter((b) => !tooOld.includes(b));
      if (left.length > 0) await redriveCell(deps, answer.cell, left, counts);
    }),
  );
  await settleAll(
    deletes.map(async (answer) => {
      if (answer.status !== 'ok') return;
      for (const d of answer.value) {
        await finishDelete({ ...deps, terminateTimeoutMs: deps.castTimeoutMs }, answer.cell, d, d.request_id ?? `req-redelete-${d.uuid}`);
        counts.deletes += 1;
      }
    }),
  );
  return counts;
}

async function redriveCell(deps: BuildDeps, cell: CellMapping, stalled: StalledBuild[], counts: WatchCounts): Promise<void> {
  const mappings = await findMappings(deps.api, stalled.map((s) => s.uuid));
  const ours = stalled.filter((s) => Number(mappings.get(s.uuid)?.cell_id) === cell.id);
  const strays = stalled.filter((s) => mappings.get(s.uuid)?.cell_id !== undefined && Number(mappings.get(s.uuid)?.cell_id) !== cell.id);
  if (strays.length > 0) {
    counts.strays += (await deps.registry.withCell(cell, async ({ db }) => removeHeldBuilds(db, await holdUnbuilt(db, strays.map((s) => s.uuid), [TaskState.SCHEDULING])))).length;
  }
  const held = ours.filter((s) => s.task_state === null);
  const hostDown = ours.filter((s) => s.task_state === TaskState.SPAWNING && (!s.host || !deps.scheduler.isUp(s.host)));
  const waiting = ours.filter((s) => s.task_state === TaskState.SCHEDULING || s.task_state === TaskState.NETWORKING);
  const back = [...held, ...hostDown].map((s) => ({ uuid: s.uuid, triedHosts: s.host ? [s.host] : [] }));
  counts.returned += (await returnToQueue(deps, cell, back, 'the build stopped moving', [TaskState.SPAWNING])).length;
  await recast(deps, cell, waiting, counts);
}

/** Casts builds again to the hosts they were given; one the host never set going is set back to scheduling first. */
export async function recast(deps: BuildDeps, cell: CellMapping, builds: StalledBuild[], counts: WatchCounts): Promise<void> {
  if (builds.length === 0) return;
  const allocations = await allocationsOf(deps.api, builds.map((b) => b.uuid));
  const noClaim = builds.filter((b) => !allocations.has(b.uuid) || !b.host || !b.node);
  counts.returned += (await returnToQueue(deps, cell, noClaim.map((b) => ({ uuid: b.uuid, triedHosts: [] })), 'a stalled build held no claim', [TaskState.SCHEDULING, TaskState.NETWORKING])).length;
  const casts = builds.filter((b) => !noClaim.includes(b)).map(async (b) => {
    if (b.task_state === TaskState.NETWORKING) {
      await deps.registry.withCell(cell, ({ db }) => updateInstance(db, b.uuid, { task_state: TaskState.SCHEDULING }, { vm_state: [VmState.BUILDING], task_state: [TaskState.NETWORKING] }));
    }
    const allocation = allocations.get(b.uuid);
    if (!allocation || !b.host || !b.node) return;
    counts.recast += 1;
    await castBuild(deps, cell, castTarget(b, { host: b.host, node: b.node, providerUuid: allocation.providerUuid }, resourcesOf(b), [], b.request_id ?? `req-redrive-${b.uuid}`));
  });
  await settleAll(casts);
}

/** The last resort (Nova's instance_build_timeout): builds that never finished go to ERROR, their claims freed. */
async function timeOut(deps: BuildDeps, cell: CellMapping, builds: StalledBuild[], timeoutMs: number): Promise<number> {
  let failed = 0;
  for (const b of builds) {
    const done = await deps.registry
      .withCell(cell, ({ db }) =>
        stepFailed(db, b.uuid, {
          updates: { vm_state: VmState.ERROR, task_state: null },
          expected: { vm_state: [VmState.BUILDING] },
          fault: { code: 500, message: 'Build of instance timed out', details: `not ACTIVE ${timeoutMs / 1000} s after it was accepted (compute.instance_build_timeout)` },
        }),
      )
      .then(() => true, () => false); // It moved on meanwhile (ACTIVE, deleted): nothing to time out.
    if (!done) continue;
    await freeAllocations(deps.api, [b.uuid]);
    failed += 1;
  }
  if (failed > 0) deps.log.warn({ cell: cell.name, count: failed }, 'builds timed out (compute.instance_build_timeout)');
  return failed;
}
