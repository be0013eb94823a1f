import { NotFoundError } from '../../ops/runtime/index.js';
import { execute, inList, select, type Runner } from '../../ops/runtime-db/index.js';
import { toVolume, VOLUME_COLUMNS, type Volume, type VolumeRow, type VolumeViewer } from './records.js';
import { selectPage, type Page } from './rows.js';

const visible = (viewer: VolumeViewer | undefined, projectId: string): boolean => !viewer || viewer.isAdmin || viewer.projectId === projectId;

/** A live volume the viewer may see; anything else is Cinder's 404. */
export async function findVolume(run: Runner, uuid: string, viewer?: VolumeViewer): Promise<Volume> {
  const rows = await select<VolumeRow>(run, `SELECT ${VOLUME_COLUMNS} FROM volumes WHERE uuid = ? AND deleted = 0`, [uuid]);
  const row = rows[0];
  if (!row || !visible(viewer, row.project_id)) throw new NotFoundError(`Volume ${uuid} could not be found.`);
  return toVolume(row);
}

export async function volumesByUuid(run: Runner, uuids: string[]): Promise<Volume[]> {
  if (uuids.length === 0) return [];
  return (await select<VolumeRow>(run, `SELECT ${VOLUME_COLUMNS} FROM volumes WHERE uuid IN (${inList(uuids.length)}) AND deleted = 0`, uuids)).map(toVolume);
}

/** Cinder's volume sort keys and the column each names. */
export const VOLUME_SORT_KEYS: Record<string, string> = {
  created_at: 'created_at',
  updated_at: 'updated_at',
  id: 'uuid',
  name: 'name',
  display_name: 'name',
  size: 'size',
  status: 'status',
  availability_zone: 'availability_zone',
  bootable: 'bootable',
};

export interface VolumeQuery {
  /** undefined lists every project (an admin's all_tenants). */
  projectId: string | undefined;
  name?: string | undefined;
  status?: string | undefined;
  bootable?: boolean | undefined;
  availabilityZone?: string | undefined;
  metadata?: Record<string, string> | undefined;
  sortKey: string;
  sortDir: 'asc' | 'desc';
  limit: number;
  offset?: number | undefined;
  marker?: string | undefined;
}

export async function listVolumes(run: Runner, q: VolumeQuery): Promise<Page<Volume>> {
  const filters: [string, unknown[]][] = [];
  if (q.projectId !== undefined) filters.push(['project_id = ?', [q.projectId]]);
  if (q.name !== undefined) filters.push(['name = ?', [q.name]]);
  if (q.status !== undefined) filters.push(['status = ?', [q.status]]);
  if (q.bootable !== undefined) filters.push(['bootable = ?', [q.bootable]]);
  if (q.availabilityZone !== undefined) filters.push(['availability_zone = ?', [q.availabilityZone]]);
  for (const [key, value] of Object.entries(q.metadata ?? {})) filters.push(['JSON_VALUE(metadata, ?) = ?', [`$."${key.replaceAll('"', '')}"`, value]]);
  const column = VOLUME_SORT_KEYS[q.sortKey] ?? 'created_at';
  const page = await selectPage<VolumeRow>(run, 'volumes', VOLUME_COLUMNS, filters, { column, sortDir: q.sortDir, limit: q.limit, offset: q.offset, marker: q.marker });
  return { items: page.rows.map(toVolume), count: page.count };
}

/** A volume as its create writes it: everything but what the service sets. */
export type NewVolume = Omit<Volume, 'status' | 'attach_status' | 'provider_location' | 'created_at' | 'updated_at'>;

export async function insertVolume(run: Runner, v: NewVolume): Promise<void> {
  await execute(
    run,
    `INSERT INTO volumes (uuid, project_id, user_id, name, description, size, status, availability_zone, volume_type_uuid, snapshot_uuid,
       source_volume_uuid, image_uuid, image_metadata, bootable, multiattach, metadata)
     VALUES (?, ?, ?, ?, ?, ?, 'creating', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [v.uuid, v.project_id, v.user_id, v.name, v.description, v.size, v.availability_zone, v.volume_type_uuid, v.snapshot_uuid,
      v.source_volume_uuid, v.image_uuid, v.image_metadata ? JSON.stringify(v.image_metadata) : null, v.bootable, v.multiattach, JSON.stringify(v.metadata)],
  );
}
