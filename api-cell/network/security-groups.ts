import { randomUUID } from 'node:crypto';
import { execute, placeholders, select, type Runner } from '../../ops/runtime-db/index.js';
import { badRequest, conflict, notFound } from './errors.js';
import { parseCidr, formatCidr } from './ip.js';
import { checkQuota } from './quotas.js';

export interface SecurityGroupRow {
  id: string;
  project_id: string;
  name: string;
  description: string;
  default_of: string | null;
  stateful: number;
  revision_number: number;
  created_at: Date;
  updated_at: Date;
}

export interface RuleRow {
  id: string;
  security_group_id: string;
  project_id: string;
  direction: string;
  ethertype: string;
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
  remote_group_id: string | null;
  description: string;
  revision_number: number;
  created_at: Date;
  updated_at: Date;
}

export type RuleSpec = Omit<RuleRow, 'id' | 'revision_number' | 'created_at' | 'updated_at'>;

/** Neutron's default group: all egress, and ingress from members of the same group, both IP versions. */
const defaultRules = (groupId: string, projectId: string): RuleSpec[] =>
  (['IPv4', 'IPv6'] as const).flatMap((ethertype) => [
    { security_group_id: groupId, project_id: projectId, direction: 'egress', ethertype, protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null, remote_group_id: null, description: '' },
    { security_group_id: groupId, project_id: projectId, direction: 'ingress', ethertype, protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null, remote_group_id: groupId, description: '' },
  ]);

/**
 * Each project's `default` group, made on first use as Neutron does. The unique `default_of`
 * column lets two first uses at once make only one; the one that made it adds its rules.
 */
export async function defaultGroupIds(run: Runner, projectIds: string[]): Promise<Map<string, string>> {
  if (projectIds.length === 0) return new Map();
  const marks = projectIds.map(() => '?').join(', ');
  const existing = await select<{ id: string; default_of: string }>(run, `SELECT id, default_of FROM security_groups WHERE default_of IN (${marks})`, projectIds);
  const ids = new Map(existing.map((r) => [r.default_of, r.id]));
  const missing = projectIds.filter((p) => !ids.has(p));
  if (missing.length === 0) return ids;
  const fresh = new Map(missing.map((p) => [p, randomUUID()]));
  await execute(
    run,
    `INSERT IGNORE INTO security_groups (id, project_id, name, description, default_of) VALUES ${placeholders(missing.length, 5)}`,
    missing.flatMap((p) => [fresh.get(p), p, 'default', 'Default security group', p]),
  );
  const now = await select<{ id: string; default_of: string }>(run, `SELECT id, default_of FROM security_groups WHERE default_of IN (${marks})`, projectIds);
  const made = now.filter((r) => fresh.get(r.default_of) === r.id);
  await insertRules(run, made.flatMap((r) => defaultRules(r.id, r.default_of)));
  return new Map(now.map((r) => [r.default_of, r.id]));
}

export async function insertRules(run: Runner, rules: RuleSpec[]): Promise<string[]> {
  if (rules.length === 0) return [];
  const ids = rules.map(() => randomUUID());
  await execute(
    run,
    `INSERT INTO security_group_rules (id, security_group_id, project_id, direction, ethertype, protocol, port_range_min, port_range_max, remote_ip_prefix, remote_group_id, description) VALUES ${placeholders(rules.length, 11)}`,
    rules.flatMap((r, i) => [ids[i], r.security_group_id, r.project_id, r.direction, r.ethertype, r.protocol, r.port_range_min, r.port_range_max, r.remote_ip_prefix, r.remote_group_id, r.description]),
  );
  return ids;
}

export async function createGroup(run: Runner, projectId: string, name: string, description: string, stateful: boolean): Promise<string> {
  await checkQuota(run, 'security_group', new Map([[projectId, 1]]));
  const id = randomUUID();
  await execute(run, 'INSERT INTO security_groups (id, project_id, name, description, stateful) VALUES (?, ?, ?, ?, ?)', [id, projectId, name, description, stateful]);
  // Neutron gives a new group the two egress rules.
  await insertRules(run, defaultRules(id, projectId).filter((r) => r.direction === 'egress'));
  return id;
}

export async function findGroups(run: Runner, ids: string[]): Promise<SecurityGroupRow[]> {
  if (ids.length === 0) return [];
  return select<SecurityGroupRow>(run, `SELECT * FROM security_groups WHERE id IN (${ids.map(() => '?').join(', ')})`, ids);
}

export async function rulesOf(run: Runner, groupIds: string[]): Promise<RuleRow[]> {
  if (groupIds.length === 0) return [];
  return select<RuleRow>(run, `SELECT * FROM security_group_rules WHERE security_group_id IN (${groupIds.map(() => '?').join(', ')}) ORDER BY created_at, id`, groupIds);
}

