import { select, type Runner } from '../../ops/runtime-db/index.js';
import { badRequest, notFound } from './errors.js';

/** A column an API attribute maps to, and how its filter values read. */
export interface ListColumn {
  sql: string;
  kind?: 'string' | 'bool' | 'int';
}

/** What one collection may be filtered and sorted by. */
export interface ListSpec {
  table: string;
  /** The singular name, for messages ("network", "port"). */
  resource: string;
  columns: Record<string, ListColumn>;
}

export type ListQuery = Record<string, string | string[] | undefined>;

/** Rows the caller may see: a WHERE clause with its values, or none for an admin. */
export interface Scope {
  where: string;
  values: unknown[];
}

export interface Page<T> {
  rows: T[];
  /** Whether rows lie past this page (Neutron's `next` link). */
  more: boolean;
  /** Whether the page started at a marker (Neutron's `previous` link). */
  fromMarker: boolean;
}

/** The columns every resource has (Neutron's standard attributes), filterable and sortable on all. */
export const standardColumns: Record<string, ListColumn> = {
  id: { sql: 'id' },
  tenant_id: { sql: 'project_id' },
  project_id: { sql: 'project_id' },
  created_at: { sql: 'created_at' },
  updated_at: { sql: 'updated_at' },
  revision_number: { sql: 'revision_number', kind: 'int' },
};

const RESERVED = new Set(['fields', 'sort_key', 'sort_dir', 'limit', 'marker', 'page_reverse']);
const valuesOf = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const truth = (text: string): boolean => ['true', '1', 'yes', 'on'].includes(text.toLowerCase());

/** Rows of the caller's project only, all of them for an admin. */
export const ownScope = (caller: { isAdmin: boolean; projectId: string }): Scope => (caller.isAdmin ? { where: '', values: [] } : { where: 'project_id = ?', values: [caller.projectId] });

/** Neutron's filters: any attribute, several values meaning any of them; unknown attributes are left alone. */
export function filtersOf(spec: ListSpec, query: ListQuery): Scope {
  const where: string[] = [];
  const values: unknown[] = [];
  for (const [key, raw] of Object.entries(query)) {
    const column = spec.columns[key];
    if (RESERVED.has(key) || !column) continue;
    const wanted = valuesOf(raw).map((v) => (column.kind === 'bool' ? (truth(v) ? 1 : 0) : column.kind === 'int' ? Number(v) : v));
    if (wanted.length === 0) continue;
    if (wanted.some((v) => typeof v === 'number' && Number.isNaN(v))) throw badRequest('HTTPBadRequest', `Invalid input for ${key}: an integer is expected.`);
    where.push(`${column.sql} IN (${wanted.map(() => '?').join(', ')})`);
    values.push(...wanted);
  }
  return { where: where.join(' AND '), values };
}

interface Order {
  columns: string[];
  directions: ('ASC' | 'DESC')[];
}

function orderOf(spec: ListSpec, query: ListQuery, reverse: boolean): Order {
  const keys = valuesOf(query['sort_key']);
  const dirs = valuesOf(query['sort_dir']);
  if (dirs.length > 0 && dirs.length !== keys.length) throw badRequest('HTTPBadRequest', 'The number of sort_keys and sort_dirs must be same');
  const columns: string[] = [];
  const directions: ('ASC' | 'DESC')[] = [];
  keys.forEach((key, i) => {
    const column = spec.columns[key];
    if (!column) throw badRequest('HTTPBadRequest', `${key} is an invalid attribute for sort_key`);
    const dir = (dirs[i] ?? 'asc').toLowerCase();
    if (dir !== 'asc' && dir !== 'desc') throw badRequest('HTTPBadRequest', `${dirs[i] ?? ''} is an invalid value for sort_dir, valid value is 'asc' or 'desc'`);
    columns.push(column.sql);
    directions.push(dir === 'asc' ? 'ASC' : 'DESC');
  });
  if (!columns.includes('id')) {
    columns.push('id');
    directions.push('ASC');
  }
  const flip = (d: 'ASC' | 'DESC'): 'ASC' | 'DESC' => (d === 'ASC' ? 'DESC' : 'ASC');
  return { columns, directions: reverse ? directions.map(flip) : directions };
}

