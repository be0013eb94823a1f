import { InvalidInputError, type Config } from '../../ops/runtime/index.js';
import { execute, select, type Runner } from '../../ops/runtime-db/index.js';
import type { VolumeDatabase } from './db/index.js';
import { VolumeLimitExceededError } from './errors.js';

/** Cinder's quota resources; backups and groups are listed (nothing here makes them) so clients see every key. */
export const QUOTA_RESOURCES = ['volumes', 'snapshots', 'gigabytes', 'per_volume_gigabytes', 'backups', 'backup_gigabytes', 'groups'] as const;
export type QuotaResource = (typeof QUOTA_RESOURCES)[number];
export type QuotaLimits = Record<QuotaResource, number>;
export type QuotaUsage = Record<'volumes' | 'snapshots' | 'gigabytes', number>;

export function defaultLimits(config: Config): QuotaLimits {
  const v = config.volume;
  return {
    volumes: v.quota_volumes,
    snapshots: v.quota_snapshots,
    gigabytes: v.quota_gigabytes,
    per_volume_gigabytes: v.quota_per_volume_gigabytes,
    backups: 10,
    backup_gigabytes: 1000,
    groups: 10,
  };
}

/**
 * A quota class's limits: the configured defaults with what the class sets over them. The class
 * may also hold per-type keys (`volumes_<type>`), kept and shown, not enforced.
 */
export async function classLimits(run: Runner, config: Config, className = 'default'): Promise<QuotaLimits & Record<string, number>> {
  const limits: QuotaLimits & Record<string, number> = defaultLimits(config);
  const rows = await select<{ resource: string; hard_limit: number }>(run, 'SELECT resource, hard_limit FROM volume_quota_classes WHERE class_name = ?', [className]);
  for (const row of rows) limits[row.resource] = row.hard_limit;
  return limits;
}

export async function setClassLimits(db: VolumeDatabase, className: string, changes: Record<string, number>): Promise<void> {
  const entries = Object.entries(changes);
  if (entries.length === 0) return;
  await execute(
    db,
    `INSERT INTO volume_quota_classes (class_name, resource, hard_limit) VALUES ${entries.map(() => '(?, ?, ?)').join(', ')}
     ON DUPLICATE KEY UPDATE hard_limit = VALUES(hard_limit), updated_at = NOW(6)`,
    entries.flatMap(([key, limit]) => [className, key, limit]),
  );
}

export async function projectLimits(run: Runner, config: Config, projectId: string): Promise<QuotaLimits> {
  const limits = await classLimits(run, config);
  const rows = await select<{ resource: string; hard_limit: number }>(run, 'SELECT resource, hard_limit FROM volume_quotas WHERE project_id = ?', [projectId]);
  for (const row of rows) if (row.resource in limits) limits[row.resource as QuotaResource] = row.hard_limit;
  // Only Cinder's own resources: a class's per-type keys are shown by the class and defaults calls.
  return Object.fromEntries(QUOTA_RESOURCES.map((k) => [k, limits[k]])) as QuotaLimits;
}

/** What a project holds now: live volumes and snapshots, and their GiB together (as Cinder counts them). */
export async function projectUsage(run: Runner, projectId: string): Promise<QuotaUsage> {
  const [volumes] = await select<{ n: number; gb: number | null }>(run, 'SELECT COUNT(*) AS n, SUM(size) AS gb FROM volumes WHERE project_id = ? AND deleted = 0', [projectId]);
  const [snapshots] = await select<{ n: number; gb: number | null }>(run, 'SELECT COUNT(*) AS n, SUM(size) AS gb FROM snapshots WHERE project_id = ? AND deleted = 0', [projectId]);
  return {
    volumes: Number(volumes?.n ?? 0),
    snapshots: Number(snapshots?.n ?? 0),
    gigabytes: Number(volumes?.gb ?? 0) + Number(snapshots?.gb ?? 0),
  };
}

export interface QuotaAsk {
  volumes?: number;
  snapshots?: number;
  gigabytes?: number;
}

/**
 * Runs `write` in a transaction that first holds the project's quota lock, so two creates cannot
 * both fit into the last free unit; what `ask` adds must fit the project's limits.
 */
export async function withQuota<T>(db: VolumeDatabase, config: Config, projectId: string, ask: QuotaAsk, write: (run: Runner) => Promise<T>): Promise<T> {
  return db.sequelize.transaction(async (transaction) => {
    const run = { sequelize: db.sequelize, transaction };
    await execute(run, 'INSERT INTO volume_quota_locks (project_id) VALUES (?) ON DUPLICATE KEY UPDATE project_id = project_id', [projectId]);
    const [limits, usage] = await Promise.all([projectLimits(run, config, projectId), projectUsage(run, projectId)]);
    checkFits(limits, usage, ask);
    return write(run);
  });
}

function checkFits(limits: QuotaLimits, usage: QuotaUsage, ask: QuotaAsk): void {
  const gb = ask.gigabytes ?? 0;
  if (ask.volumes && limits.per_volume_gigabytes >= 0 && gb > limits.per_volume_gigabytes) {
    throw new VolumeLimitExceededError(`VolumeSizeExceedsLimit: Requested volume size ${gb}G is larger than maximum allowed limit ${limits.per_volume_gigabytes}G.`);
  }
  if (gb > 0 && limits.gigabytes >= 0 && usage.gigabytes + gb > limits.gigabytes) {
    const what = ask.snapshots ? 'snapshot' : 'volume';
    throw new VolumeLimitExceededError(
      `VolumeSizeExceedsAvailableQuota: Requested ${what} or snapshot exceeds allowed gigabytes quota. Requested ${gb}G, quota is ${limits.gigabytes}G and ${usage.gigabytes}G has been consumed.`,
    );
  }
  for (const key of ['volumes', 'snapshots'] as const) {
    const wanted = ask[key] ?? 0;
    if (wanted > 0 && limits[key] >= 0 && usage[key] + wanted > limits[key]) {
      const name = key === 'volumes' ? 'VolumeLimitExceeded' : 'SnapshotLimitExceeded';
      throw new VolumeLimitExceededError(`${name}: Maximum number of ${key} allowed (${limits[key]}) exceeded for quota '${key}'.`);
    }
  }
}

/** Sets a project's limits (admin); a limit below what the project already holds is refused, as Cinder does. */
export async function setProjectLimits(db: VolumeDatabase, projectId: string, changes: Partial<QuotaLimits>): Promise<void> {
  const usage = await projectUsage(db, projectId);
  for (const [key, limit] of Object.entries(changes)) {
    const used = usage[key as keyof QuotaUsage];
    if (used !== undefined && limit >= 0 && limit < used) {
      throw new InvalidInputError(`Invalid input received: Quota limit ${limit} for ${key} must be equal or greater than existing resources. Current usage is ${used}.`);
    }
  }
  const entries = Object.entries(changes);
  if (entries.length === 0) return;
  await execute(
    db,
    `INSERT INTO volume_quotas (project_id, resource, hard_limit) VALUES ${entries.map(() => '(?, ?, ?)').join(', ')}
     ON DUPLICATE KEY UPDATE hard_limit = VALUES(hard_limit), updated_at = NOW(6)`,
    entries.flatMap(([key, limit]) => [projectId, key, limit]),
  );
}

export async function resetProjectLimits(db: VolumeDatabase, projectId: string): Promise<void> {
  await execute(db, 'DELETE FROM volume_quotas WHERE project_id = ?', [projectId]);
}
