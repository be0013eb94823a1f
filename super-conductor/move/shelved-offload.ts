import { randomUUID } from 'node:crypto';
import { isCell0, type CellRegistry } from '../../api-cell/cells/index.js';
import { claimShelvedBefore, releaseShelvedClaims } from '../../child-cell/db/index.js';
import { errorMessage, type Logger } from '../../ops/runtime/index.js';
import type { MoveQueue } from '../queue/index.js';

export interface ShelvedOffloadDeps {
  registry: CellRegistry;
  moves: MoveQueue;
  log: Logger;
}

/**
 * Nova's _poll_shelved_instances: servers SHELVED longer than compute.shelved_offload_time
 * seconds are offloaded (their guest, allocation and host go). Two statements per cell and one
 * queue write for all; a cell that does not answer is skipped until the next round. Returns how
 * many were queued.
 */
export async function offloadShelved(deps: ShelvedOffloadDeps, offloadAfterSeconds: number): Promise<number> {
  const cutoff = new Date(Date.now() - offloadAfterSeconds * 1000).toISOString();
  let queued = 0;
  for (const cell of (await deps.registry.list()).filter((c) => !isCell0(c))) {
    try {
      const due = await deps.registry.withCell(cell, ({ db }) => claimShelvedBefore(db, cutoff));
      const jobs = due.map(({ uuid, image }) => ({ instance_uuid: uuid, cell_uuid: cell.uuid, image_uuid: image, offload: true, request_id: `req-${randomUUID()}` }));
      await deps.moves.enqueueShelves(jobs).catch(async (err: unknown) => {
        // Not queued: put them back as they were, for the next round.
        const uuids = due.map((d) => d.uuid);
        if (uuids.length > 0) await deps.registry.withCell(cell, ({ db }) => releaseShelvedClaims(db, uuids));
        throw err;
      });
      queued += due.length;
    } catch (err) {
      deps.log.warn({ cell: cell.name, err: errorMessage(err) }, 'shelved servers of this cell not checked for offloading');
    }
  }
  if (queued > 0) deps.log.info({ queued }, 'shelved servers past shelved_offload_time queued for offloading');
  return queued;
}
