import { randomUUID } from 'node:crypto';
import type { ApiDatabase } from '../db/index.js';
import { ensureUsageRows, lockUsage, quotaLimits } from '../quota/index.js';
import { QuotaExceededError, type Config } from '../../ops/runtime/index.js';
import { execute, inList, retryDeadlocks, select } from '../../ops/runtime-db/index.js';

/** A server group (Nova's InstanceGroup) with the servers in it. */
export interface ServerGroup {
  id: number;
  uuid: string;
  name: string | null;
  project_id: string;
  user_id: string;
  policy: string;
  rules: Record<string, number>;
  members: string[];
}

export interface NewServerGroup {
  name: string;
  policy: string;
  rules: Record<string, number>;
  projectId: string;
  userId: string;
}

interface GroupRow {
  id: number;
  uuid: string;
  name: string | null;
  project_id: string;
  user_id: string;
  policy: string;
  rules: string | null;
}

const columns = 'id, uuid, name, project_id, user_id, policy, rules';

/**
 * Creates a server group within the project's `server_groups` quota. The count and the insert
 * happen under the project's quota lock, so two creates cannot both take the last slot.
 */
export async function createServerGroup(api: ApiDatabase, quota: Config['quota'], group: NewServerGroup): Promise<ServerGroup> {
  const limits = await quotaLimits(api, group.projectId, quota);
  const limit = limits['server_groups'] ?? -1;
  const uuid = randomUUID();
  await ensureUsageRows(api, [group.projectId]);
  await retryDeadlocks(() =>
    api.sequelize.transaction(async (transaction) => {
      const run = { sequelize: api.sequelize, transaction };
      await lockUsage(run, [group.projectId]);
      const [row] = await select<{ n: number }>(run, 'SELECT COUNT(*) AS n FROM instance_groups WHERE project_id = ?', [group.projectId]);
      if (limit >= 0 && Number(row?.n ?? 0) + 1 > limit) throw new QuotaExceededError('Quota exceeded, too many server groups.');
      await execute(
        run,
        'INSERT INTO instance_groups (uuid, name, project_id, user_id, policy, rules) VALUES (?, ?, ?, ?, ?, ?)',
        [uuid, group.name, group.projectId, group.userId, group.policy, JSON.stringify(group.rules)],
      );
    }),
  );
  const created = await findServerGroup(api, uuid);
  if (!created) throw new Error(`server group ${uuid} vanished as it was created`);
  return created;
}

export async function findServerGroup(api: ApiDatabase, uuid: string): Promise<ServerGroup | null> {
  const rows = await select<GroupRow>(api, `SELECT ${columns} FROM instance_groups WHERE uuid = ?`, [uuid]);
  return (await withMembers(api, rows))[0] ?? null;
}

export interface GroupListQuery {
  /** null lists every project's groups. */
  projectId: string | null;
  limit: number;
  offset: number;
}

/** A page of server groups, oldest first, with their members. */
export async function listServerGroups(api: ApiDatabase, query: GroupListQuery): Promise<ServerGroup[]> {
  const where = query.projectId === null ? '' : 'WHERE project_id = ?';
  const params = query.projectId === null ? [] : [query.projectId];
  const rows = await select<GroupRow>(api, `SELECT ${columns} FROM instance_groups ${where} ORDER BY id LIMIT ? OFFSET ?`, [
    ...params,
    query.limit,
    query.offset,
  ]);
  return withMembers(api, rows);
}

/** Deletes a group; its memberships go with it. Returns whether it was there. */
export async function deleteServerGroup(api: ApiDatabase, id: number): Promise<boolean> {
  return (await execute(api, 'DELETE FROM instance_groups WHERE id = ?', [id])) > 0;
}

/** Reads the members of all the groups at once. */
async function withMembers(api: ApiDatabase, rows: GroupRow[]): Promise<ServerGroup[]> {
  if (rows.length === 0) return [];
  const members = await select<{ group_id: number; instance_uuid: string }>(
    api,
    `SELECT group_id, instance_uuid FROM instance_group_member WHERE group_id IN (${inList(rows.length)}) ORDER BY id`,
    rows.map((r) => r.id),
  );
  const byGroup = new Map<number, string[]>();
  for (const m of members) {
    const list = byGroup.get(Number(m.group_id));
    if (list) list.push(m.instance_uuid);
    else byGroup.set(Number(m.group_id), [m.instance_uuid]);
  }
  return rows.map((r) => ({
    id: Number(r.id),
    uuid: r.uuid,
    name: r.name,
    project_id: r.project_id,
    user_id: r.user_id,
    policy: r.policy,
    rules: parseRules(r.rules),
    members: byGroup.get(Number(r.id)) ?? [],
  }));
}

function parseRules(text: string | null): Record<string, number> {
  if (!text) return {};
  const parsed: unknown = JSON.parse(text);
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, number>) : {};
}
