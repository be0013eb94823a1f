import { NotFoundError } from '../../ops/runtime/index.js';
import { execute, select, type Runner } from '../../ops/runtime-db/index.js';
import { SNAPSHOT_COLUMNS, toSnapshot, type Snapshot, type SnapshotRow, type VolumeViewer } from './records.js';
import { selectPage, type Page } from './rows.js';

export async function findSnapshot(run: Runner, uuid: string, viewer?: VolumeViewer): Promise<Snapshot> {
  const rows = await select<SnapshotRow>(run, `SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE uuid = ? AND deleted = 0`, [uuid]);
  const row = rows[0];
  if (!row || (viewer && !viewer.isAdmin && viewer.projectId !== row.project_id)) throw new NotFoundError(`Snapshot ${uuid} could not be found.`);
  return toSnapshot(row);
}

export async function snapshotsOfVolume(run: Runner, volumeUuid: string): Promise<Snapshot[]> {
  return (await select<SnapshotRow>(run, `SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE volume_uuid = ? AND deleted = 0`, [volumeUuid])).map(toSnapshot);
}

export interface SnapshotQuery {
  projectId: string | undefined;
  name?: string | undefined;
  status?: string | undefined;
  volumeUuid?: string | undefined;
  sortKey: string;
  sortDir: 'asc' | 'desc';
  limit: number;
  offset?: number | undefined;
  marker?: string | undefined;
}

export const SNAPSHOT_SORT_KEYS: Record<string, string> = { created_at: 'created_at', updated_at: 'updated_at', id: 'uuid', name: 'name', display_name: 'name', size: 'size', status: 'status' };

export async function listSnapshots(run: Runner, q: SnapshotQuery): Promise<Page<Snapshot>> {
  const filters: [string, unknown[]][] = [];
  if (q.projectId !== undefined) filters.push(['project_id = ?', [q.projectId]]);
  if (q.name !== undefined) filters.push(['name = ?', [q.name]]);
  if (q.status !== undefined) filters.push(['status = ?', [q.status]]);
  if (q.volumeUuid !== undefined) filters.push(['volume_uuid = ?', [q.volumeUuid]]);
  const column = SNAPSHOT_SORT_KEYS[q.sortKey] ?? 'created_at';
  const page = await selectPage<SnapshotRow>(run, 'snapshots', SNAPSHOT_COLUMNS, filters, { column, sortDir: q.sortDir, limit: q.limit, offset: q.offset, marker: q.marker });
  return { items: page.rows.map(toSnapshot), count: page.count };
}

export async function insertSnapshot(run: Runner, s: Omit<Snapshot, 'status' | 'provider_location' | 'created_at' | 'updated_at'>): Promise<void> {
  await execute(
    run,
    "INSERT INTO snapshots (uuid, project_id, user_id, volume_uuid, name, description, size, status, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, 'creating', ?)",
    [s.uuid, s.project_id, s.user_id, s.volume_uuid, s.name, s.description, s.size, JSON.stringify(s.metadata)],
  );
}
