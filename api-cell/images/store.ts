import { randomUUID } from 'node:crypto';
import { execute, NotFoundError, select } from '../../ops/runtime/index.js';
import type { ApiDatabase } from '../db/index.js';

export interface Image {
  uuid: string;
  name: string | null;
  status: string;
  visibility: string;
  owner: string | null;
  disk_format: string | null;
  container_format: string | null;
  size: number | null;
  min_disk: number;
  min_ram: number;
  properties: Record<string, string>;
  created_at: Date;
  updated_at: Date | null;
}

interface ImageRow extends Omit<Image, 'properties'> {
  properties: string | null;
}

const columns = 'uuid, name, status, visibility, owner, disk_format, container_format, size, min_disk, min_ram, properties, created_at, updated_at';
const toImage = (row: ImageRow): Image => ({ ...row, properties: row.properties ? (JSON.parse(row.properties) as Record<string, string>) : {} });

/** Who is asking: private images are visible to their owner and to admins. */
export interface ImageViewer {
  projectId: string;
  isAdmin: boolean;
}

export async function findImage(api: ApiDatabase, uuid: string, viewer?: ImageViewer): Promise<Image> {
  const rows = await select<ImageRow>(api, `SELECT ${columns} FROM images WHERE uuid = ? AND deleted = 0`, [uuid]);
  const row = rows[0];
  const visible = row && (!viewer || viewer.isAdmin || row.visibility !== 'private' || row.owner === viewer.projectId);
  if (!row || !visible) throw new NotFoundError(`Image ${uuid} could not be found.`);
  return toImage(row);
}

export interface ImageSpec {
  uuid?: string;
  name: string;
  owner?: string | null;
  visibility?: string;
  disk_format?: string;
  container_format?: string;
  size?: number | null;
  min_disk?: number;
  min_ram?: number;
  properties?: Record<string, string>;
}

export async function createImage(api: ApiDatabase, spec: ImageSpec): Promise<Image> {
  const uuid = spec.uuid ?? randomUUID();
  await execute(
    api,
    `INSERT INTO images (uuid, name, status, visibility, owner, disk_format, container_format, size, min_disk, min_ram, properties)
     VALUES (?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?)`,
    [uuid, spec.name, spec.visibility ?? 'public', spec.owner ?? null, spec.disk_format ?? 'qcow2', spec.container_format ?? 'bare',
      spec.size ?? null, spec.min_disk ?? 0, spec.min_ram ?? 0, JSON.stringify(spec.properties ?? {})],
  );
  return findImage(api, uuid);
}

/** The image bring-up registers so that a first boot needs no setup. */
export const DEFAULT_IMAGE_NAME = 'cirros-0.6.2-x86_64-disk';

export async function ensureDefaultImage(api: ApiDatabase): Promise<Image | undefined> {
  const found = await select<{ uuid: string }>(api, 'SELECT uuid FROM images WHERE name = ? AND deleted = 0', [DEFAULT_IMAGE_NAME]);
  if (found.length > 0) return undefined;
  return createImage(api, { name: DEFAULT_IMAGE_NAME, disk_format: 'qcow2', container_format: 'bare', size: 21430272 });
}
