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

/**
 * Finds build requests older than `staleMs` whose reservation has no live job (the enqueue
 * failed, or Redis lost it) and queues them again. The database is the truth; the queue only
 * carries work. Returns how many builds were queued again.
 */
export async function reapOrphanedBuilds(options: ReaperOptions): Promise<number> {
  const stale = await staleBuilds(options.api, new Date(Date.now() - options.staleMs), 1000);
  const byReservation = new Map<string, string[]>();
  for (const b of stale) byReservation.set(b.reservation_id, [...(byReservation.get(b.reservation_id) ?? []), b.instance_uuid]);
  let requeued = 0;
  for (const [reservationId, uuids] of byReservation) {
    if (await options.queue.hasLiveJob(reservationId)) continue;
    await options.queue.forget(reservationId);
    await options.queue.enqueue({ reservation_id: reservationId, instance_uuids: uuids, min_count: 1, request_id: `req-reaper-${reservationId}` });
    requeued += uuids.length;
    options.log.warn({ reservation_id: reservationId, count: uuids.length }, 'build requests without a live job queued again');
  }
  return requeued;
}
