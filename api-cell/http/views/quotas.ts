import { quotaResources, type QuotaResource, type QuotaValues } from '../../quota/index.js';
import { atLeast, type Microversion } from '../microversion.js';

const networkQuotas: QuotaResource[] = ['fixed_ips', 'floating_ips', 'security_groups', 'security_group_rules'];
const injectedQuotas: QuotaResource[] = ['injected_files', 'injected_file_content_bytes', 'injected_file_path_bytes'];

/** The resources a quota set shows: the network ones go at 2.36, the injected-file ones at 2.57. */
export function quotaKeys(version: Microversion): QuotaResource[] {
  const hidden = new Set<QuotaResource>([...(atLeast(version, '2.36') ? networkQuotas : []), ...(atLeast(version, '2.57') ? injectedQuotas : [])]);
  return quotaResources.filter((r) => !hidden.has(r));
}

/** `{"quota_set": {"id": ..., "cores": 20, ...}}`; the update response has no id. */
export function quotaSetView(id: string | null, limits: QuotaValues, version: Microversion): { quota_set: Record<string, unknown> } {
  const view: Record<string, unknown> = id === null ? {} : { id };
  for (const key of quotaKeys(version)) view[key] = limits[key];
  return { quota_set: view };
}

/**
 * `{"quota_class_set": {...}}`: below 2.50 without the server group limits but with the network
 * ones, which go at 2.50; the injected-file ones go at 2.57. The update response has no id.
 */
export function quotaClassView(id: string | null, limits: QuotaValues, version: Microversion): { quota_class_set: Record<string, unknown> } {
  const hidden = new Set<QuotaResource>(
    atLeast(version, '2.50') ? [...networkQuotas, ...(atLeast(version, '2.57') ? injectedQuotas : [])] : ['server_groups', 'server_group_members'],
  );
  const view: Record<string, unknown> = id === null ? {} : { id };
  for (const key of quotaResources) if (!hidden.has(key)) view[key] = limits[key];
  return { quota_class_set: view };
}

/** Each resource as `{in_use, limit, reserved}`; nothing is ever reserved any more. */
export function quotaDetailView(id: string, limits: QuotaValues, used: QuotaValues, version: Microversion): { quota_set: Record<string, unknown> } {
  const view: Record<string, unknown> = { id };
  for (const key of quotaKeys(version)) view[key] = { in_use: used[key], limit: limits[key], reserved: 0 };
  return { quota_set: view };
}

/** Limit names of GET /limits per quota resource. */
const limitNames: [QuotaResource, string][] = [
  ['ram', 'maxTotalRAMSize'],
  ['instances', 'maxTotalInstances'],
  ['cores', 'maxTotalCores'],
  ['key_pairs', 'maxTotalKeypairs'],
  ['floating_ips', 'maxTotalFloatingIps'],
  ['metadata_items', 'maxServerMeta'],
  ['metadata_items', 'maxImageMeta'],
  ['injected_files', 'maxPersonality'],
  ['injected_file_content_bytes', 'maxPersonalitySize'],
  ['security_groups', 'maxSecurityGroups'],
  ['security_group_rules', 'maxSecurityGroupRules'],
  ['server_groups', 'maxServerGroups'],
  ['server_group_members', 'maxServerGroupMembers'],
];
const usedNames: [QuotaResource, string][] = [
  ['ram', 'totalRAMUsed'],
  ['cores', 'totalCoresUsed'],
  ['instances', 'totalInstancesUsed'],
  ['floating_ips', 'totalFloatingIpsUsed'],
  ['security_groups', 'totalSecurityGroupsUsed'],
  ['server_groups', 'totalServerGroupsUsed'],
];

/**
 * GET /limits: absolute limits and what is used, no rate limits. Network limits go at 2.36,
 * maxImageMeta at 2.39, maxPersonality and maxPersonalitySize at 2.57.
 */
export function limitsView(limits: QuotaValues, used: QuotaValues, version: Microversion): Record<string, unknown> {
  const hidden = new Set<QuotaResource>();
  if (atLeast(version, '2.36')) for (const r of ['floating_ips', 'security_groups', 'security_group_rules'] as const) hidden.add(r);
  if (atLeast(version, '2.57')) for (const r of ['injected_files', 'injected_file_content_bytes'] as const) hidden.add(r);
  const absolute: Record<string, number> = {};
  for (const [resource, name] of limitNames) {
    if (hidden.has(resource) || (name === 'maxImageMeta' && atLeast(version, '2.39'))) continue;
    absolute[name] = limits[resource];
  }
  for (const [resource, name] of usedNames) if (!hidden.has(resource)) absolute[name] = used[resource];
  return { limits: { rate: [], absolute } };
}
