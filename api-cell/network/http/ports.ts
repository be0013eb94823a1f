import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import type { RequestContext } from '../../context.js';
import type { ApiState } from '../../http/state.js';
import { badRequest, conflict } from '../errors.js';
import { allocatePorts, changeFixedIps, freePorts, type FixedIp, type PortSpec } from '../ipam.js';
import { pickFields } from '../listing.js';
import { findNetworks, ownsNetwork, updateRow, canSeeNetwork } from '../networks.js';
import { findPort, findPorts, fixedIpFilters, fixedIpsOf, portList, portScope, type PortRow } from '../ports.js';
import { findGroups } from '../security-groups.js';
import { notFound } from '../errors.js';
import { bodyOf, bool, callerOf, notAuthorized, ownerFor, paramOf, queryOf, registerList, requireWriter, standardAttributes, type Ctx, type NetworkDeps } from './common.js';
import { CreatePort, CreatePorts, UpdatePort, type PortBody } from './schemas.js';

export function portView(row: PortRow, fixedIps: FixedIp[], caller: RequestContext): Record<string, unknown> {
  const bound = row.binding_host_id !== '';
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    network_id: row.network_id,
    mac_address: row.mac_address,
    admin_state_up: bool(row.admin_state_up),
    status: row.status,
    device_id: row.device_id,
    device_owner: row.device_owner,
    fixed_ips: fixedIps,
    allowed_address_pairs: JSON.parse(row.allowed_address_pairs) as unknown,
    extra_dhcp_opts: [],
    security_groups: JSON.parse(row.security_groups) as unknown,
    port_security_enabled: bool(row.port_security_enabled),
    dns_name: '',
    dns_assignment: [],
    'binding:vnic_type': row.binding_vnic_type,
    ...(caller.isAdmin
      ? { 'binding:host_id': row.binding_host_id, 'binding:profile': {}, 'binding:vif_type': bound ? 'bridge' : 'unbound', 'binding:vif_details': bound ? { port_filter: true } : {} }
      : {}),
    ...standardAttributes(row),
  };
}

export async function portViews(deps: NetworkDeps, rows: PortRow[], caller: RequestContext): Promise<Record<string, unknown>[]> {
  const ips = await fixedIpsOf(deps.db, rows.map((r) => r.id));
  return rows.map((r) => portView(r, ips.get(r.id) ?? [], caller));
}

const show = async (deps: NetworkDeps, ctx: Ctx, id: string) => (await portViews(deps, [await findPort(deps.db, id, callerOf(ctx))], callerOf(ctx)))[0] ?? {};

/** Groups a port names must exist and be the port's project's (Neutron: SecurityGroupNotFound). */
async function checkGroups(deps: NetworkDeps, projectId: string, ids: string[] | undefined, caller: RequestContext): Promise<void> {
  if (!ids || ids.length === 0) return;
  const found = await findGroups(deps.db, [...new Set(ids)]);
  for (const id of ids) {
    const group = found.find((g) => g.id === id);
    if (!group || (!caller.isAdmin && group.project_id !== projectId)) throw notFound('SecurityGroupNotFound', `Security group ${id} does not exist`);
  }
}

/**
 * A port body as the allocator takes it, after Neutron's default policy: ports on networks the
 * caller may see; MAC, specific addresses, network-owned device owners and port security
 * switched off only for the network's owner; the binding host only for an admin.
 */
async function specsOf(deps: NetworkDeps, caller: RequestContext, bodies: PortBody[]): Promise<PortSpec[]> {
  requireWriter(caller, 'create_port');
  const networks = await findNetworks(deps.db, [...new Set(bodies.map((b) => b.network_id))]);
  const specs: PortSpec[] = [];
  for (const body of bodies) {
    const network = networks.find((n) => n.id === body.network_id);
    if (!network || !canSeeNetwork(caller, network)) throw notFound('NetworkNotFound', `Network ${body.network_id} could not be found.`);
    const owner = ownsNetwork(caller, network);
    const refuse = (attr: string) => notAuthorized(`create_port and rule:create_port:${attr}`);
    if (!owner && !network.shared) throw refuse('network');
    if (body.mac_address !== undefined && !owner) throw refuse('mac_address');
    if (body.fixed_ips?.some((f) => f.ip_address !== undefined) && !owner) throw refuse('fixed_ips:ip_address');
    if (body.device_owner?.startsWith('network:') && !owner) throw refuse('device_owner');
    if (body.port_security_enabled === false && !owner) throw refuse('port_security_enabled');
    if (body.allowed_address_pairs !== undefined && !owner) throw refuse('allowed_address_pairs');
    if ((body['binding:host_id'] !== undefined || body['binding:profile'] !== undefined) && !caller.isAdmin) throw refuse('binding:host_id');
    const projectId = ownerFor(caller, body, 'create_port');
    const security = body.port_security_enabled ?? bool(network.port_security_enabled);
    if (!security && body.security_groups && body.security_groups.length > 0) {
      throw badRequest('PortSecurityAndIPRequiredForSecurityGroups', 'Port security must be enabled and port must have an IP address in order to use security groups.');
    }
    await checkGroups(deps, projectId, body.security_groups, caller);
    specs.push({
      id: randomUUID(),
      network_id: network.id,
      project_id: projectId,
      name: body.name ?? '',
      description: body.description ?? '',
      mac_address: body.mac_address?.toLowerCase().replace(/-/g, ':'),
      admin_state_up: body.admin_state_up ?? true,
      device_id: body.device_id ?? '',
      device_owner: body.device_owner ?? '',
      binding_host_id: body['binding:host_id'] ?? '',
      binding_vnic_type: body['binding:vnic_type'] ?? 'normal',
      security_groups: security ? body.security_groups : [],
      allowed_address_pairs: body.allowed_address_pairs ?? [],
      port_security_enabled: security,
      fixed_ips: body.fixed_ips,
    });
  }
  return specs;
}

