import type Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import { InvalidInputError, NotFoundError } from '../../../ops/runtime/index.js';
import { locate } from '../../compute/index.js';
import {
  addGroup,
  addIngressRule,
  groupsOfProject,
  projectGroup,
  removeGroup,
  removeRule,
  renameGroup,
  serverInterfaces,
  securityGroupsOf,
  type IngressRule,
  type RuleRow,
  type SecurityGroupRow,
} from '../../network/index.js';
import { atLeast } from '../microversion.js';
import { requireMember, requireReader } from '../policy.js';
import { SecurityGroupProxyBody, SecurityGroupRuleProxyBody } from '../schemas/security-group-proxy.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import type { ApiServices } from './services.js';

type Ctx = ParameterizedContext<ApiState>;

/** Nova's check of a group's name or description: not empty once stripped, at most 255 characters; kept as given. */
function groupProperty(value: string, what: string): string {
  const v = value.trim();
  if (!v) throw new InvalidInputError(`Security group ${what} cannot be empty.`);
  if (v.length > 255) throw new InvalidInputError(`Security group ${what} should not be greater than 255 characters.`);
  return value;
}

function portOf(value: number | string | null | undefined, what: string): number | null {
  if (value === undefined || value === null || value === '') return null;
  const n = typeof value === 'number' ? value : /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n)) throw new InvalidInputError(`Invalid port range ${String(value)}: ${what} must be an integer.`);
  return n;
}

/** Nova's rule arguments: tcp, udp or icmp (or a number), its ports checked, a CIDR unless a group is named. */
function ingressRule(body: SecurityGroupRuleProxyBody['security_group_rule']): IngressRule {
  const raw = body.ip_protocol ?? null;
  const protocol = raw === null ? null : raw.trim().toLowerCase();
  if (protocol !== null && !['tcp', 'udp', 'icmp'].includes(protocol) && !/^\d+$/.test(protocol)) throw new InvalidInputError(`Invalid IP protocol ${raw ?? ''}.`);
  const from = portOf(body.from_port, 'from_port');
  const to = portOf(body.to_port, 'to_port');
  if (protocol === 'tcp' || protocol === 'udp') {
    if (from === null || to === null || from < 1 || to > 65535 || from > to) throw new InvalidInputError(`Invalid port range ${String(from)}:${String(to)}. Valid TCP ports should be between 1-65535`);
  } else if (protocol === 'icmp') {
    if ((from !== null && (from < -1 || from > 255)) || (to !== null && (to < -1 || to > 255))) throw new InvalidInputError(`Invalid port range ${String(from)}:${String(to)}. For ICMP, the type and code must be between -1 and 255.`);
  }
  const icmpAny = (n: number | null): number | null => (protocol === 'icmp' && n === -1 ? null : n);
  const groupId = body.group_id ?? null;
  return { protocol, from: icmpAny(from), to: icmpAny(to), cidr: groupId ? null : (body.cidr ?? '0.0.0.0/0'), remoteGroupId: groupId };
}

/** Nova's view of a Neutron rule: ingress only, a CIDR or a group, ports as from/to. */
const ruleView = (r: RuleRow, groups: SecurityGroupRow[]) => {
  const remote = groups.find((g) => g.id === r.remote_group_id);
  return {
    id: r.id,
    parent_group_id: r.security_group_id,
    ip_protocol: r.protocol,
    from_port: r.port_range_min ?? (r.protocol === 'icmp' ? -1 : r.protocol ? 1 : null),
    to_port: r.port_range_max ?? (r.protocol === 'icmp' ? -1 : r.protocol ? 65535 : null),
    ip_range: r.remote_ip_prefix ? { cidr: r.remote_ip_prefix } : remote ? {} : { cidr: r.ethertype === 'IPv6' ? '::/0' : '0.0.0.0/0' },
    group: remote ? { name: remote.name, tenant_id: remote.project_id } : {},
  };
};

/**
 * os-security-groups (Nova's proxy to the network service, until 2.36): list and show the
 * project's groups. openstackclient finds a group through it for `server add security group`.
 */
