import { returnBuilds } from '../../api-cell/builds/index.js';
import type { CellMapping } from '../../api-cell/cells/index.js';
import { heldBuilds, holdUnbuilt, removeHeldBuilds } from '../../child-cell/db/index.js';
import { instanceFromRow, TaskState } from '../../child-cell/instance/index.js';
import type { BuildDeps } from './deps.js';

export interface Unstarted {
  uuid: string;
  /** The hosts that did not take it (the scheduler counts them down for a while: unreachable_host_ms). */
  triedHosts: string[];
}

/**
 * Hands builds that no host started back to the queue, to be scheduled again anywhere (another
 * cell too) instead of failing: the cell row is held (a late cast finds it gone), the API gets
 * its build request back and the allocation freed, the held row
 * goes, and a job is queued. Each step is safe to run again; the build watchdog finishes one
 * cut short, and the reaper queues a build request whose job was lost.
 * `tasks`: the task states a build may be taken back from (a spawn cut short by a dead host too).
 */
export async function returnToQueue(deps: BuildDeps, cell: CellMapping, builds: Unstarted[], why: string, tasks: string[] = [TaskState.SCHEDULING]): Promise<string[]> {
  if (builds.length === 0) return [];
  const rows = await deps.registry.withCell(cell, async ({ db }) => heldBuilds(db, await holdUnbuilt(db, builds.map((b) => b.uuid), tasks)));
  const returned = await returnBuilds(deps.api, cell.id, rows.map((row) => ({ instance: instanceFromRow(row) })));
  await deps.registry.withCell(cell, ({ db }) => removeHeldBuilds(db, returned));
  const byReservation = new Map<string, string[]>();
  for (const row of rows.filter((r) => returned.includes(r.uuid))) {
    const rid = row.reservation_id ?? row.uuid;
    byReservation.set(rid, [...(byReservation.get(rid) ?? []), row.uuid]);
  }
  const key = `again-${Date.now().toString(36)}`;
  // A queue that is away now loses nothing: the reaper finds the build requests without a job.
  await deps
    .requeue([...byReservation].map(([reservation_id, instance_uuids]) => ({ reservation_id, instance_uuids, min_count: 1, request_id: `req-requeue-${reservation_id}`, job_key: key })))
    .catch((err: unknown) => deps.log.warn({ err: String(err) }, 'builds handed back could not be queued yet; the reaper will'));
  const hosts = [...new Set(builds.flatMap((b) => b.triedHosts))];
  if (returned.length > 0) deps.log.warn({ cell: cell.name, count: returned.length, hosts, why }, 'builds no host started were handed back to be scheduled again');
  return returned;
}
