import { inList } from '../../ops/runtime-db/index.js';

/** What a list of instances is narrowed by (the API's server filters, checked against the caller's rights). */
export interface InstanceFilters {
  projectId?: string | undefined;
  userId?: string | undefined;
  /** A regular expression matched anywhere in the name, as Nova's `name` filter. */
  name?: string | undefined;
  vmStates?: string[] | undefined;
  taskStates?: (string | null)[] | undefined;
  flavorDbId?: number | undefined;
  image?: string | undefined;
  host?: string | undefined;
  node?: string | undefined;
  changesSince?: Date | undefined;
  /** Changed before this instant (exclusive; the API layer widens a time shown to the second). */
  changedBefore?: Date | undefined;
  reservationId?: string | undefined;
  availabilityZone?: string | undefined;
  locked?: boolean | undefined;
  keyName?: string | undefined;
  powerState?: number | undefined;
  progress?: number | undefined;
  tags?: string[] | undefined;
  tagsAny?: string[] | undefined;
  notTags?: string[] | undefined;
  notTagsAny?: string[] | undefined;
  /** live (default), deleted only (admin deleted=true), or both (changes-since). */
  deleted: 'live' | 'deleted' | 'both';
  /** Only these servers (the `ip` / `ip6` filters: the network service names the servers holding a matching address). */
  uuids?: string[] | undefined;
  /** A filter nothing here can match. */
  nothing?: boolean;
}

const tagsAll = (tags: string[], not: boolean) => ({
  sql: `uuid ${not ? 'NOT ' : ''}IN (SELECT resource_id FROM tags WHERE tag IN (${inList(tags.length)}) GROUP BY resource_id HAVING COUNT(DISTINCT tag) = ?)`,
  params: [...tags, tags.length],
});
const tagsAnyOf = (tags: string[], not: boolean) => ({
  sql: `uuid ${not ? 'NOT ' : ''}IN (SELECT resource_id FROM tags WHERE tag IN (${inList(tags.length)}))`,
  params: tags,
});

/** The filters as a WHERE clause over a cell's instances table. */
export function instanceFilterSql(f: InstanceFilters): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]): void => {
    where.push(sql);
    params.push(...values);
  };
  if (f.nothing) add('FALSE');
  if (f.deleted === 'live') add('deleted = 0');
  else if (f.deleted === 'deleted') add('deleted <> 0');
  if (f.projectId !== undefined) add('project_id = ?', f.projectId);
  if (f.uuids !== undefined) add(f.uuids.length > 0 ? `uuid IN (${inList(f.uuids.length)})` : 'FALSE', ...f.uuids);
  if (f.userId !== undefined) add('user_id = ?', f.userId);
  if (f.name !== undefined) add('display_name REGEXP ?', f.name);
  if (f.vmStates) add(`vm_state IN (${inList(f.vmStates.length)})`, ...f.vmStates);
  if (f.taskStates) {
    const named = f.taskStates.filter((t): t is string => t !== null);
    const parts = named.length > 0 ? [`task_state IN (${inList(named.length)})`] : [];
    if (f.taskStates.includes(null)) parts.push('task_state IS NULL');
    add(`(${parts.join(' OR ') || 'FALSE'})`, ...named);
  }
  if (f.flavorDbId !== undefined) add('instance_type_id = ?', f.flavorDbId);
  if (f.image !== undefined) add('image_ref = ?', f.image);
  if (f.host !== undefined) add('host = ?', f.host);
  if (f.node !== undefined) add('node = ?', f.node);
  if (f.changesSince) add('COALESCE(updated_at, created_at) >= ?', f.changesSince);
  if (f.changedBefore) add('COALESCE(updated_at, created_at) < ?', f.changedBefore);
  if (f.reservationId !== undefined) add('reservation_id = ?', f.reservationId);
  if (f.availabilityZone !== undefined) add('availability_zone = ?', f.availabilityZone);
  if (f.locked !== undefined) add('locked = ?', f.locked);
  if (f.keyName !== undefined) add('key_name = ?', f.keyName);
  if (f.powerState !== undefined) add('power_state = ?', f.powerState);
  if (f.progress !== undefined) add('progress = ?', f.progress);
  for (const [tags, build] of [
    [f.tags, (t: string[]) => tagsAll(t, false)],
    [f.tagsAny, (t: string[]) => tagsAnyOf(t, false)],
    [f.notTags, (t: string[]) => tagsAll(t, true)],
    [f.notTagsAny, (t: string[]) => tagsAnyOf(t, true)],
  ] as const) {
    if (tags && tags.length > 0) {
      const clause = build(tags);
      add(clause.sql, ...clause.params);
    }
  }
  return { sql: where.length > 0 ? where.join(' AND ') : 'TRUE', params };
}
