import { staleBuilds } from '../api-cell/builds/index.js';
import type { ApiDatabase } from '../api-cell/db/index.js';
import type { Logger } from '../ops/runtime/index.js';
import type { BuildQueue } from './queue/index.js';

export interface ReaperOptions {
  api: ApiDatabase;
  queue: BuildQueue;
  staleMs: number;
  log: Logger;
}

/** A build request younger than this may still be on its way into the queue (the API writes first, then enqueues). */
const enqueueGraceMs = 2000;

/**
 * Finds build requests whose reservation has no live job (the enqueue failed, or Redis lost it)
 * and queues them again. Those older than `staleMs` are checked each time; when Redis came back
 * empty (its epoch mark is gone) every one past a short grace is, so a lost queue is refilled
 * within one reaper interval. The database is the truth; the queue only carries work. Returns
 * how many builds were queued again.
 */
export async function reapOrphanedBuilds(options: ReaperOptions): Promise<number> {
  const { queue, log } = options;
  const kept = await queue.markEpoch();
  if (!kept) log.warn('the build queue has no epoch mark (Redis came back empty, or first start): every waiting build is checked for a live job');
  const age = kept ? options.staleMs : enqueueGraceMs;
  const stale = await staleBuilds(options.api, new Date(Date.now() - age), 5000);
  const byReservation = new Map<string, string[]>();
  for (const b of stale) byReservation.set(b.reservation_id, [...(byReservation.get(b.reservation_id) ?? []), b.instance_uuid]);
  const live = await queue.liveReservations([...byReservation.keys()]);
  const orphans = [...byReservation].filter(([rid]) => !live.has(rid));
  for (const [rid] of orphans) await queue.forget(rid);
  if (orphans.length > 0) await queue.enqueueMany(orphans.map(([reservation_id, instance_uuids]) => ({ reservation_id, instance_uuids, min_count: 1, request_id: `req-reaper-${reservation_id}` })));
  const requeued = orphans.reduce((n, [, uuids]) => n + uuids.length, 0);
  if (orphans.length > 0) log.warn({ reservations: orphans.length, count: requeued }, 'build requests without a live job queued again');
  return requeued;
}
