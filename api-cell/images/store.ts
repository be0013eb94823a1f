import { createHash, randomUUID } from 'node:crypto';
import { ConflictError, ForbiddenError, NotFoundError } from '../../ops/runtime/index.js';
import { execute, inList, select } from '../../ops/runtime-db/index.js';
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
  checksum: string | null;
  os_hash_value: string | null;
  min_disk: number;
  min_ram: number;
  protected: boolean;
  os_hidden: boolean;
  tags: string[];
  properties: Record<string, string>;
  created_at: Date;
  updated_at: Date | null;
}

interface ImageRow extends Omit<Image, 'properties' | 'tags' | 'protected' | 'os_hidden' | 'size'> {
  properties: string | null;
  tags: string | null;
  protected: number;
  os_hidden: number;
  size: number | string | null;
}

const columns =
  'uuid, name, status, visibility, owner, disk_format, container_format, size, checksum, os_hash_value, min_disk, min_ram, protected, os_hidden, tags, properties, created_at, updated_at';
const toImage = (row: ImageRow): Image => ({
  ...row,
  size: row.size === null ? null : Number(row.size),
  protected: Boolean(row.protected),
  os_hidden: Boolean(row.os_hidden),
  tags: row.tags ? (JSON.parse(row.tags) as string[]) : [],
  properties: row.properties ? (JSON.parse(row.properties) as Record<string, string>) : {},
});

/** Who is asking: private and shared images are visible to their owner and to admins. */
export interface ImageViewer {
  projectId: string;
  isAdmin: boolean;
}

const visibleTo = (viewer: ImageViewer | undefined, row: { visibility: string; owner: string | null }): boolean =>
  !viewer || viewer.isAdmin || row.visibility === 'public' || row.visibility === 'community' || row.owner === viewer.projectId;

export async function findImage(api: ApiDatabase, uuid: string, viewer?: ImageViewer): Promise<Image> {
  const rows = await select<ImageRow>(api, `SELECT ${columns} FROM images WHERE uuid = ? AND deleted = 0`, [uuid]);
  const row = rows[0];
  if (!row || !visibleTo(viewer, row)) throw new NotFoundError(`No image found with ID ${uuid}`);
  return toImage(row);
}

/** Image columns a list may sort by, and what stands in for NULL so that markers compare. */
export const SORT_KEYS = {
  created_at: "'1970-01-01'",
  updated_at: "'1970-01-01'",
  name: "''",
  status: "''",
  id: "''",
  size: '-1',
  min_disk: '-1',
  min_ram: '-1',
  disk_format: "''",
  container_format: "''",
  visibility: "''",
  owner: "''",
} as const;
export type ImageSortKey = keyof typeof SORT_KEYS;

export interface ImageQuery {
  /** Column filters (exact match; `id` and `name` take several values). */
  ids?: string[] | undefined;
  names?: string[] | undefined;
  status?: string | undefined;
  /** undefined lists public, shared and the viewer's own images, as Glance does. */
  visibility?: 'public' | 'private' | 'shared' | 'community' | 'all' | undefined;
  owner?: string | undefined;
  tags?: string[] | undefined;
  disk_format?: string | undefined;
  container_format?: string | undefined;
  size_min?: number | undefined;
  size_max?: number | undefined;
  protected?: boolean | undefined;
  os_hidden?: boolean | undefined;
  /** Filters on image properties (`?os_distro=ubuntu`). */
  properties?: Record<string, string> | undefined;
  /** At least this much RAM or disk asked for (the compute API's image proxy). */
  min_ram_at_least?: number | undefined;
  min_disk_at_least?: number | undefined;
  /** Changed since (the compute API's image proxy `changes-since`). */
  changed_since?: Date | undefined;
  limit: number;
  marker?: string | undefined;
  sortKey: ImageSortKey;
  sortDir: 'asc' | 'desc';
}

