import { execute, select } from '../../ops/runtime-db/index.js';
import { resumeVolumeCreate } from './create.js';
import type { VolumeDeps } from './deps.js';
import { finishSnapshot, finishSnapshotDelete, finishVolumeDelete } from './lifecycle.js';
import { SNAPSHOT_COLUMNS, toSnapshot, toVolume, VOLUME_COLUMNS, type SnapshotRow, type VolumeRow } from './records.js';
import { moveRow, type StatusTable } from './rows.js';
import { findVolume } from './volumes.js';

const BUSY = ['creating', 'extending', 'deleting'];

/**
 * Takes one stalled row: it is still in `status` and has not moved for `stalledMs`. One process
 * wins the UPDATE; the others see no row changed and leave it.
 */
async function claim(deps: VolumeDeps, table: StatusTable, uuid: string, status: string, stalledMs: number): Promise<boolean> {
  const sql = `UPDATE ${table} SET updated_at = NOW(6) WHERE uuid = ? AND status = ? AND deleted = 0 AND COALESCE(updated_at, created_at) < NOW(6) - INTERVAL ? MICROSECOND`;
  return (await execute(deps.db, sql, [uuid, status, stalledMs * 1000])) > 0;
}

/**
 * The work a process left when it died (its volumes and snapshots stay creating, extending or
 * deleting): each row that has not moved for `stalledMs` is taken up again by whichever API process
 * looks first. Work still running keeps its row fresh, so it is never taken twice.
 */
export async function redriveStalled(deps: VolumeDeps, stalledMs: number): Promise<number> {
  const stale = `status IN ('creating', 'extending', 'deleting') AND deleted = 0 AND COALESCE(updated_at, created_at) < NOW(6) - INTERVAL ? MICROSECOND`;
  const volumes = (await select<VolumeRow>(deps.db, `SELECT ${VOLUME_COLUMNS} FROM volumes WHERE ${stale} LIMIT 100`, [stalledMs * 1000])).map(toVolume);
  const snapshots = (await select<SnapshotRow>(deps.db, `SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE ${stale} LIMIT 100`, [stalledMs * 1000])).map(toSnapshot);
  let taken = 0;
  for (const v of volumes) {
    if (!BUSY.includes(v.status) || !(await claim(deps, 'volumes', v.uuid, v.status, stalledMs))) continue;
    taken += 1;
    deps.log.warn({ volume: v.uuid, status: v.status }, 'taking up stalled volume work');
    if (v.status === 'creating') deps.background(`resume volume ${v.uuid}`, () => resumeVolumeCreate(deps, v), { table: 'volumes', uuid: v.uuid });
    else if (v.status === 'deleting') deps.background(`resume delete ${v.uuid}`, () => finishVolumeDelete(deps, v), { table: 'volumes', uuid: v.uuid });
    // The size asked for is not kept: the volume goes back to its size and status, to be extended again.
    else await moveRow(deps.db, 'volumes', v.uuid, ['extending'], v.attach_status === 'attached' ? 'in-use' : 'available');
  }
  for (const s of snapshots) {
    if (!BUSY.includes(s.status) || !(await claim(deps, 'snapshots', s.uuid, s.status, stalledMs))) continue;
    taken += 1;
    deps.log.warn({ snapshot: s.uuid, status: s.status }, 'taking up stalled snapshot work');
    if (s.status === 'creating') {
      const volume = await findVolume(deps.db, s.volume_uuid).catch(() => undefined);
      deps.background(`resume snapshot ${s.uuid}`, () => finishSnapshot(deps, s.uuid, volume?.provider_location ?? null), { table: 'snapshots', uuid: s.uuid });
    } else deps.background(`resume snapshot delete ${s.uuid}`, () => finishSnapshotDelete(deps, s), { table: 'snapshots', uuid: s.uuid });
  }
  return taken;
}
