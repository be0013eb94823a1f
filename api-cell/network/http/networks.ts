import type Router from '@koa/router';
import type { ApiState } from '../../http/state.js';
import { badRequest } from '../errors.js';
import { pickFields } from '../listing.js';
import { createNetwork, deleteNetwork, findNetwork, networkList, networkScope, ownsNetwork, subnetIdsOf, updateRow, type NetworkRow } from '../networks.js';
import { bodyOf, bool, callerOf, notAuthorized, ownerFor, paramOf, queryOf, registerList, requireWriter, standardAttributes, type Ctx, type NetworkDeps } from './common.js';
import { CreateNetwork, UpdateNetwork, type NetworkBody } from './schemas.js';

export function networkView(row: NetworkRow, subnets: string[]): Record<string, unknown> {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    admin_state_up: bool(row.admin_state_up),
    status: row.status,
    mtu: row.mtu,
    shared: bool(row.shared),
    'router:external': bool(row.router_external),
    is_default: bool(row.is_default),
    port_security_enabled: bool(row.port_security_enabled),
    subnets,
    availability_zone_hints: [],
    availability_zones: ['nova'],
    ipv4_address_scope: null,
    ipv6_address_scope: null,
    l2_adjacency: true,
    ...standardAttributes(row),
  };
}

async function show(deps: NetworkDeps, ctx: Ctx, id: string): Promise<Record<string, unknown>> {
  const row = await findNetwork(deps.db, id, callerOf(ctx));
  return networkView(row, (await subnetIdsOf(deps.db, [id])).get(id) ?? []);
}

/** Admin-only attributes of a network (Neutron's create_network:shared, :router:external, :is_default). */
function refuseAdminAttributes(ctx: Ctx, body: Partial<NetworkBody>, action: string): void {
  if (callerOf(ctx).isAdmin) return;
  for (const key of ['shared', 'router:external', 'is_default', 'provider:network_type', 'provider:physical_network', 'provider:segmentation_id'] as const) {
    if (body[key] !== undefined) throw notAuthorized(`${action}_network:${key}`);
  }
}

export function registerNetworkRoutes(router: Router<ApiState>, deps: NetworkDeps): void {
  registerList<NetworkRow>(router, deps, {
    path: 'networks',
    key: 'networks',
    spec: networkList,
    scope: networkScope,
    views: async (rows) => {
      const subnets = await subnetIdsOf(deps.db, rows.map((r) => r.id));
      return rows.map((r) => networkView(r, subnets.get(r.id) ?? []));
    },
  });
  router.get('/networks/:id', async (ctx) => {
    ctx.body = { network: pickFields(await show(deps, ctx, paramOf(ctx, 'id')), queryOf(ctx)) };
  });
  router.post('/networks', async (ctx) => {
    const caller = callerOf(ctx);
    requireWriter(caller, 'create_network');
    const body = bodyOf<{ network: NetworkBody }>(ctx, CreateNetwork).network;
    refuseAdminAttributes(ctx, body, 'create');
    const id = await createNetwork(deps.db, {
      project_id: ownerFor(caller, body, 'create_network'),
      name: body.name ?? '',
      description: body.description ?? '',
      admin_state_up: body.admin_state_up === false ? 0 : 1,
      mtu: body.mtu === undefined ? 1500 : Number(body.mtu),
      shared: body.shared ? 1 : 0,
      router_external: body['router:external'] ? 1 : 0,
      is_default: body.is_default ? 1 : 0,
      port_security_enabled: body.port_security_enabled === false ? 0 : 1,
    });
    ctx.status = 201;
    ctx.body = { network: await show(deps, ctx, id) };
  });
  router.put('/networks/:id', async (ctx) => {
    const caller = callerOf(ctx);
    const id = paramOf(ctx, 'id');
    const body = bodyOf<{ network: Partial<NetworkBody> }>(ctx, UpdateNetwork).network;
    const row = await findNetwork(deps.db, id, caller);
    if (!ownsNetwork(caller, row)) throw notAuthorized('update_network');
    requireWriter(caller, 'update_network');
    refuseAdminAttributes(ctx, body, 'update');
    if (body.mtu !== undefined && Number(body.mtu) < 68) throw badRequest('InvalidInput', `Invalid input for mtu. Reason: '${body.mtu}' is too small - must be at least '68'.`);
    const columns: Record<string, unknown> = {};
    const map = { name: 'name', description: 'description', admin_state_up: 'admin_state_up', mtu: 'mtu', shared: 'shared', 'router:external': 'router_external', is_default: 'is_default', port_security_enabled: 'port_security_enabled' } as const;
    for (const [key, column] of Object.entries(map)) {
      const value = body[key as keyof typeof map];
      if (value !== undefined) columns[column] = typeof value === 'boolean' ? (value ? 1 : 0) : key === 'mtu' ? Number(value) : value;
    }
    await updateRow(deps.db, 'networks', id, columns);
    ctx.body = { network: await show(deps, ctx, id) };
  });
  router.delete('/networks/:id', async (ctx) => {
    const caller = callerOf(ctx);
    const id = paramOf(ctx, 'id');
    const row = await findNetwork(deps.db, id, caller);
    if (!ownsNetwork(caller, row)) throw notAuthorized('delete_network');
    requireWriter(caller, 'delete_network');
    await deps.db.sequelize.transaction((transaction) => deleteNetwork({ sequelize: deps.db.sequelize, transaction }, id));
    ctx.status = 204;
  });
}
