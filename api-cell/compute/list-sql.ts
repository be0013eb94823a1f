import { InvalidInputError } from '../../ops/runtime/index.js';

/** A sort key: an instances column (Nova's sort_key names) and its direction. */
export interface SortKey {
  key: string;
  dir: 'asc' | 'desc';
}

type Kind = 'string' | 'number' | 'date';

/** Sortable columns: the SQL each sorts by (NULLs folded so the order is total) and its kind. */
const sortable: Record<string, { sql: string; kind: Kind; admin?: boolean }> = {
  created_at: { sql: 'created_at', kind: 'date' },
  updated_at: { sql: 'COALESCE(updated_at, created_at)', kind: 'date' },
  launched_at: { sql: "COALESCE(launched_at, '1970-01-01')", kind: 'date' },
  terminated_at: { sql: "COALESCE(terminated_at, '1970-01-01')", kind: 'date' },
  display_name: { sql: "COALESCE(display_name, '')", kind: 'string' },
  display_description: { sql: "COALESCE(display_description, '')", kind: 'string' },
  hostname: { sql: "COALESCE(hostname, '')", kind: 'string' },
  host: { sql: "COALESCE(host, '')", kind: 'string', admin: true },
  node: { sql: "COALESCE(node, '')", kind: 'string', admin: true },
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

/**
 * The sort keys of a list request: Nova's defaults (created_at desc), `id` read as `uuid`, and
 * uuid always last, so that the order is the same in every cell and across them.
 */
export function sortKeys(keys: string[], dirs: string[], isAdmin: boolean): SortKey[] {
  const wanted = keys.length > 0 ? keys : ['created_at'];
  const result: SortKey[] = [];
  wanted.forEach((key, i) => {
    const name = key === 'id' ? 'uuid' : key;
    const spec = sortable[name];
    if (!spec) throw new InvalidInputError(`Invalid sort_key ${key}`);
    if (spec.admin && !isAdmin) throw new InvalidInputError(`Only administrators can sort servers by ${key}`);
    const dir = dirs[i] ?? dirs[0] ?? 'desc';
    if (dir !== 'asc' && dir !== 'desc') throw new InvalidInputError(`Invalid sort_dir ${dir}`);
    if (!result.some((k) => k.key === name)) result.push({ key: name, dir });
  });
  if (!result.some((k) => k.key === 'uuid')) result.push({ key: 'uuid', dir: result.at(-1)?.dir ?? 'desc' });
  return result;
}

/** SELECT list of the sort values, as s0, s1, ... (dates as fixed-width strings, exact to the microsecond). */
export function sortSelect(keys: SortKey[]): string {
  return keys
    .map((k, i) => {
      const spec = sortable[k.key];
      const expr = spec?.kind === 'date' ? `DATE_FORMAT(${spec.sql}, '%Y-%m-%d %H:%i:%s.%f')` : (spec?.sql ?? 'uuid');
      return `${expr} AS s${i}`;
    })
    .join(', ');
}

export function orderBy(keys: SortKey[]): string {
  return keys.map((k) => `${sortable[k.key]?.sql ?? 'uuid'} ${k.dir.toUpperCase()}`).join(', ');
}

/**
 * "Comes after the marker" for compound keys in mixed directions. The redundant bound on the
 * first key lets MariaDB seek the index to the marker instead of scanning every row before it,
 * so a deep page costs what the first page costs.
 */
export function afterMarker(keys: SortKey[], marker: unknown[]): { sql: string; params: unknown[] } {
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

export function kindOf(key: string): Kind {
  return sortable[key]?.kind ?? 'string';
}

/** Sort values are strings, numbers or null; anything else is compared as its JSON. */
const text = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v));

/** Compares two rows' sort values the way the database ordered them. */
export function compareRows(keys: SortKey[], a: unknown[], b: unknown[]): number {
  for (let i = 0; i < keys.length; i += 1) {
    const x = a[i];
    const y = b[i];
    let c = 0;
    if (typeof x === 'number' && typeof y === 'number') c = x - y;
    else {
      const sx = text(x);
      const sy = text(y);
      c = sx < sy ? -1 : sx > sy ? 1 : 0;
    }
    if (c !== 0) return keys[i]?.dir === 'asc' ? c : -c;
  }
  return 0;
}

/** Formats a JS date like the database formats the sort values. */
export const sqlTime = (d: Date | null): string => (d ?? new Date(0)).toISOString().replace('T', ' ').replace('Z', '000');
