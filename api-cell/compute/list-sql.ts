import { instanceSortKind, type SortKey } from '../../child-cell/db/index.js';
import { InvalidInputError } from '../../ops/runtime/index.js';

export type { SortKey };

/** Sorting by these is for administrators only (Nova's policy). */
const adminOnly = new Set(['host', 'node']);

/**
 * The sort keys of a list request: Nova's defaults (created_at desc), `id` read as `uuid`, and
 * uuid always last, so that the order is the same in every cell and across them.
 */
export function sortKeys(keys: string[], dirs: string[], isAdmin: boolean): SortKey[] {
  const wanted = keys.length > 0 ? keys : ['created_at'];
  const result: SortKey[] = [];
  wanted.forEach((key, i) => {
    const name = key === 'id' ? 'uuid' : key;
    if (!instanceSortKind(name)) throw new InvalidInputError(`Invalid sort_key ${key}`);
    if (adminOnly.has(name) && !isAdmin) throw new InvalidInputError(`Only administrators can sort servers by ${key}`);
    const dir = dirs[i] ?? dirs[0] ?? 'desc';
    if (dir !== 'asc' && dir !== 'desc') throw new InvalidInputError(`Invalid sort_dir ${dir}`);
    if (!result.some((k) => k.key === name)) result.push({ key: name, dir });
  });
  if (!result.some((k) => k.key === 'uuid')) result.push({ key: 'uuid', dir: result.at(-1)?.dir ?? 'desc' });
  return result;
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
