import { execute, placeholders, select, type Runner } from '../../ops/runtime-db/index.js';
import { badRequest, conflict } from './errors.js';

/** Neutron's quota resources, their defaults (neutron.conf [quotas]) and the table each counts. */
export const QUOTA_DEFAULTS = {
  network: 100,
  subnet: 100,
  subnetpool: -1,
  port: 500,
  router: 10,
  floatingip: 50,
  security_group: 10,
  security_group_rule: 100,
  rbac_policy: 10,
} as const;
export type QuotaResource = keyof typeof QUOTA_DEFAULTS;

const TABLES: Partial<Record<QuotaResource, string>> = {
  network: 'networks',
  subnet: 'subnets',
  port: 'ports',
  router: 'routers',
  floatingip: 'floating_ips',
  security_group: 'security_groups',
  security_group_rule: 'security_group_rules',
};

export const isQuotaResource = (key: string): key is QuotaResource => key in QUOTA_DEFAULTS;

/** A project's limits: its own where set, the defaults elsewhere. */
export async function quotaOf(run: Runner, projectId: string): Promise<Record<QuotaResource, number>> {
  const rows = await select<{ resource: string; hard_limit: number }>(run, 'SELECT resource, hard_limit FROM quotas WHERE project_id = ?', [projectId]);
  const limits: Record<QuotaResource, number> = { ...QUOTA_DEFAULTS };
  for (const r of rows) if (isQuotaResource(r.resource)) limits[r.resource] = r.hard_limit;
  return limits;
}

/** What a project uses of every counted resource, in one query. */
export async function usageOf(run: Runner, projectId: string): Promise<Record<QuotaResource, number>> {
  const entries = Object.entries(TABLES) as [QuotaResource, string][];
  const rows = await select<Record<string, number>>(run, `SELECT ${entries.map(([r, t]) => `(SELECT COUNT(*) FROM ${t} WHERE project_id = ?) AS ${r}`).join(', ')}`, entries.map(() => projectId));
  const usage = Object.fromEntries(Object.keys(QUOTA_DEFAULTS).map((k) => [k, 0])) as Record<QuotaResource, number>;
  for (const [r] of entries) usage[r] = Number(rows[0]?.[r] ?? 0);
  return usage;
}

/** Refuses adding `adding` (per project) of `resource` past any project's limit: Neutron's 409 OverQuota. */
export async function checkQuota(run: Runner, resource: QuotaResource, adding: Map<string, number>): Promise<void> {
  const table = TABLES[resource];
  const projects = [...adding.keys()];
  if (!table || projects.length === 0) return;
  const marks = projects.map(() => '?').join(', ');
  const limits = await select<{ project_id: string; hard_limit: number }>(run, `SELECT project_id, hard_limit FROM quotas WHERE resource = ? AND project_id IN (${marks})`, [resource, ...projects]);
  const used = await select<{ project_id: string; n: number }>(run, `SELECT project_id, COUNT(*) AS n FROM ${table} WHERE project_id IN (${marks}) GROUP BY project_id`, projects);
  for (const [project, count] of adding) {
    const limit = limits.find((l) => l.project_id === project)?.hard_limit ?? QUOTA_DEFAULTS[resource];
    const inUse = Number(used.find((u) => u.project_id === project)?.n ?? 0);
    if (limit >= 0 && inUse + count > limit) throw conflict('OverQuota', `Quota exceeded for resources: ['${resource}'].`);
  }
}

export async function setQuota(run: Runner, projectId: string, limits: Record<string, number>): Promise<void> {
  const entries = Object.entries(limits);
  for (const [key, value] of entries) {
    if (!isQuotaResource(key)) throw badRequest('InvalidInput', `Invalid input for operation: Unrecognized attribute(s) '${key}'.`);
    if (!Number.isInteger(value) || value < -1) throw badRequest('InvalidInput', `Invalid input for ${key}. Reason: '${String(value)}' is not an integer greater than or equal to -1.`);
  }
  if (entries.length === 0) return;
  await execute(run, `INSERT INTO quotas (project_id, resource, hard_limit) VALUES ${placeholders(entries.length, 3)} ON DUPLICATE KEY UPDATE hard_limit = VALUES(hard_limit)`, entries.flatMap(([k, v]) => [projectId, k, v]));
}

export async function resetQuota(run: Runner, projectId: string): Promise<void> {
  await execute(run, 'DELETE FROM quotas WHERE project_id = ?', [projectId]);
}

export async function projectsWithQuotas(run: Runner): Promise<string[]> {
  return (await select<{ project_id: string }>(run, 'SELECT DISTINCT project_id FROM quotas ORDER BY project_id')).map((r) => r.project_id);
}
