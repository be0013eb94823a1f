import type Router from '@koa/router';
import type { RequestContext } from '../../context.js';
import type { ApiState } from '../../http/state.js';
import { select } from '../../../ops/runtime-db/index.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { allocatePorts, freePorts } from '../ipam.js';
import { pickFields } from '../listing.js';
import { findNetwork, ownsNetwork, updateRow } from '../networks.js';
import { findPort, fixedIpsOf } from '../ports.js';
import { createRouter, deleteRouter, findRouter, interfacePorts, routerList, servicePort, setGateway, type Gateway, type RouterRow } from '../routers.js';
import { findSubnet } from '../subnets.js';
import { bodyOf, bool, callerOf, notAuthorized, ownerFor, ownScope, paramOf, queryOf, registerList, requireWriter, standardAttributes, type Ctx, type NetworkDeps } from './common.js';
import { CreateRouter, RouterInterface, UpdateRouter, type RouterBody } from './schemas.js';

async function routerViews(deps: NetworkDeps, rows: RouterRow[]): Promise<Record<string, unknown>[]> {
  const gatewayIps = await fixedIpsOf(deps.db, rows.map((r) => r.gateway_port_id).filter((id): id is string => id !== null));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    description: r.description,
    admin_state_up: bool(r.admin_state_up),
    status: r.status,
    external_gateway_info: r.gateway_network_id
      ? { network_id: r.gateway_network_id, enable_snat: bool(r.enable_snat), external_fixed_ips: gatewayIps.get(r.gateway_port_id ?? '') ?? [] }
      : null,
    routes: [],
    distributed: false,
    ha: false,
    availability_zone_hints: [],
    availability_zones: ['nova'],
    flavor_id: null,
    ...standardAttributes(r),
  }));
}

const show = async (deps: NetworkDeps, caller: RequestContext, id: string) => (await routerViews(deps, [await findRouter(deps.db, id, caller)]))[0] ?? {};

/** Neutron's create_router:external_gateway_info:enable_snat and :external_fixed_ips are admin-only. */
function gatewayOf(caller: RequestContext, info: RouterBody['external_gateway_info']): Gateway | undefined {
  if (!info || !('network_id' in info)) return undefined;
  if (!caller.isAdmin && (info.enable_snat !== undefined || info.external_fixed_ips !== undefined)) throw notAuthorized('create_router:external_gateway_info');
  return info as Gateway;
}

interface InterfaceBody {
  subnet_id?: string;
  port_id?: string;
}

/** add_router_interface: a subnet (a port is made with its gateway address) or a free port of the caller's. */
async function addInterface(deps: NetworkDeps, ctx: Ctx): Promise<void> {
  const caller = callerOf(ctx);
  requireWriter(caller, 'add_router_interface');
  const router = await findRouter(deps.db, paramOf(ctx, 'id'), caller);
  const body = bodyOf<InterfaceBody>(ctx, RouterInterface);
  const existing = await fixedIpsOf(deps.db, (await interfacePorts(deps.db, [router.id])).map((p) => p.id));
  let portId: string;
  if (body.subnet_id) {
    const subnet = await findSubnet(deps.db, body.subnet_id, caller);
    if (!ownsNetwork(caller, await findNetwork(deps.db, subnet.network_id, caller))) throw notAuthorized('add_router_interface');
    if (!subnet.gateway_ip) throw badRequest('BadRequest', `Bad router request: Subnet ${subnet.id} does not have a gateway IP.`);
    if ([...existing.values()].flat().some((f) => f.subnet_id === subnet.id)) throw badRequest('BadRequest', `Bad router request: Router already has a port on subnet ${subnet.id}.`);
    const spec = { ...servicePort(subnet.network_id, router.id, 'network:router_interface', [{ subnet_id: subnet.id, ip_address: subnet.gateway_ip }]), project_id: router.project_id };
    portId = (await allocatePorts(deps.db, [spec]))[0]?.id ?? '';
  } else {
    const port = await findPort(deps.db, body.port_id ?? '', caller);
    if (port.device_id) throw conflict('PortInUse', `Unable to complete operation on port ${port.id} for network ${port.network_id}. Port already has an attached device ${port.device_id}.`);
    await updateRow(deps.db, 'ports', port.id, { device_id: router.id, device_owner: 'network:router_interface', status: 'ACTIVE' });
    portId = port.id;
  }
  ctx.body = await interfaceInfo(deps, router, portId);
}

async function interfaceInfo(deps: NetworkDeps, router: RouterRow, portId: string): Promise<Record<string, unknown>> {
  const [port] = await select<{ network_id: string }>(deps.db, 'SELECT network_id FROM ports WHERE id = ?', [portId]);
  const ips = (await fixedIpsOf(deps.db, [portId])).get(portId) ?? [];
  return { id: router.id, tenant_id: router.project_id, project_id: router.project_id, port_id: portId, network_id: port?.network_id ?? '', subnet_id: ips[0]?.subnet_id ?? '', subnet_ids: ips.map((f) => f.subnet_id) };
}

