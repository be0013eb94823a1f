import type { ApiDatabase } from '../db/index.js';
import { type Config } from '../../ops/runtime/index.js';
import { execute, placeholders, select } from '../../ops/runtime-db/index.js';
import { quotaUsage } from './usage.js';

/** Every resource a quota set names, as Nova's quota engine lists them. */
export const quotaResources = [
  'instances',
  'cores',
  'ram',
  'metadata_items',
  'key_pairs',
  'server_groups',
  'server_group_members',
  'injected_files',
  'injected_file_content_bytes',
  'injected_file_path_bytes',
  'fixed_ips',
  'floating_ips',
  'security_groups',
  'security_group_rules',
] as const;
export type QuotaResource = (typeof quotaResources)[number];
export type QuotaValues = Record<QuotaResource, number>;

/**
 * Nova's defaults for the resources cellstack does not enforce (no file injection, no
 * nova-network): shown to clients below the microversions that removed them, settable, inert.
 */
const legacyDefaults = {
  injected_files: 5,
  injected_file_content_bytes: 10240,
  injected_file_path_bytes: 255,
  fixed_ips: -1,
  floating_ips: -1,
  security_groups: -1,
  security_group_rules: -1,
};

type LimitRow = { resource: string; hard_limit: number | null };

function overlay(values: QuotaValues, rows: LimitRow[]): QuotaValues {
  for (const row of rows) {
    if (row.hard_limit !== null && (quotaResources as readonly string[]).includes(row.resource)) values[row.resource as QuotaResource] = Number(row.hard_limit);
  }
  return values;
}

/** A quota class's limits: its own, else the config's defaults (Nova's DB quota driver). */
export async function classQuotas(api: ApiDatabase, className: string, defaults: Config['quota']): Promise<QuotaValues> {
  const rows = await select<LimitRow & { class_name: string }>(api, 'SELECT class_name, resource, hard_limit FROM quota_classes WHERE class_name = ?', [className]);
  return overlay({ ...legacyDefaults, ...defaults }, rows.filter((r) => r.class_name === className));
}

/** The defaults every project starts from: the `default` quota class. */
export const defaultQuotas = (api: ApiDatabase, defaults: Config['quota']): Promise<QuotaValues> => classQuotas(api, 'default', defaults);

/** Sets some of a quota class's limits, one statement; `default` is what projects without their own limits get. */
export async function setClassQuotas(api: ApiDatabase, className: string, limits: Partial<QuotaValues>): Promise<void> {
  const entries = Object.entries(limits);
  if (entries.length === 0) return;
  await execute(
    api,
    `INSERT INTO quota_classes (class_name, resource, hard_limit) VALUES ${placeholders(entries.length, 3)}
     ON DUPLICATE KEY UPDATE hard_limit = VALUES(hard_limit), updated_at = NOW(6)`,
    entries.flatMap(([resource, limit]) => [className, resource, limit]),
  );
}

/** A project's limits: its own, else the defaults. */
export async function projectQuotas(api: ApiDatabase, projectId: string, defaults: Config['quota']): Promise<QuotaValues> {
  const [base, own] = await Promise.all([
    defaultQuotas(api, defaults),
    select<LimitRow>(api, 'SELECT resource, hard_limit FROM quotas WHERE project_id = ?', [projectId]),
  ]);
  return overlay(base, own);
}

/**
 * What a project uses, as Nova counts it for quota views: instances, cores and RAM from the
 * usage counters, server groups counted. Key pairs and group members are per user or per group,
 * so Nova shows 0 for them here; the rest are limits on a single request.
 */
export async function projectQuotaUsage(api: ApiDatabase, projectId: string): Promise<QuotaValues> {
  const [instances, groups] = await Promise.all([
    quotaUsage(api, projectId),
    select<{ n: number }>(api, 'SELECT COUNT(*) AS n FROM instance_groups WHERE project_id = ?', [projectId]),
  ]);
  const used = Object.fromEntries(quotaResources.map((r) => [r, 0])) as QuotaValues;
  return { ...used, ...instances, server_groups: Number(groups[0]?.n ?? 0) };
}

/** Sets some of a project's limits, one statement. */
export async function setProjectQuotas(api: ApiDatabase, projectId: string, limits: Partial<QuotaValues>): Promise<void> {
  const entries = Object.entries(limits);
  if (entries.length === 0) return;
  await execute(
    api,
    `INSERT INTO quotas (project_id, resource, hard_limit) VALUES ${placeholders(entries.length, 3)}
     ON DUPLICATE KEY UPDATE hard_limit = VALUES(hard_limit), updated_at = NOW(6)`,
    entries.flatMap(([resource, limit]) => [projectId, resource, limit]),
  );
}

/** Drops a project's own limits: it is back on the defaults. */
export async function resetProjectQuotas(api: ApiDatabase, projectId: string): Promise<void> {
  await execute(api, 'DELETE FROM quotas WHERE project_id = ?', [projectId]);
}
