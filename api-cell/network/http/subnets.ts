import type Router from '@koa/router';
import type { ApiState } from '../../http/state.js';
import { retryDeadlocks } from '../../../ops/runtime-db/index.js';
import { parseCidr, parseIp, formatIp } from '../ip.js';
import { pickFields } from '../listing.js';
import { findNetwork, ownsNetwork, updateRow } from '../networks.js';
import type { AllocationPool } from '../pools.js';
import { checkDns, checkPools, checkRoutes, createSubnet, deleteSubnet, findSubnet, subnetList, subnetScope, type SubnetRow } from '../subnets.js';
import { badRequest } from '../errors.js';
import { bodyOf, bool, callerOf, notAuthorized, ownerFor, paramOf, queryOf, registerList, requireWriter, standardAttributes, type Ctx, type NetworkDeps } from './common.js';
import { CreateSubnet, UpdateSubnet, type SubnetBody } from './schemas.js';

export function subnetView(row: SubnetRow): Record<string, unknown> {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    network_id: row.network_id,
    ip_version: row.ip_version,
    cidr: row.cidr,
    gateway_ip: row.gateway_ip,
    enable_dhcp: bool(row.enable_dhcp),
    allocation_pools: JSON.parse(row.allocation_pools) as unknown,
    dns_nameservers: JSON.parse(row.dns_nameservers) as unknown,
    host_routes: JSON.parse(row.host_routes) as unknown,
    ipv6_ra_mode: row.ipv6_ra_mode,
    ipv6_address_mode: row.ipv6_address_mode,
    subnetpool_id: null,
    service_types: [],
    segment_id: null,
    dns_publish_fixed_ip: false,
    ...standardAttributes(row),
  };
}

const show = async (deps: NetworkDeps, ctx: Ctx, id: string) => subnetView(await findSubnet(deps.db, id, callerOf(ctx)));

/** A subnet may be made or changed by its network's owner (or an admin): Neutron's admin_or_network_owner. */
async function requireNetworkOwner(deps: NetworkDeps, ctx: Ctx, networkId: string, rule: string): Promise<void> {
  const caller = callerOf(ctx);
  const network = await findNetwork(deps.db, networkId, caller);
  if (!ownsNetwork(caller, network)) throw notAuthorized(rule);
  requireWriter(caller, rule);
}

async function update(deps: NetworkDeps, ctx: Ctx): Promise<void> {
  const id = paramOf(ctx, 'id');
  const body = bodyOf<{ subnet: Partial<SubnetBody> }>(ctx, UpdateSubnet).subnet;
  const row = await findSubnet(deps.db, id, callerOf(ctx));
  await requireNetworkOwner(deps, ctx, row.network_id, 'update_subnet');
  const cidr = parseCidr(row.cidr);
  if (!cidr) throw badRequest('InvalidInput', `Subnet ${id} has no valid CIDR.`);
  const changes: Record<string, unknown> = {};
  if (body.name !== undefined) changes['name'] = body.name;
  if (body.description !== undefined) changes['description'] = body.description;
  if (body.enable_dhcp !== undefined) changes['enable_dhcp'] = body.enable_dhcp ? 1 : 0;
  if (body.gateway_ip !== undefined) {
    const gw = body.gateway_ip === null ? null : parseIp(body.gateway_ip);
    if (gw !== null && (!gw || gw.version !== cidr.version)) throw badRequest('InvalidInput', `Invalid input for operation: '${String(body.gateway_ip)}' is not a valid IP address.`);
    changes['gateway_ip'] = gw ? formatIp(gw.version, gw.value) : null;
  }
  if (body.allocation_pools !== undefined) {
    const gateway = (changes['gateway_ip'] ?? row.gateway_ip) as string | null;
    changes['allocation_pools'] = JSON.stringify(checkPools(cidr, body.allocation_pools as AllocationPool[], gateway ? parseIp(gateway)?.value : undefined));
    changes['ip_cursor'] = '0';
  }
  if (body.dns_nameservers !== undefined) changes['dns_nameservers'] = JSON.stringify(checkDns(cidr.version, body.dns_nameservers));
  if (body.host_routes !== undefined) changes['host_routes'] = JSON.stringify(checkRoutes(cidr.version, body.host_routes));
  await updateRow(deps.db, 'subnets', id, changes);
  ctx.body = { subnet: await show(deps, ctx, id) };
}

export function registerSubnetRoutes(router: Router<ApiState>, deps: NetworkDeps): void {
  registerList<SubnetRow>(router, deps, { path: 'subnets', key: 'subnets', spec: subnetList, scope: subnetScope, views: (rows) => Promise.resolve(rows.map(subnetView)) });
  router.get('/subnets/:id', async (ctx) => {
    ctx.body = { subnet: pickFields(await show(deps, ctx, paramOf(ctx, 'id')), queryOf(ctx)) };
  });
  router.post('/subnets', async (ctx) => {
    const caller = callerOf(ctx);
    const body = bodyOf<{ subnet: SubnetBody }>(ctx, CreateSubnet).subnet;
    await requireNetworkOwner(deps, ctx, body.network_id, 'create_subnet');
    const id = await retryDeadlocks(() => deps.db.sequelize.transaction((transaction) =>
      createSubnet({ sequelize: deps.db.sequelize, transaction }, {
        network_id: body.network_id,
        project_id: ownerFor(caller, body, 'create_subnet'),
        name: body.name ?? '',
        description: body.description ?? '',
        ip_version: body.ip_version ?? 4,
        cidr: body.cidr,
        gateway_ip: body.gateway_ip,
        enable_dhcp: body.enable_dhcp ?? true,
        allocation_pools: body.allocation_pools,
        dns_nameservers: body.dns_nameservers ?? [],
        host_routes: body.host_routes ?? [],
        ipv6_ra_mode: body.ipv6_ra_mode ?? null,
        ipv6_address_mode: body.ipv6_address_mode ?? null,
      }),
    ));
    ctx.status = 201;
    ctx.body = { subnet: await show(deps, ctx, id) };
  });
  router.put('/subnets/:id', (ctx) => update(deps, ctx));
  router.delete('/subnets/:id', async (ctx) => {
    const id = paramOf(ctx, 'id');
    const row = await findSubnet(deps.db, id, callerOf(ctx));
    await requireNetworkOwner(deps, ctx, row.network_id, 'delete_subnet');
    await deleteSubnet(deps.db, id);
    ctx.status = 204;
  });
}
