import type Router from '@koa/router';
import { NotFoundError } from '../../../ops/runtime/index.js';
import { groupsOfProject, type RuleRow, type SecurityGroupRow } from '../../network/index.js';
import { atLeast } from '../microversion.js';
import { requireReader } from '../policy.js';
import type { ApiState } from '../state.js';
import type { ApiServices } from './services.js';

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
}
