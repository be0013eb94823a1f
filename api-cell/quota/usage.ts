import type { Transaction } from 'sequelize';
import { QuotaExceededError, type Config } from '../../ops/runtime/index.js';
import { execute, inList, select, type Runner } from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';

/** The resources a server counts against: one instance, its vCPUs, its RAM. */
export const instanceResources = ['instances', 'cores', 'ram'] as const;
export type InstanceResource = (typeof instanceResources)[number];
export type InstanceUsage = Record<InstanceResource, number>;

const none = (): InstanceUsage => ({ instances: 0, cores: 0, ram: 0 });

/** Projects whose usage rows are known to exist, per database. */
const knownProjects = new WeakMap<ApiDatabase, Set<string>>();

/**
 * Limits for a project: its own quotas, else the `default` quota class, else the config.
 * -1 means unlimited.
 */
export async function quotaLimits(api: ApiDatabase, projectId: string, defaults: Config['quota']): Promise<Record<string, number>> {
  const [own, classDefaults] = await Promise.all([
    select<{ resource: string; hard_limit: number }>(api, 'SELECT resource, hard_limit FROM quotas WHERE project_id = ?', [projectId]),
    select<{ resource: string; hard_limit: number }>(api, "SELECT resource, hard_limit FROM quota_classes WHERE class_name = 'default'"),
  ]);
  const limits: Record<string, number> = { ...defaults };
  for (const row of [...classDefaults, ...own]) limits[row.resource] = Number(row.hard_limit);
  return limits;
}

/** Makes sure the projects' usage rows exist; call it before the transaction that charges. */
export async function ensureUsageRows(api: ApiDatabase, projectIds: string[]): Promise<void> {
  let known = knownProjects.get(api);
  if (!known) knownProjects.set(api, (known = new Set()));
  const missing = [...new Set(projectIds)].filter((p) => !known.has(p));
  if (missing.length === 0) return;
  await execute(
    api,
    `INSERT IGNORE INTO quota_usages (project_id, resource, in_use) VALUES ${missing.map(() => "(?, 'instances', 0), (?, 'cores', 0), (?, 'ram', 0)").join(', ')}`,
    missing.flatMap((p) => [p, p, p]),
  );
  for (const p of missing) known.add(p);
}

/**
 * Locks the projects' quota (their 'instances' usage rows, by exact key: record locks, no gap
 * locks, always in project order so two batches cannot deadlock) and reads what they use.
 * Every charge and release takes this lock first.
 */
export async function lockUsage(run: Runner & { transaction: Transaction }, projectIds: string[]): Promise<Map<string, InstanceUsage>> {
  const projects = [...new Set(projectIds)].sort();
  await select(
    run,
    `SELECT project_id FROM quota_usages WHERE resource = 'instances' AND project_id IN (${inList(projects.length)}) ORDER BY project_id FOR UPDATE`,
    projects,
  );
  const rows = await select<{ project_id: string; resource: InstanceResource; in_use: number }>(
    run,
    `SELECT project_id, resource, in_use FROM quota_usages WHERE project_id IN (${inList(projects.length)}) AND resource IN ('instances', 'cores', 'ram')`,
    projects,
  );
  const usage = new Map(projects.map((p) => [p, none()]));
  for (const row of rows) {
    const u = usage.get(row.project_id);
    if (u) u[row.resource] = Number(row.in_use);
  }
  return usage;
}

export interface ChargeRequest {
  perInstance: { cores: number; ram: number };
  minCount: number;
  maxCount: number;
  limits: Record<string, number>;
}

/**
 * How many instances fit the quota, from maxCount down to minCount, given what is used now.
 * Below minCount it throws Nova's "Quota exceeded" error.
 */
