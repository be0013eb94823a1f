import { NotFoundError } from '../../ops/runtime/index.js';
import { execute, inList, select, type Runner } from '../../ops/runtime-db/index.js';

/** The volume service's tables whose rows have a status and soft deletes. */
export type StatusTable = 'volumes' | 'snapshots';

/**
 * Moves a row from one of `from` to `to` (with other columns set alongside) and says whether it
 * did: a status another request changed first is not overwritten.
 */
export async function moveRow(run: Runner, table: StatusTable, uuid: string, from: string[], to: string, extra: Record<string, unknown> = {}): Promise<boolean> {
  const sets = ['status = ?', 'updated_at = NOW(6)', ...Object.keys(extra).map((k) => `\`${k}\` = ?`)];
  const changed = await execute(run, `UPDATE ${table} SET ${sets.join(', ')} WHERE uuid = ? AND deleted = 0 AND status IN (${inList(from.length)})`, [
    to,
    ...Object.values(extra),
    uuid,
    ...from,
  ]);
  return changed > 0;
}

export async function updateFields(run: Runner, table: StatusTable, uuid: string, fields: Record<string, unknown>): Promise<void> {
  const keys = Object.keys(fields);
  if (keys.length === 0) return;
  await execute(run, `UPDATE ${table} SET ${keys.map((k) => `\`${k}\` = ?`).join(', ')}, updated_at = NOW(6) WHERE uuid = ? AND deleted = 0`, [
    ...Object.values(fields).map((v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : v)),
    uuid,
  ]);
}

export async function softDeleteRow(run: Runner, table: StatusTable, uuid: string): Promise<void> {
  await execute(run, `UPDATE ${table} SET deleted = id, deleted_at = NOW(6), status = 'deleted' WHERE uuid = ? AND deleted = 0`, [uuid]);
}

export interface Page<T> {
  items: T[];
  count: number;
}

export interface PageQuery {
  /** Already checked against the table's sort keys. */
  column: string;
  sortDir: 'asc' | 'desc';
  limit: number;
  offset?: number | undefined;
  marker?: string | undefined;
}

/** One page of a filtered table, sorted and placed after its marker, with the count of all that match. */
export async function selectPage<R extends object>(run: Runner, table: StatusTable, columns: string, filters: [string, unknown[]][], q: PageQuery): Promise<{ rows: R[]; count: number }> {
  const where = ['deleted = 0', ...filters.map(([sql]) => sql)];
  const params = filters.flatMap(([, values]) => values);
  const [counted] = await select<{ n: number }>(run, `SELECT COUNT(*) AS n FROM ${table} WHERE ${where.join(' AND ')}`, params);
  const dir = q.sortDir === 'asc' ? 'ASC' : 'DESC';
  if (q.marker !== undefined) {
    const marker = (await select<{ key: unknown }>(run, `SELECT ${q.column} AS \`key\` FROM ${table} WHERE uuid = ? AND deleted = 0`, [q.marker]))[0];
    if (!marker) throw new NotFoundError(`Marker ${q.marker} could not be found.`);
    const op = q.sortDir === 'asc' ? '>' : '<';
    where.push(`(${q.column} ${op} ? OR (${q.column} = ? AND uuid ${op} ?))`);
    params.push(marker.key, marker.key, q.marker);
  }
  const rows = await select<R>(run, `SELECT ${columns} FROM ${table} WHERE ${where.join(' AND ')} ORDER BY ${q.column} ${dir}, uuid ${dir} LIMIT ? OFFSET ?`, [...params, q.limit, q.offset ?? 0]);
  return { rows, count: Number(counted?.n ?? 0) };
}