export function registerSecurityGroupProxyRoutes(router: Router<ApiState>, services: ApiServices): void {
  const views = async (projectId: string) => {
    const found = await groupsOfProject(services.network, projectId);
    const groups = found.map((f) => f.group);
    return found.map(({ group, rules }) => ({
      id: group.id,
      name: group.name,
      description: group.description,
      tenant_id: group.project_id,
      rules: rules.filter((r) => r.direction === 'ingress').map((r) => ruleView(r, groups)),
    }));
  };
  const proxied = (ctx: { state: ApiState }) => {
    if (atLeast(ctx.state.version, '2.36')) throw new NotFoundError('The resource could not be found.');
    requireReader(ctx.state.context, 'os_compute_api:os-security-groups:get');
  };
  router.get('/v2.1/os-security-groups', async (ctx) => {
    proxied(ctx);
    ctx.body = { security_groups: await views(ctx.state.context.projectId) };
  });
  router.get('/v2.1/os-security-groups/:id', async (ctx) => {
    proxied(ctx);
    const group = (await views(ctx.state.context.projectId)).find((g) => g.id === ctx.params['id']);
    if (!group) throw new NotFoundError(`Security group ${ctx.params['id'] ?? ''} not found.`);
    ctx.body = { security_group: group };
  });
  router.post('/v2.1/os-security-groups', async (ctx) => {
    proxied(ctx);
    requireMember(ctx.state.context, 'os_compute_api:os-security-groups:create');
    const body = validate<SecurityGroupProxyBody>(SecurityGroupProxyBody, ctx.state.body).security_group;
    const id = await addGroup(services.network, ctx.state.context.projectId, groupProperty(body.name, 'name'), groupProperty(body.description, 'description'));
    ctx.body = { security_group: (await views(ctx.state.context.projectId)).find((g) => g.id === id) };
  });
  router.put('/v2.1/os-security-groups/:id', async (ctx) => {
    proxied(ctx);
    requireMember(ctx.state.context, 'os_compute_api:os-security-groups:update');
    const group = await visible(ctx);
    const body = validate<SecurityGroupProxyBody>(SecurityGroupProxyBody, ctx.state.body).security_group;
    await renameGroup(services.network, group, groupProperty(body.name, 'name'), groupProperty(body.description, 'description'));
    ctx.body = { security_group: (await views(group.project_id)).find((g) => g.id === group.id) };
  });
  router.delete('/v2.1/os-security-groups/:id', async (ctx) => {
    proxied(ctx);
    requireMember(ctx.state.context, 'os_compute_api:os-security-groups:delete');
    await removeGroup(services.network, await visible(ctx));
    ctx.status = 202;
  });
  router.post('/v2.1/os-security-group-rules', async (ctx) => {
    proxied(ctx);
    requireMember(ctx.state.context, 'os_compute_api:os-security-groups:rule_create');
    const body = validate<SecurityGroupRuleProxyBody>(SecurityGroupRuleProxyBody, ctx.state.body).security_group_rule;
    const { projectId, isAdmin } = ctx.state.context;
    const parent = await projectGroup(services.network, projectId, isAdmin, String(body.parent_group_id));
    const rule = ingressRule(body);
    if (rule.remoteGroupId) await projectGroup(services.network, projectId, isAdmin, rule.remoteGroupId);
    const id = await addIngressRule(services.network, parent, rule);
    const created = (await views(parent.project_id)).flatMap((g) => g.rules).find((r) => r.id === id);
    ctx.body = { security_group_rule: created };
  });
  // A DELETE without an id names nothing (Nova's 404, not a 405).
  router.delete('/v2.1/os-security-groups', (ctx) => {
    proxied(ctx);
    throw new NotFoundError('The resource could not be found.');
  });
  router.delete('/v2.1/os-security-group-rules/:id', async (ctx) => {
    proxied(ctx);
    requireMember(ctx.state.context, 'os_compute_api:os-security-groups:rule_delete');
    const id = ctx.params['id'] ?? '';
    if (!(await removeRule(services.network, id, ctx.state.context.projectId, ctx.state.context.isAdmin))) throw new NotFoundError(`Security group rule ${id} not found.`);
    ctx.status = 202;
  });
  router.get('/v2.1/servers/:id/os-security-groups', async (ctx) => {
    proxied(ctx);
    const target = await locate(services, ctx.state.context, ctx.params['id'] ?? '', 'os_compute_api:os-security-groups:list');
    const names = new Set(securityGroupsOf((await serverInterfaces(services.network, [target.instance.uuid])).get(target.instance.uuid) ?? []).map((g) => g.name));
    ctx.body = { security_groups: (await views(target.instance.project_id)).filter((g) => names.has(g.name)) };
  });

  function visible(ctx: Ctx): Promise<SecurityGroupRow> {
    return projectGroup(services.network, ctx.state.context.projectId, ctx.state.context.isAdmin, ctx.params['id'] ?? '');
  }
}