async function removeInterface(deps: NetworkDeps, ctx: Ctx): Promise<void> {
  const caller = callerOf(ctx);
  requireWriter(caller, 'remove_router_interface');
  const router = await findRouter(deps.db, paramOf(ctx, 'id'), caller);
  const body = bodyOf<InterfaceBody>(ctx, RouterInterface);
  const ports = await interfacePorts(deps.db, [router.id]);
  const ips = await fixedIpsOf(deps.db, ports.map((p) => p.id));
  const port = ports.find((p) => (body.port_id ? p.id === body.port_id : (ips.get(p.id) ?? []).some((f) => f.subnet_id === body.subnet_id)));
  if (!port) {
    if (body.port_id) throw notFound('RouterInterfaceNotFound', `Router ${router.id} does not have an interface with id ${body.port_id}`);
    throw notFound('RouterInterfaceNotFoundForSubnet', `Router ${router.id} has no interface on subnet ${body.subnet_id ?? ''}`);
  }
  const subnets = (ips.get(port.id) ?? []).map((f) => f.subnet_id);
  const using = await select<{ id: string }>(deps.db, `SELECT f.id FROM floating_ips f JOIN ip_allocations a ON a.port_id = f.port_id AND a.ip_address = f.fixed_ip_address WHERE f.router_id = ? AND a.subnet_id IN (${subnets.map(() => '?').join(', ') || "''"}) LIMIT 1`, [router.id, ...subnets]);
  if (using[0]) throw conflict('RouterInterfaceInUseByFloatingIP', `Router interface for subnet ${subnets[0] ?? ''} on router ${router.id} cannot be deleted, as it is required by one or more floating IPs.`);
  const info = await interfaceInfo(deps, router, port.id);
  await freePorts(deps.db, [port.id]);
  ctx.body = info;
}

export function registerRouterRoutes(router: Router<ApiState>, deps: NetworkDeps): void {
  registerList<RouterRow>(router, deps, { path: 'routers', key: 'routers', spec: routerList, scope: ownScope, views: (rows) => routerViews(deps, rows) });
  router.get('/routers/:id', async (ctx) => {
    ctx.body = { router: pickFields(await show(deps, callerOf(ctx), paramOf(ctx, 'id')), queryOf(ctx)) };
  });
  router.post('/routers', async (ctx) => {
    const caller = callerOf(ctx);
    requireWriter(caller, 'create_router');
    const body = bodyOf<{ router: RouterBody }>(ctx, CreateRouter).router;
    if ((body.distributed !== undefined || body.ha !== undefined) && !caller.isAdmin) throw notAuthorized('create_router:distributed');
    const id = await createRouter(deps.db, { project_id: ownerFor(caller, body, 'create_router'), name: body.name ?? '', description: body.description ?? '', admin_state_up: body.admin_state_up === false ? 0 : 1 }, gatewayOf(caller, body.external_gateway_info), caller);
    ctx.status = 201;
    ctx.body = { router: await show(deps, caller, id) };
  });
  router.put('/routers/:id', async (ctx) => {
    const caller = callerOf(ctx);
    requireWriter(caller, 'update_router');
    const id = paramOf(ctx, 'id');
    const body = bodyOf<{ router: Partial<RouterBody> & { routes?: unknown[] } }>(ctx, UpdateRouter).router;
    await findRouter(deps.db, id, caller);
    if (body.routes && body.routes.length > 0) throw badRequest('BadRequest', 'Static routes on routers are not supported here.');
    const changes: Record<string, unknown> = {};
    if (body.name !== undefined) changes['name'] = body.name;
    if (body.description !== undefined) changes['description'] = body.description;
    if (body.admin_state_up !== undefined) changes['admin_state_up'] = body.admin_state_up ? 1 : 0;
    if (body.external_gateway_info !== undefined) await setGateway(deps.db, id, gatewayOf(caller, body.external_gateway_info), caller);
    await updateRow(deps.db, 'routers', id, changes);
    ctx.body = { router: await show(deps, caller, id) };
  });
  router.delete('/routers/:id', async (ctx) => {
    const caller = callerOf(ctx);
    requireWriter(caller, 'delete_router');
    await deleteRouter(deps.db, await findRouter(deps.db, paramOf(ctx, 'id'), caller), caller);
    ctx.status = 204;
  });
  router.put('/routers/:id/add_router_interface', (ctx) => addInterface(deps, ctx));
  router.put('/routers/:id/remove_router_interface', (ctx) => removeInterface(deps, ctx));
}