/** Protocol names Neutron accepts, and the numbers they stand for. */
const PROTOCOLS: Record<string, number> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, ipv6_icmp: 58, icmpv6: 58, 'ipv6-icmp': 58, sctp: 132, any: -1 };

/** Checks a rule as Neutron does: protocol and port range agree, the prefix matches the ethertype. */
export function checkRule(rule: RuleSpec): RuleSpec {
  const protocol = rule.protocol === null || rule.protocol === 'any' ? null : rule.protocol.toLowerCase();
  if (protocol !== null && !(protocol in PROTOCOLS) && !/^\d+$/.test(protocol)) {
    throw badRequest('SecurityGroupRuleInvalidProtocol', `Security group rule protocol ${protocol} not supported. Only protocol values [None, ${Object.keys(PROTOCOLS).join(', ')}] and integer representations [0 to 255] are supported.`);
  }
  if (protocol !== null && /^\d+$/.test(protocol) && Number(protocol) > 255) throw badRequest('SecurityGroupRuleInvalidProtocol', `Security group rule protocol ${protocol} not supported.`);
  const { port_range_min: min, port_range_max: max } = rule;
  if ((min !== null || max !== null) && protocol === null) throw badRequest('SecurityGroupProtocolRequiredWithPorts', 'Must also specify protocol if port range is given.');
  const icmp = protocol === 'icmp' || protocol === '1' || PROTOCOLS[protocol ?? ''] === 58;
  if (!icmp && min !== null && max !== null && min > max) throw badRequest('SecurityGroupInvalidPortRange', 'For TCP/UDP protocols, port_range_min must be <= port_range_max');
  if (icmp && ((min !== null && min > 255) || (max !== null && max > 255))) throw badRequest('SecurityGroupInvalidIcmpValue', `Invalid value for ICMP port_range_min or port_range_max: must be 0 to 255.`);
  let prefix = rule.remote_ip_prefix;
  if (prefix !== null) {
    const cidr = parseCidr(prefix);
    if (!cidr) throw badRequest('InvalidInput', `Invalid input for remote_ip_prefix. Reason: '${prefix}' is not a valid IP subnet.`);
    if ((cidr.version === 4) !== (rule.ethertype === 'IPv4')) {
      throw badRequest('SecurityGroupRuleParameterConflict', `Conflicting value ethertype ${rule.ethertype} for CIDR ${prefix}`);
    }
    prefix = formatCidr(cidr);
  }
  if (prefix !== null && rule.remote_group_id !== null) throw badRequest('SecurityGroupRemoteGroupAndRemoteIpPrefix', 'Only remote_ip_prefix or remote_group_id may be provided.');
  return { ...rule, protocol, remote_ip_prefix: prefix };
}

/** Neutron refuses a rule that repeats one the group has: 409 SecurityGroupRuleExists. */
export async function refuseDuplicateRule(run: Runner, rule: RuleSpec): Promise<void> {
  const same = (await rulesOf(run, [rule.security_group_id])).find(
    (r) => r.direction === rule.direction && r.ethertype === rule.ethertype && r.protocol === rule.protocol && r.port_range_min === rule.port_range_min &&
      r.port_range_max === rule.port_range_max && r.remote_ip_prefix === rule.remote_ip_prefix && r.remote_group_id === rule.remote_group_id,
  );
  if (same) throw conflict('SecurityGroupRuleExists', `Security group rule already exists. Rule id is ${same.id}.`);
}

export async function deleteGroup(run: Runner, group: SecurityGroupRow): Promise<void> {
  const using = await select<{ id: string }>(run, 'SELECT id FROM ports WHERE security_groups LIKE ? LIMIT 1', [`%"${group.id}"%`]);
  if (using[0]) throw conflict('SecurityGroupInUse', `Security Group ${group.id} in use.`);
  await execute(run, 'DELETE FROM security_groups WHERE id = ?', [group.id]);
}

export async function findGroup(run: Runner, id: string): Promise<SecurityGroupRow> {
  const [row] = await findGroups(run, [id]);
  if (!row) throw notFound('SecurityGroupNotFound', `Security group ${id} does not exist`);
  return row;
}

/** A project's groups with their rules (Nova's os-security-groups proxy lists them), its default group made first. */
export async function groupsOfProject(run: Runner, projectId: string): Promise<{ group: SecurityGroupRow; rules: RuleRow[] }[]> {
  await defaultGroupIds(run, [projectId]);
  const groups = await select<SecurityGroupRow>(run, 'SELECT * FROM security_groups WHERE project_id = ? ORDER BY created_at, id', [projectId]);
  const rules = await rulesOf(run, groups.map((g) => g.id));
  return groups.map((group) => ({ group, rules: rules.filter((r) => r.security_group_id === group.id) }));
}
