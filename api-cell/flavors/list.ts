import { InvalidInputError } from '../../ops/runtime/index.js';
import { select } from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';
import { loadFlavors, visibleTo, type Flavor, type FlavorViewer } from './store.js';

/** The columns Nova lets a list sort on (its VALID_SORT_KEYS, all flavors columns). */
export const flavorSortKeys = [
  'created_at', 'description', 'disabled', 'ephemeral_gb', 'flavorid', 'id', 'is_public', 'memory_mb', 'name',
  'root_gb', 'rxtx_factor', 'swap', 'updated_at', 'vcpu_weight', 'vcpus',
] as const;
export type FlavorSortKey = (typeof flavorSortKeys)[number];

export interface FlavorListQuery {
  /** true: public flavors and those shared with the viewer's project; false: private only; null: all. */
  isPublic: boolean | null;
  minRam?: number;
  minDisk?: number;
  /** A regular expression the name matches (2.102). */
  name?: string;
  sortKey: FlavorSortKey;
  sortDir: 'asc' | 'desc';
  limit: number;
  /** The flavorid of the last flavor of the previous page. */
  marker?: string;
}

/**
 * GET /flavors as Nova answers it: a non-admin sees enabled flavors that are public or shared
 * with its project (its is_public is ignored); an admin chooses with is_public. Sorted by the
 * key then the row id, paged after the marker flavor.
 */
export async function listFlavors(api: ApiDatabase, viewer: FlavorViewer, query: FlavorListQuery): Promise<Flavor[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const visible = visibleTo(viewer);
  where.push(visible.sql);
  params.push(...visible.params);
  if (!viewer.isAdmin) {
    where.push('flavors.disabled = 0');
  } else if (query.isPublic === true) {
    where.push('(flavors.is_public = 1 OR EXISTS (SELECT 1 FROM flavor_projects fp WHERE fp.flavor_id = flavors.id AND fp.project_id = ?))');
    params.push(viewer.projectId);
  } else if (query.isPublic === false) {
    where.push('flavors.is_public = 0');
  }
  if (query.minRam !== undefined) {
    where.push('flavors.memory_mb >= ?');
    params.push(query.minRam);
  }
  if (query.minDisk !== undefined) {
    where.push('flavors.root_gb >= ?');
    params.push(query.minDisk);
  }
  if (query.name !== undefined) {
    where.push('flavors.name REGEXP ?');
    params.push(query.name);
  }
  const key = `flavors.\`${query.sortKey}\``;
  const mkey = `m.\`${query.sortKey}\``;
  const dir = query.sortDir === 'desc' ? 'DESC' : 'ASC';
  let join = '';
  const joinParams: unknown[] = [];
  if (query.marker !== undefined) {
    const markerId = await markerRow(api, viewer, query.marker);
    join = 'JOIN flavors m ON m.id = ?';
    joinParams.push(markerId);
    const op = dir === 'ASC' ? '>' : '<';
    // Row-value "after the marker" in (key IS NOT NULL, key, id) order, which is how MariaDB sorts NULLs.
    where.push(
      `((${key} IS NOT NULL) ${op} (${mkey} IS NOT NULL) OR ((${key} IS NOT NULL) = (${mkey} IS NOT NULL) AND ` +
        `(${key} ${op} ${mkey} OR (${key} <=> ${mkey} AND flavors.id ${op} m.id))))`,
    );
  }
  return loadFlavors(
    api,
    `${join} WHERE ${where.join(' AND ')}`,
    [...joinParams, ...params, query.limit],
    `ORDER BY (${key} IS NOT NULL) ${dir}, ${key} ${dir}, flavors.id ${dir} LIMIT ?`,
  );
}

async function markerRow(api: ApiDatabase, viewer: FlavorViewer, marker: string): Promise<number> {
  const visible = visibleTo(viewer);
  const rows = await select<{ id: number }>(api, `SELECT flavors.id FROM flavors WHERE flavors.flavorid = ? AND ${visible.sql}`, [marker, ...visible.params]);
  if (!rows[0]) throw new InvalidInputError(`marker [${marker}] not found`);
  return rows[0].id;
}