function limitOf(query: ListQuery): number | undefined {
  const raw = valuesOf(query['limit'])[0];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw badRequest('HTTPBadRequest', `Bad limit request: Limit must be an integer 0 or greater and not '${raw}'.`);
  if (n < 0) throw badRequest('HTTPBadRequest', `Bad limit request: Limit must be an integer 0 or greater and not '${raw}'.`);
  return n === 0 ? undefined : n;
}

/** Rows past the marker in the order asked: (a > m.a) OR (a = m.a AND b > m.b) ... */
function afterMarker(order: Order, marker: Record<string, unknown>): Scope {
  const parts: string[] = [];
  const values: unknown[] = [];
  order.columns.forEach((column, i) => {
    const equal = order.columns.slice(0, i).map((c) => `${c} = ?`);
    const op = order.directions[i] === 'ASC' ? '>' : '<';
    parts.push(`(${[...equal, `${column} ${op} ?`].join(' AND ')})`);
    values.push(...order.columns.slice(0, i).map((c) => marker[c]), marker[column]);
  });
  return { where: `(${parts.join(' OR ')})`, values };
}

/** One page of a collection: the caller's scope, Neutron's filters, sort keys, limit and marker. */
export async function listPage<T extends object>(db: Runner, spec: ListSpec, scope: Scope, query: ListQuery, extra: Scope[] = []): Promise<Page<T>> {
  const reverse = truth(valuesOf(query['page_reverse'])[0] ?? 'false');
  const order = orderOf(spec, query, reverse);
  const limit = limitOf(query);
  const conditions = [scope, filtersOf(spec, query), ...extra].filter((s) => s.where);
  const markerId = valuesOf(query['marker'])[0];
  if (markerId) {
    const base = conditions.map((c) => c.where).join(' AND ');
    const found = await select<Record<string, unknown>>(db, `SELECT ${order.columns.join(', ')} FROM ${spec.table} WHERE id = ?${base ? ` AND ${base}` : ''}`, [markerId, ...conditions.flatMap((c) => c.values)]);
    if (!found[0]) throw notFound('MarkerNotFound', `Marker ${markerId} could not be found.`);
    conditions.push(afterMarker(order, found[0]));
  }
  const where = conditions.length > 0 ? ` WHERE ${conditions.map((c) => c.where).join(' AND ')}` : '';
  const sql = `SELECT * FROM ${spec.table}${where} ORDER BY ${order.columns.map((c, i) => `${c} ${order.directions[i] ?? 'ASC'}`).join(', ')}${limit === undefined ? '' : ` LIMIT ${limit + 1}`}`;
  const rows = await select<T>(db, sql, conditions.flatMap((c) => c.values));
  const more = limit !== undefined && rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  return { rows: reverse ? page.reverse() : page, more: reverse ? Boolean(markerId) : more, fromMarker: reverse ? more : Boolean(markerId) };
}

/** Neutron's `<collection>_links`: next after the last item, previous before the first. */
export function pageLinks(url: string, query: ListQuery, page: Page<{ id: string }>): { rel: string; href: string }[] {
  const links: { rel: string; href: string }[] = [];
  const link = (rel: string, marker: string, reverse: boolean) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (key === 'marker' || key === 'page_reverse') continue;
      for (const v of valuesOf(value)) params.append(key, v);
    }
    params.set('marker', marker);
    if (reverse) params.set('page_reverse', 'True');
    links.push({ rel, href: `${url}?${params.toString()}` });
  };
  const last = page.rows[page.rows.length - 1];
  const first = page.rows[0];
  if (page.more && last) link('next', last.id, false);
  if (page.fromMarker && first) link('previous', first.id, true);
  return links;
}

/** Neutron's `fields=`: only the attributes asked for (all when none are). */
export function pickFields<T extends Record<string, unknown>>(item: T, query: ListQuery): Partial<T> {
  const fields = valuesOf(query['fields']);
  if (fields.length === 0) return item;
  return Object.fromEntries(Object.entries(item).filter(([k]) => fields.includes(k))) as Partial<T>;
}