async function update(deps: NetworkDeps, ctx: Ctx): Promise<void> {
  const caller = callerOf(ctx);
  const id = paramOf(ctx, 'id');
  const body = bodyOf<{ port: Partial<PortBody> }>(ctx, UpdatePort).port;
  const row = await findPort(deps.db, id, caller);
  requireWriter(caller, 'update_port');
  const [network] = await findNetworks(deps.db, [row.network_id]);
  const owner = network !== undefined && ownsNetwork(caller, network);
  if ((body['binding:host_id'] !== undefined || body['binding:profile'] !== undefined) && !caller.isAdmin) throw notAuthorized('update_port:binding:host_id');
  if ((body.mac_address !== undefined || body.allowed_address_pairs !== undefined || body.port_security_enabled !== undefined) && !owner) throw notAuthorized('update_port');
  if (body.fixed_ips?.some((f) => f.ip_address !== undefined) && !owner) throw notAuthorized('update_port:fixed_ips:ip_address');
  if (body.mac_address !== undefined) throw badRequest('HTTPBadRequest', 'Changing mac_address of a port is not supported here.');
  await checkGroups(deps, row.project_id, body.security_groups, caller);
  const security = body.port_security_enabled ?? bool(row.port_security_enabled);
  const groups = body.security_groups ?? (JSON.parse(row.security_groups) as string[]);
  if (!security && groups.length > 0) throw badRequest('PortSecurityPortHasSecurityGroup', 'Port has security group associated. Cannot disable port security or ip address until security group is removed');
  const changes: Record<string, unknown> = {};
  const plain = { name: 'name', description: 'description', device_id: 'device_id', device_owner: 'device_owner', 'binding:host_id': 'binding_host_id', 'binding:vnic_type': 'binding_vnic_type' } as const;
  for (const [key, column] of Object.entries(plain)) {
    const value = body[key as keyof typeof plain];
    if (value !== undefined) changes[column] = value;
  }
  if (body.admin_state_up !== undefined) changes['admin_state_up'] = body.admin_state_up ? 1 : 0;
  if (body.port_security_enabled !== undefined) changes['port_security_enabled'] = body.port_security_enabled ? 1 : 0;
  if (body.security_groups !== undefined) changes['security_groups'] = JSON.stringify(body.security_groups);
  if (body.allowed_address_pairs !== undefined) changes['allowed_address_pairs'] = JSON.stringify(body.allowed_address_pairs);
  if (body['binding:host_id'] !== undefined) changes['status'] = body['binding:host_id'] ? 'ACTIVE' : 'DOWN';
  if (body.fixed_ips !== undefined) await changeFixedIps(deps.db, row, body.fixed_ips);
  await updateRow(deps.db, 'ports', id, changes, body.fixed_ips !== undefined);
  ctx.body = { port: await show(deps, ctx, id) };
}

export function registerPortRoutes(router: Router<ApiState>, deps: NetworkDeps): void {
  registerList<PortRow>(router, deps, { path: 'ports', key: 'ports', spec: portList, scope: portScope, extra: fixedIpFilters, views: (rows, caller) => portViews(deps, rows, caller) });
  router.get('/ports/:id', async (ctx) => {
    ctx.body = { port: pickFields(await show(deps, ctx, paramOf(ctx, 'id')), queryOf(ctx)) };
  });
  // One port or many ({"ports": [...]}, Neutron's bulk create): either way one allocation transaction.
  router.post('/ports', async (ctx) => {
    const caller = callerOf(ctx);
    const bulk = typeof ctx.state.body === 'object' && ctx.state.body !== null && 'ports' in ctx.state.body;
    const bodies = bulk ? bodyOf<{ ports: PortBody[] }>(ctx, CreatePorts).ports : [bodyOf<{ port: PortBody }>(ctx, CreatePort).port];
    const made = await allocatePorts(deps.db, await specsOf(deps, caller, bodies));
    const rows = await findPorts(deps.db, made.map((p) => p.id));
    const views = await portViews(deps, made.map((p) => rows.find((r) => r.id === p.id)).filter((r): r is PortRow => r !== undefined), caller);
    ctx.status = 201;
    ctx.body = bulk ? { ports: views } : { port: views[0] };
  });
  router.put('/ports/:id', (ctx) => update(deps, ctx));
  router.delete('/ports/:id', async (ctx) => {
    const caller = callerOf(ctx);
    const row = await findPort(deps.db, paramOf(ctx, 'id'), caller);
    requireWriter(caller, 'delete_port');
    if (row.device_owner === 'network:router_interface' || row.device_owner === 'network:router_gateway' || row.device_owner === 'network:floatingip') {
      throw conflict('L3PortInUse', `Port ${row.id} cannot be deleted directly via the port API: has device owner ${row.device_owner}.`);
    }
    await freePorts(deps.db, [row.id]);
    ctx.status = 204;
  });
}
