import { inList } from '../../ops/runtime-db/index.js';
import { serverStatus } from '../../child-cell/instance/index.js';
import type { BuildInstance } from '../builds/index.js';

/** What a server list is narrowed by, already checked against the caller's rights. */
export interface ServerFilters {
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
  /** A filter nothing here can match (an ip filter: cellstack servers have no addresses). */
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
export function filterSql(f: ServerFilters): { sql: string; params: unknown[] } {
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

/** The same filters applied to a build request (a server not yet in any cell). */
export function matchesBuild(f: ServerFilters, b: BuildInstance, created: Date): boolean {
  if (f.nothing || f.deleted === 'deleted') return false;
  if (f.projectId !== undefined && b.project_id !== f.projectId) return false;
  if (f.userId !== undefined && b.user_id !== f.userId) return false;
  if (f.name !== undefined && !safeRegex(f.name).test(b.display_name)) return false;
  if (f.vmStates && !f.vmStates.includes('building')) return false;
  if (f.taskStates && !f.taskStates.includes('scheduling')) return false;
  if (f.flavorDbId !== undefined && b.flavor.id !== f.flavorDbId) return false;
  if (f.image !== undefined && b.image_ref !== f.image) return false;
  if (f.host !== undefined || f.node !== undefined) return false;
  if (f.changesSince && created < f.changesSince) return false;
  if (f.changedBefore && created >= f.changedBefore) return false;
  if (f.reservationId !== undefined && b.reservation_id !== f.reservationId) return false;
  if (f.availabilityZone !== undefined && b.availability_zone !== f.availabilityZone) return false;
  if (f.locked !== undefined && b.locked !== f.locked) return false;
  if (f.keyName !== undefined && b.key_name !== f.keyName) return false;
  if (f.powerState !== undefined && f.powerState !== 0) return false;
  if (f.progress !== undefined && f.progress !== 0) return false;
  if (f.tags && !f.tags.every((t) => b.tags.includes(t))) return false;
  if (f.tagsAny && f.tagsAny.length > 0 && !f.tagsAny.some((t) => b.tags.includes(t))) return false;
  if (f.notTags && f.notTags.length > 0 && f.notTags.every((t) => b.tags.includes(t))) return false;
  if (f.notTagsAny && f.notTagsAny.some((t) => b.tags.includes(t))) return false;
  return serverStatus('building', 'scheduling') === 'BUILD';
}

function safeRegex(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch {
    return /(?!)/;
  }
}

const statusMap: Record<string, { vm: string[]; task?: (string | null)[] }> = {
  ACTIVE: { vm: ['active'], task: [null, 'deleting'] },
  BUILD: { vm: ['building'] },
  ERROR: { vm: ['error'] },
  SHUTOFF: { vm: ['stopped'] },
  PAUSED: { vm: ['paused'] },
  SUSPENDED: { vm: ['suspended'] },
  VERIFY_RESIZE: { vm: ['resized'] },
  DELETED: { vm: ['deleted'] },
  SOFT_DELETED: { vm: ['soft-delete'] },
  SHELVED: { vm: ['shelved'] },
  SHELVED_OFFLOADED: { vm: ['shelved_offloaded'] },
  RESCUE: { vm: ['rescued'] },
  REBOOT: { vm: ['active'], task: ['rebooting', 'reboot_pending', 'reboot_started'] },
  HARD_REBOOT: { vm: ['active'], task: ['rebooting_hard', 'reboot_pending_hard', 'reboot_started_hard'] },
  REBUILD: { vm: ['active', 'stopped', 'error'], task: ['rebuilding', 'rebuild_block_device_mapping', 'rebuild_spawning'] },
  RESIZE: { vm: ['active', 'stopped'], task: ['resize_prep', 'resize_migrating', 'resize_migrated', 'resize_finish'] },
  REVERT_RESIZE: { vm: ['active', 'resized'], task: ['resize_reverting'] },
  MIGRATING: { vm: ['active', 'paused'], task: ['migrating'] },
};

/** Nova's status filter as vm and task states; undefined for a status Nova does not know. */
export function statusStates(status: string): { vm: string[]; task?: (string | null)[] } | undefined {
  return statusMap[status.toUpperCase()];
}