/** Images the viewer may see, filtered and paged by marker (Glance's list): one query. */
export async function listImages(api: ApiDatabase, viewer: ImageViewer, q: ImageQuery): Promise<Image[]> {
  const where = ['deleted = 0'];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]): void => {
    where.push(sql);
    params.push(...values);
  };
  addVisibility(add, viewer, q.visibility);
  if (q.ids?.length) add(`uuid IN (${inList(q.ids.length)})`, ...q.ids);
  if (q.names?.length) add(`name IN (${inList(q.names.length)})`, ...q.names);
  for (const key of ['status', 'owner', 'disk_format', 'container_format'] as const) {
    if (q[key] !== undefined) add(`${key} = ?`, q[key]);
  }
  if (q.size_min !== undefined) add('size >= ?', q.size_min);
  if (q.size_max !== undefined) add('size <= ?', q.size_max);
  if (q.protected !== undefined) add('protected = ?', q.protected);
  if (q.min_ram_at_least !== undefined) add('min_ram >= ?', q.min_ram_at_least);
  if (q.min_disk_at_least !== undefined) add('min_disk >= ?', q.min_disk_at_least);
  if (q.changed_since !== undefined) add('COALESCE(updated_at, created_at) >= ?', q.changed_since);
  add('os_hidden = ?', q.os_hidden ?? false);
  for (const tag of q.tags ?? []) add("JSON_CONTAINS(COALESCE(tags, '[]'), JSON_QUOTE(?))", tag);
  for (const [key, value] of Object.entries(q.properties ?? {})) add('JSON_VALUE(properties, ?) = ?', `$."${key.replaceAll('"', '')}"`, value);
  const column = q.sortKey === 'id' ? 'uuid' : q.sortKey;
  const sortValue = `COALESCE(${column}, ${SORT_KEYS[q.sortKey]})`;
  const dir = q.sortDir === 'asc' ? 'ASC' : 'DESC';
  if (q.marker !== undefined) {
    const marker = (await select<{ key: unknown }>(api, `SELECT ${sortValue} AS \`key\` FROM images WHERE uuid = ? AND deleted = 0`, [q.marker]))[0];
    if (!marker) throw new NotFoundError(`Marker ${q.marker} could not be found.`);
    const op = q.sortDir === 'asc' ? '>' : '<';
    add(`(${sortValue} ${op} ? OR (${sortValue} = ? AND uuid ${op} ?))`, marker.key, marker.key, q.marker);
  }
  const sql = `SELECT ${columns} FROM images WHERE ${where.join(' AND ')} ORDER BY ${sortValue} ${dir}, uuid ${dir} LIMIT ?`;
  return (await select<ImageRow>(api, sql, [...params, q.limit])).map(toImage);
}

function addVisibility(add: (sql: string, ...values: unknown[]) => void, viewer: ImageViewer, visibility: ImageQuery['visibility']): void {
  const own = viewer.isAdmin ? '1 = 1' : 'owner = ?';
  const ownParams = viewer.isAdmin ? [] : [viewer.projectId];
  if (visibility === undefined) add(`(visibility = 'public' OR (visibility <> 'community' AND ${own}))`, ...ownParams);
  else if (visibility === 'all') add(`(visibility IN ('public', 'community') OR ${own})`, ...ownParams);
  else if (visibility === 'public' || visibility === 'community') add('visibility = ?', visibility);
  else add(`visibility = ? AND ${own}`, visibility, ...ownParams);
}

export interface ImageSpec {
  uuid?: string | undefined;
  name?: string | null | undefined;
  owner?: string | null | undefined;
  visibility?: string | undefined;
  disk_format?: string | null | undefined;
  container_format?: string | null | undefined;
  size?: number | null | undefined;
  min_disk?: number | undefined;
  min_ram?: number | undefined;
  protected?: boolean | undefined;
  os_hidden?: boolean | undefined;
  tags?: string[] | undefined;
  properties?: Record<string, string> | undefined;
  /** Registered images are usable at once; created ones wait for their data. */
  status?: 'active' | 'queued';
}

export async function createImage(api: ApiDatabase, spec: ImageSpec): Promise<Image> {
  const uuid = spec.uuid ?? randomUUID();
  const clash = await select(api, 'SELECT 1 FROM images WHERE uuid = ?', [uuid]);
  if (clash.length > 0) throw new ConflictError(`Image with identifier ${uuid} already exists!`);
  await execute(
    api,
    `INSERT INTO images (uuid, name, status, visibility, owner, disk_format, container_format, size, min_disk, min_ram, protected, os_hidden, tags, properties)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [uuid, spec.name ?? null, spec.status ?? 'active', spec.visibility ?? 'shared', spec.owner ?? null, spec.disk_format ?? null,
      spec.container_format ?? null, spec.size ?? null, spec.min_disk ?? 0, spec.min_ram ?? 0, spec.protected ?? false,
      spec.os_hidden ?? false, JSON.stringify(spec.tags ?? []), JSON.stringify(spec.properties ?? {})],
  );
  return findImage(api, uuid);
}

/** Core attributes a client may change; any other key is an image property. */
export const EDITABLE_ATTRIBUTES = new Set(['name', 'owner', 'visibility', 'disk_format', 'container_format', 'min_disk', 'min_ram', 'protected', 'os_hidden', 'tags']);

export interface ImageChanges {
  attributes: Record<string, unknown>;
  /** The image's properties after the change (the whole set). */
  properties: Record<string, string>;
}

/** Only the owner (or an admin) changes an image; everyone else who can see it gets a 403. */
export function assertOwner(image: Image, viewer: ImageViewer, what: string): void {
  if (!viewer.isAdmin && image.owner !== viewer.projectId) throw new ForbiddenError(`You are not permitted to ${what} this image.`);
}

export async function updateImage(api: ApiDatabase, uuid: string, viewer: ImageViewer, changes: ImageChanges): Promise<Image> {
  const sets: string[] = [];
  const params: unknown[] = [];
  for (const [key, value] of Object.entries(changes.attributes)) {
    if (!EDITABLE_ATTRIBUTES.has(key)) continue;
    sets.push(`\`${key}\` = ?`);
    params.push(key === 'tags' ? JSON.stringify(value ?? []) : value);
  }
  sets.push('properties = ?', 'updated_at = NOW(6)');
  params.push(JSON.stringify(changes.properties));
  await execute(api, `UPDATE images SET ${sets.join(', ')} WHERE uuid = ? AND deleted = 0`, [...params, uuid]);
  return findImage(api, uuid, viewer);
}

