import { userInstanceUsage } from '../../child-cell/db/index.js';
import { type Config } from '../../ops/runtime/index.js';
import { execute, placeholders, select } from '../../ops/runtime-db/index.js';
import type { CellRegistry } from '../cells/index.js';
import type { ApiDatabase } from '../db/index.js';
import { projectQuotas, quotaResources, type QuotaResource, type QuotaValues } from './sets.js';

type UserLimitRow = { user_id: string; resource: string; hard_limit: number | null };

const own = (rows: UserLimitRow[], userId: string): Partial<QuotaValues> =>
  Object.fromEntries(rows.filter((r) => r.user_id === userId && r.hard_limit !== null).map((r) => [r.resource, Number(r.hard_limit)]));

/** A user's limits in a project: the project's, overridden by the user's own (Nova's DB driver). */
export async function userQuotas(api: ApiDatabase, projectId: string, userId: string, defaults: Config['quota']): Promise<QuotaValues> {
  const [project, rows] = await Promise.all([
    projectQuotas(api, projectId, defaults),
    select<UserLimitRow>(api, 'SELECT user_id, resource, hard_limit FROM project_user_quotas WHERE project_id = ? AND user_id = ?', [projectId, userId]),
  ]);
  return { ...project, ...own(rows, userId) };
}

/**
 * The most each resource may be set to for a user: the project's limit less what the project's
 * other users have been given (unlimited stays unlimited), as Nova's settable quotas say.
 */
export async function userQuotaMaximums(api: ApiDatabase, projectId: string, userId: string, defaults: Config['quota']): Promise<QuotaValues> {
  const [project, rows] = await Promise.all([
    projectQuotas(api, projectId, defaults),
    select<UserLimitRow>(api, 'SELECT user_id, resource, hard_limit FROM project_user_quotas WHERE project_id = ?', [projectId]),
  ]);
  const maximums = { ...project };
  for (const row of rows) {
    const resource = row.resource as QuotaResource;
    if (row.user_id === userId || row.hard_limit === null || project[resource] === undefined || maximums[resource] < 0) continue;
    maximums[resource] -= Math.max(0, Number(row.hard_limit));
  }
  return maximums;
}

/**
 * What a user holds in a project: instances (the API database's mappings), vCPUs and RAM (its
 * instances in every cell that answers), key pairs and server groups.
 */
export async function userQuotaUsage(api: ApiDatabase, registry: CellRegistry, projectId: string, userId: string): Promise<QuotaValues> {
  const [instances, keypairs, groups, cells] = await Promise.all([
    select<{ n: number }>(api, 'SELECT COUNT(*) AS n FROM instance_mappings WHERE project_id = ? AND user_id = ? AND queued_for_delete = 0', [projectId, userId]),
    select<{ n: number }>(api, 'SELECT COUNT(*) AS n FROM key_pairs WHERE user_id = ?', [userId]),
    select<{ n: number }>(api, 'SELECT COUNT(*) AS n FROM instance_groups WHERE project_id = ? AND user_id = ?', [projectId, userId]),
    registry.list().then((all) => registry.scatterGather(all, ({ db }) => userInstanceUsage(db, projectId, userId))),
  ]);
  const used = Object.fromEntries(quotaResources.map((r) => [r, 0])) as QuotaValues;
  for (const answer of cells) {
    if (answer.status !== 'ok') continue;
    used.cores += answer.value.cores;
    used.ram += answer.value.ram;
  }
  return { ...used, instances: Number(instances[0]?.n ?? 0), key_pairs: Number(keypairs[0]?.n ?? 0), server_groups: Number(groups[0]?.n ?? 0) };
}

/** Sets some of a user's limits in a project, one statement. */
export async function setUserQuotas(api: ApiDatabase, projectId: string, userId: string, limits: Partial<QuotaValues>): Promise<void> {
  const entries = Object.entries(limits);
  if (entries.length === 0) return;
  await execute(
    api,
    `INSERT INTO project_user_quotas (project_id, user_id, resource, hard_limit) VALUES ${placeholders(entries.length, 4)}
     ON DUPLICATE KEY UPDATE hard_limit = VALUES(hard_limit), updated_at = NOW(6)`,
    entries.flatMap(([resource, limit]) => [projectId, userId, resource, limit]),
  );
}

/** Drops a user's own limits: the project's hold for it again. */
export async function resetUserQuotas(api: ApiDatabase, projectId: string, userId: string): Promise<void> {
  await execute(api, 'DELETE FROM project_user_quotas WHERE project_id = ? AND user_id = ?', [projectId, userId]);
}

/** A user's own limits on instances, cores and RAM in a project: only those set (most users have none). */
export async function userInstanceLimits(api: ApiDatabase, projectId: string, userId: string): Promise<Record<string, number>> {
  const rows = await select<UserLimitRow>(
    api,
    "SELECT user_id, resource, hard_limit FROM project_user_quotas WHERE project_id = ? AND user_id = ? AND resource IN ('instances', 'cores', 'ram')",
    [projectId, userId],
  );
  return own(rows, userId) as Record<string, number>;
}
