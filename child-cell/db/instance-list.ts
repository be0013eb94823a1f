import { fastSelect, select } from '../../ops/runtime-db/index.js';
import type { CellDatabase } from './database.js';
import { instanceFilterSql, type InstanceFilters } from './instance-filters.js';

/** A sort key: an instances column (Nova's sort_key names) and its direction. */
export interface SortKey {
  key: string;
  dir: 'asc' | 'desc';
}

export type SortKind = 'string' | 'number' | 'date';

/** Sortable columns: the SQL each sorts by (NULLs folded so the order is total) and its kind. */
const sortable: Record<string, { sql: string; kind: SortKind }> = {
  created_at: { sql: 'created_at', kind: 'date' },
  updated_at: { sql: 'COALESCE(updated_at, created_at)', kind: 'date' },
  launched_at: { sql: "COALESCE(launched_at, '1970-01-01')", kind: 'date' },
  terminated_at: { sql: "COALESCE(terminated_at, '1970-01-01')", kind: 'date' },
  display_name: { sql: "COALESCE(display_name, '')", kind: 'string' },
  display_description: { sql: "COALESCE(display_description, '')", kind: 'string' },
  hostname: { sql: "COALESCE(hostname, '')", kind: 'string' },
  host: { sql: "COALESCE(host, '')", kind: 'string' },
  node: { sql: "COALESCE(node, '')", kind: 'string' },
  availability_zone: { sql: "COALESCE(availability_zone, '')", kind: 'string' },
  key_name: { sql: "COALESCE(key_name, '')", kind: 'string' },
  image_ref: { sql: "COALESCE(image_ref, '')", kind: 'string' },
  project_id: { sql: 'project_id', kind: 'string' },
  user_id: { sql: 'user_id', kind: 'string' },
  vm_state: { sql: 'vm_state', kind: 'string' },
  task_state: { sql: "COALESCE(task_state, '')", kind: 'string' },
  locked_by: { sql: "COALESCE(locked_by, '')", kind: 'string' },
  config_drive: { sql: "COALESCE(config_drive, '')", kind: 'string' },
  power_state: { sql: 'power_state', kind: 'number' },
  progress: { sql: 'progress', kind: 'number' },
  launch_index: { sql: 'launch_index', kind: 'number' },
  locked: { sql: 'locked', kind: 'number' },
  instance_type_id: { sql: 'COALESCE(instance_type_id, 0)', kind: 'number' },
  uuid: { sql: 'uuid', kind: 'string' },
};

/** How a column sorts, or undefined if instances cannot be sorted by it. */
export function instanceSortKind(key: string): SortKind | undefined {
  return sortable[key]?.kind;
}

/** SELECT list of the sort values, as s0, s1, ... (dates as fixed-width strings, exact to the microsecond). */
function sortSelect(keys: SortKey[]): string {
  return keys
    .map((k, i) => {
      const spec = sortable[k.key];
      const expr = spec?.kind === 'date' ? `DATE_FORMAT(${spec.sql}, '%Y-%m-%d %H:%i:%s.%f')` : (spec?.sql ?? 'uuid');
      return `${expr} AS s${i}`;
    })
    .join(', ');
}

function orderBy(keys: SortKey[]): string {
  return keys.map((k) => `${sortable[k.key]?.sql ?? 'uuid'} ${k.dir.toUpperCase()}`).join(', ');
}

/**
 * "Comes after the marker" for compound keys in mixed directions. The redundant bound on the
 * first key lets MariaDB seek the index to the marker instead of scanning every row before it,
 * so a deep page costs what the first page costs.
 */
function afterMarker(keys: SortKey[], marker: unknown[]): { sql: string; params: unknown[] } {
  const ors: string[] = [];
  const first = keys[0];
  const bound = first ? `${sortable[first.key]?.sql} ${first.dir === 'asc' ? '>=' : '<='} ? AND ` : '';
  const params: unknown[] = first ? [marker[0]] : [];
  keys.forEach((k, i) => {
    const ands: string[] = [];
    for (let j = 0; j < i; j += 1) {
      ands.push(`${sortable[keys[j]?.key ?? 'uuid']?.sql} = ?`);
      params.push(marker[j]);
    }
    ands.push(`${sortable[k.key]?.sql} ${k.dir === 'asc' ? '>' : '<'} ?`);
    params.push(marker[i]);
    ors.push(`(${ands.join(' AND ')})`);
  });
  return { sql: `(${bound}(${ors.join(' OR ')}))`, params };
}

/** An instance in a sorted list: its uuid and its sort values, in the order of the keys. */
export interface SortedInstance {
  uuid: string;
  values: unknown[];
}

/**
 * Up to `limit` instances matching `filters`, in `sort` order, after the sort values `after`
 * (a page's last row) when given: only uuids and sort values, read without a transaction.
 */
export async function listSortedInstances(db: CellDatabase, filters: InstanceFilters, sort: SortKey[], after: unknown[] | undefined, limit: number): Promise<SortedInstance[]> {
  const { sql, params } = instanceFilterSql(filters);
  const bound = after ? afterMarker(sort, after) : undefined;
  const query = `SELECT uuid, ${sortSelect(sort)} FROM instances WHERE ${sql}${bound ? ` AND ${bound.sql}` : ''} ORDER BY ${orderBy(sort)} LIMIT ?`;
  const rows = await fastSelect<Record<string, unknown> & { uuid: string }>(db, query, [...params, ...(bound?.params ?? []), limit]);
  return rows.map((row) => ({ uuid: row.uuid, values: sort.map((_, i) => row[`s${i}`]) }));
}

/** The sort values of one instance (deleted or not), or undefined if the cell has none of that uuid. */
export async function instanceSortValues(db: CellDatabase, uuid: string, sort: SortKey[]): Promise<unknown[] | undefined> {
  const row = (await select<Record<string, unknown>>(db, `SELECT ${sortSelect(sort)} FROM instances WHERE uuid = ?`, [uuid]))[0];
  return row ? sort.map((_, i) => row[`s${i}`]) : undefined;
}