export async function deleteImage(api: ApiDatabase, uuid: string, viewer: ImageViewer): Promise<void> {
  const image = await findImage(api, uuid, viewer);
  assertOwner(image, viewer, 'delete');
  if (image.protected) throw new ForbiddenError(`Image ${uuid} is protected and cannot be deleted.`);
  await execute(api, "UPDATE images SET deleted = id, deleted_at = NOW(6), status = 'deleted' WHERE uuid = ? AND deleted = 0", [uuid]);
  await execute(api, 'DELETE FROM image_data WHERE image_uuid = ?', [uuid]);
}

/** Stores an image's bytes (small images only: they live in the API database) and makes it active. */
export async function uploadImage(api: ApiDatabase, uuid: string, viewer: ImageViewer, data: Buffer): Promise<Image> {
  const image = await findImage(api, uuid, viewer);
  assertOwner(image, viewer, 'upload data for');
  if (image.status !== 'queued') throw new ConflictError(`Image status transition from ${image.status} to saving is not allowed`);
  await storeImageData(api, uuid, data);
  return findImage(api, uuid, viewer);
}

/** Keeps a queued image's bytes and makes it active, with its size and checksums; an active one is left as it is. */
export async function storeImageData(api: ApiDatabase, uuid: string, data: Buffer): Promise<void> {
  const md5 = createHash('md5').update(data).digest('hex');
  const sha512 = createHash('sha512').update(data).digest('hex');
  await api.sequelize.transaction(async (transaction) => {
    const run = { sequelize: api.sequelize, transaction };
    const made = await execute(run, "UPDATE images SET status = 'active', size = ?, checksum = ?, os_hash_value = ?, updated_at = NOW(6) WHERE uuid = ? AND status = 'queued' AND deleted = 0", [
      data.length,
      md5,
      sha512,
      uuid,
    ]);
    if (made > 0) await execute(run, 'INSERT INTO image_data (image_uuid, data) VALUES (?, ?) ON DUPLICATE KEY UPDATE data = VALUES(data)', [uuid, data]);
  });
}

/** Deletes an image nobody asked to delete (a snapshot that failed), whoever owns it. */
export async function discardImage(api: ApiDatabase, uuid: string): Promise<void> {
  await execute(api, "UPDATE images SET deleted = id, deleted_at = NOW(6), status = 'deleted' WHERE uuid = ? AND deleted = 0", [uuid]);
  await execute(api, 'DELETE FROM image_data WHERE image_uuid = ?', [uuid]);
}

export async function downloadImage(api: ApiDatabase, uuid: string, viewer: ImageViewer): Promise<Buffer | undefined> {
  await findImage(api, uuid, viewer);
  const rows = await select<{ data: Buffer }>(api, 'SELECT data FROM image_data WHERE image_uuid = ?', [uuid]);
  return rows[0]?.data;
}

/** The image bring-up registers so that a first boot needs no setup. */
export const DEFAULT_IMAGE_NAME = 'cirros-0.6.2-x86_64-disk';

export async function ensureDefaultImage(api: ApiDatabase): Promise<Image | undefined> {
  const found = await select<{ uuid: string }>(api, 'SELECT uuid FROM images WHERE name = ? AND deleted = 0', [DEFAULT_IMAGE_NAME]);
  if (found.length > 0) return undefined;
  return createImage(api, { name: DEFAULT_IMAGE_NAME, visibility: 'public', disk_format: 'qcow2', container_format: 'bare', size: 21430272, status: 'active' });
}
