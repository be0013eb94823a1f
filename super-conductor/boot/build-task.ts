import { findMappings, loadBuilds, type Build } from '../../api-cell/builds/index.js';
import { isCell0, type CellMapping } from '../../api-cell/cells/index.js';
import { allocationsOf, freeAllocations } from '../../api-cell/placement/index.js';
import { getInstances } from '../../child-cell/db/index.js';
import { TaskState, VmState } from '../../child-cell/instance/index.js';
import { settleAll } from '../../ops/runtime/index.js';
import type { Placement, PlacementResult } from '../scheduler/index.js';
import type { BuildJob } from '../queue/index.js';
import { buryInCell0 } from './bury.js';
import { allocateNetworks } from './networks.js';
import type { BuildDeps } from './deps.js';
import { routeToCell } from './route.js';
import { recast } from './watchdog.js';

/**
 * Builds reservations (Nova's schedule_and_build_instances) a batch at a time: one read of
 * their builds, one scheduling pass and claim transaction, one burial in cell0, one write per
 * cell, then a cast to each host. Under load the jobs that arrive together are built together,
 * so the database work per server shrinks as the rate grows.
 * Safe to run twice: what a previous run finished is found done, what it claimed is reused,
 * and what it routed but may not have cast is cast again.
 */
export async function buildReservations(deps: BuildDeps, jobs: BuildJob[]): Promise<void> {
  const uuids = jobs.flatMap((j) => j.instance_uuids);
  const builds = await loadBuilds(deps.api, uuids);
  const waiting = new Set(builds.map((b) => b.instance.uuid));
  for (const job of jobs) {
    const earlier = job.instance_uuids.filter((u) => !waiting.has(u));
    if (earlier.length > 0) await recastRouted(deps, earlier, job.request_id);
  }
  if (builds.length === 0) return;

  const held = await allocationsOf(deps.api, builds.map((b) => b.instance.uuid));
  const result = await deps.scheduler.place(builds.map((b) => b.spec), held);
  const byUuid = new Map(builds.map((b) => [b.instance.uuid, b]));
  const deferred = await deferForHosts(deps, result, byUuid);
  const counted = await applyMinCounts(deps, jobs, builds.filter((b) => !deferred.has(b.instance.uuid)), result);
  const { placed, failed } = await allocateNetworks(deps, counted.placed, byUuid);
  const buried = [...counted.buried, ...failed];
  await buryInCell0(deps, buried);

  const byCell = new Map<number, Placement[]>();
  for (const p of placed) byCell.set(p.host.cellId, [...(byCell.get(p.host.cellId) ?? []), p]);
  const cells = new Map((await deps.registry.list()).map((c) => [c.id, c]));
  // Every cell's work ends before an error is reported: a retry must not race what is still running.
  await settleAll([...byCell].map(([cellId, placements]) => routeToCell(deps, cells.get(cellId) as CellMapping, placements, byUuid)));
  deps.onBuilt?.({ placed: placed.length, buried: buried.length, decisionMs: result.decisionMs, conflicts: result.claimConflicts, jobs: jobs.length });
}

/** How long a build waits between two tries while only hosts that did not answer could take it. */
const hostWaitMs = 2000;

/**
 * Builds that only hosts not answering just now could take (a cell's bus restarting, a pool
 * dying) are not buried: they stay build requests and are tried again shortly, until
 * build_wait_for_hosts_ms after they were accepted. Takes them out of `result.unplaced`.
 */
async function deferForHosts(deps: BuildDeps, result: PlacementResult, byUuid: Map<string, Build>): Promise<Set<string>> {
  const now = Date.now();
  const waiting = result.unplaced.filter((u) => {
    const accepted = byUuid.get(u.spec.instance_uuid)?.created_at.getTime() ?? 0;
    return u.awaitingHosts && now - accepted < deps.waitForHostsMs;
  });
  if (waiting.length === 0) return new Set();
  result.unplaced = result.unplaced.filter((u) => !waiting.includes(u));
  const byReservation = new Map<string, string[]>();
  for (const u of waiting) byReservation.set(u.spec.reservation_id, [...(byReservation.get(u.spec.reservation_id) ?? []), u.spec.instance_uuid]);
  const key = `wait-${now.toString(36)}`;
  await deps
    .requeue([...byReservation].map(([reservation_id, instance_uuids]) => ({ reservation_id, instance_uuids, min_count: 1, request_id: `req-wait-${reservation_id}`, job_key: key })), hostWaitMs)
    .catch((err: unknown) => deps.log.warn({ err: String(err) }, 'builds waiting for hosts could not be queued again yet; the reaper will'));
  deps.log.info({ count: waiting.length }, 'builds wait for hosts that did not answer just now');
  return new Set(waiting.map((u) => u.spec.instance_uuid));
}

/**
 * A reservation placed below its min_count fails whole: its claims are given back and all of
 * it is buried, saying why. The rest keep what was placed; what was not is buried.
 */
async function applyMinCounts(deps: BuildDeps, jobs: BuildJob[], builds: Build[], result: PlacementResult) {
  const placedByReservation = new Map<string, Placement[]>();
  for (const p of result.placed) placedByReservation.set(p.spec.reservation_id, [...(placedByReservation.get(p.spec.reservation_id) ?? []), p]);
  const firstReason = new Map<string, string>();
  for (const u of result.unplaced) if (!firstReason.has(u.spec.reservation_id)) firstReason.set(u.spec.reservation_id, u.reason);
  const failed = new Map<string, string>();
  for (const job of jobs) {
    const waiting = builds.filter((b) => b.instance.reservation_id === job.reservation_id).length;
    const got = placedByReservation.get(job.reservation_id)?.length ?? 0;
    if (got < Math.min(job.min_count, waiting)) {
      failed.set(job.reservation_id, `only ${got} of the ${job.min_count} servers asked for at least could be placed: ${firstReason.get(job.reservation_id) ?? ''}`);
    }
  }
  const giveBack = result.placed.filter((p) => failed.has(p.spec.reservation_id));
  await freeAllocations(deps.api, giveBack.map((p) => p.spec.instance_uuid));
  const placed = result.placed.filter((p) => !failed.has(p.spec.reservation_id));
  const buried: { build: Build; reason: string }[] = [];
  for (const b of builds) {
    const why = failed.get(b.instance.reservation_id);
    if (why) buried.push({ build: b, reason: why });
  }
  const byUuid = new Map(builds.map((b) => [b.instance.uuid, b]));
  for (const u of result.unplaced) {
    const build = byUuid.get(u.spec.instance_uuid);
    if (build && !failed.has(u.spec.reservation_id)) buried.push({ build, reason: u.reason });
  }
  return { placed, buried };
}

/** Instances an earlier run routed to a cell but may have died before casting: cast them again. */
async function recastRouted(deps: BuildDeps, uuids: string[], requestId: string): Promise<void> {
  const mappings = await findMappings(deps.api, uuids);
  const cells = await deps.registry.list();
  const counts = { recast: 0, returned: 0, strays: 0, timedOut: 0, deletes: 0 };
  for (const cell of cells.filter((c) => !isCell0(c))) {
    const inCell = [...mappings.values()].filter((m) => m.cell_id === cell.id && !m.queued_for_delete).map((m) => m.instance_uuid);
    if (inCell.length === 0) continue;
    const stuck = (await deps.registry.withCell(cell, ({ db }) => getInstances(db, inCell))).filter(
      (i) => i.vm_state === VmState.BUILDING && i.task_state === TaskState.SCHEDULING && i.host,
    );
    await recast(deps, cell, stuck.map((i) => ({ ...i, request_id: requestId })), counts);
  }
}
