import type { Transaction } from 'sequelize';
import { execute, QuotaExceededError, select, type Config } from '../../ops/runtime/index.js';
import type { ApiDatabase } from '../db/index.js';

/** The resources a server counts against: one instance, its vCPUs, its RAM. */
export const instanceResources = ['instances', 'cores', 'ram'] as const;
export type InstanceResource = (typeof instanceResources)[number];
export type InstanceUsage = Record<InstanceResource, number>;

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

/** Makes sure the project's usage rows exist; call it before the transaction that charges. */
export async function ensureUsageRows(api: ApiDatabase, projectId: string): Promise<void> {
  let known = knownProjects.get(api);
  if (!known) knownProjects.set(api, (known = new Set()));
  if (known.has(projectId)) return;
  await execute(
    api,
    "INSERT IGNORE INTO quota_usages (project_id, resource, in_use) VALUES (?, 'instances', 0), (?, 'cores', 0), (?, 'ram', 0)",
    [projectId, projectId, projectId],
  );
  known.add(projectId);
}

export interface ChargeRequest {
  projectId: string;
  perInstance: { cores: number; ram: number };
  minCount: number;
  maxCount: number;
  limits: Record<string, number>;
}

/**
 * Charges as many instances as the quota allows, from maxCount down to minCount, inside the
 * caller's transaction (the usage rows stay locked until it ends). Returns the count charged;
 * below minCount it throws the Nova-shaped "Quota exceeded" error and charges nothing.
 */
export async function chargeInstances(api: ApiDatabase, transaction: Transaction, request: ChargeRequest): Promise<number> {
  const run = { sequelize: api.sequelize, transaction };
  await lockProject(run, request.projectId);
  const rows = await select<{ resource: InstanceResource; in_use: number }>(
    run,
    "SELECT resource, in_use FROM quota_usages WHERE project_id = ? AND resource IN ('instances', 'cores', 'ram')",
    [request.projectId],
  );
  const used: InstanceUsage = { instances: 0, cores: 0, ram: 0 };
  for (const row of rows) used[row.resource] = Number(row.in_use);
  const per: InstanceUsage = { instances: 1, cores: request.perInstance.cores, ram: request.perInstance.ram };
  let count = request.maxCount;
  for (const resource of instanceResources) {
    const limit = request.limits[resource] ?? -1;
    if (limit < 0 || per[resource] === 0) continue;
    count = Math.min(count, Math.floor((limit - used[resource]) / per[resource]));
  }
  if (count < request.minCount) throw overQuota(request, used, per);
  await applyDeltas(run, request.projectId, { instances: count, cores: count * per.cores, ram: count * per.ram });
  return count;
}

/**
 * The project's 'instances' usage row, locked by its exact unique key (a record lock, no gap
 * locks), is the project's quota mutex: every charge and release takes it first.
 */
async function lockProject(run: { sequelize: ApiDatabase['sequelize']; transaction: Transaction }, projectId: string): Promise<void> {
  await select(run, "SELECT in_use FROM quota_usages WHERE project_id = ? AND resource = 'instances' FOR UPDATE", [projectId]);
}

function overQuota(request: ChargeRequest, used: InstanceUsage, per: InstanceUsage): QuotaExceededError {
  const overs = instanceResources.filter((r) => {
    const limit = request.limits[r] ?? -1;
    return limit >= 0 && used[r] + per[r] * request.minCount > limit;
  });
  const requested = overs.map((r) => per[r] * request.minCount).join(', ');
  const usedText = overs.map((r) => used[r]).join(', ');
  const allowed = overs.map((r) => request.limits[r]).join(', ');
  const names = overs.join(', ');
  return new QuotaExceededError(`Quota exceeded for ${names}: Requested ${requested}, but already used ${usedText} of ${allowed} ${names}`);
}

/** Gives back what deleted instances held. */
export async function releaseInstances(api: ApiDatabase, transaction: Transaction, projectId: string, released: InstanceUsage): Promise<void> {
  const run = { sequelize: api.sequelize, transaction };
  await lockProject(run, projectId);
  await applyDeltas(run, projectId, {
    instances: -released.instances,
    cores: -released.cores,
    ram: -released.ram,
  });
}

async function applyDeltas(run: { sequelize: ApiDatabase['sequelize']; transaction: Transaction }, projectId: string, d: InstanceUsage): Promise<void> {
  await execute(
    run,
    `UPDATE quota_usages SET in_use = GREATEST(0, in_use + CASE resource WHEN 'instances' THEN ? WHEN 'cores' THEN ? ELSE ? END),
       updated_at = NOW(6)
     WHERE project_id = ? AND resource IN ('instances', 'cores', 'ram')`,
    [d.instances, d.cores, d.ram, projectId],
  );
}

/** What a project uses now, for limits and quota-set detail views. */
export async function quotaUsage(api: ApiDatabase, projectId: string): Promise<InstanceUsage> {
  const rows = await select<{ resource: InstanceResource; in_use: number }>(
    api,
    "SELECT resource, in_use FROM quota_usages WHERE project_id = ? AND resource IN ('instances', 'cores', 'ram')",
    [projectId],
  );
  const used: InstanceUsage = { instances: 0, cores: 0, ram: 0 };
  for (const row of rows) used[row.resource] = Number(row.in_use);
  return used;
}