export function fitCount(used: InstanceUsage, request: ChargeRequest): number {
  const per: InstanceUsage = { instances: 1, cores: request.perInstance.cores, ram: request.perInstance.ram };
  let count = request.maxCount;
  for (const resource of instanceResources) {
    const limit = request.limits[resource] ?? -1;
    if (limit < 0 || per[resource] === 0) continue;
    count = Math.min(count, Math.floor((limit - used[resource]) / per[resource]));
  }
  if (count >= request.minCount) return count;
  const overs = instanceResources.filter((r) => {
    const limit = request.limits[r] ?? -1;
    return limit >= 0 && used[r] + per[r] * request.minCount > limit;
  });
  const names = overs.join(', ');
  throw new QuotaExceededError(
    `Quota exceeded for ${names}: Requested ${overs.map((r) => per[r] * request.minCount).join(', ')}, but already used ` +
      `${overs.map((r) => used[r]).join(', ')} of ${overs.map((r) => request.limits[r]).join(', ')} ${names}`,
  );
}

/** Adds (or, negative, takes back) usage, one statement for all the given projects. */
export async function addUsage(run: Runner & { transaction: Transaction }, deltas: Map<string, InstanceUsage>): Promise<void> {
  const changed = [...deltas].filter(([, d]) => d.instances !== 0 || d.cores !== 0 || d.ram !== 0);
  if (changed.length === 0) return;
  const cases = changed.flatMap(([project, d]) => instanceResources.map((r) => [project, r, d[r]] as const));
  await execute(
    run,
    `UPDATE quota_usages SET updated_at = NOW(6), in_use = GREATEST(0, in_use + CASE
       ${cases.map(() => 'WHEN project_id = ? AND resource = ? THEN ?').join(' ')} ELSE 0 END)
     WHERE project_id IN (${inList(changed.length)}) AND resource IN ('instances', 'cores', 'ram')`,
    [...cases.flat(), ...changed.map(([p]) => p)],
  );
}

/** Gives back what deleted instances held, inside the caller's transaction. */
export async function releaseInstances(api: ApiDatabase, transaction: Transaction, projectId: string, released: InstanceUsage): Promise<void> {
  const run = { sequelize: api.sequelize, transaction };
  await lockUsage(run, [projectId]);
  await addUsage(run, new Map([[projectId, { instances: -released.instances, cores: -released.cores, ram: -released.ram }]]));
}

/** What a project uses now, for limits and quota-set detail views. */
export async function quotaUsage(api: ApiDatabase, projectId: string): Promise<InstanceUsage> {
  const rows = await select<{ resource: InstanceResource; in_use: number }>(
    api,
    "SELECT resource, in_use FROM quota_usages WHERE project_id = ? AND resource IN ('instances', 'cores', 'ram')",
    [projectId],
  );
  const used = none();
  for (const row of rows) used[row.resource] = Number(row.in_use);
  return used;
}

/**
 * Charges a change in cores and RAM (a resize), inside the caller's transaction; over a limit it
 * throws Nova's "Quota exceeded" and charges nothing. A negative change gives back.
 */
export async function chargeDelta(api: ApiDatabase, transaction: Transaction, projectId: string, delta: { cores: number; ram: number }, limits: Record<string, number>): Promise<void> {
  const run = { sequelize: api.sequelize, transaction };
  const used = (await lockUsage(run, [projectId])).get(projectId) ?? none();
  const overs = (['cores', 'ram'] as const).filter((r) => delta[r] > 0 && (limits[r] ?? -1) >= 0 && used[r] + delta[r] > (limits[r] ?? 0));
  if (overs.length > 0) {
    const names = overs.join(', ');
    throw new QuotaExceededError(
      `Quota exceeded for ${names}: Requested ${overs.map((r) => delta[r]).join(', ')}, but already used ${overs.map((r) => used[r]).join(', ')} of ${overs.map((r) => limits[r]).join(', ')} ${names}`,
    );
  }
  await addUsage(run, new Map([[projectId, { instances: 0, cores: delta.cores, ram: delta.ram }]]));
}
