import type Router from '@koa/router';
import type { RequestContext } from '../../context.js';
import type { ApiState } from '../../http/state.js';
import { associate, associationFor, createFloatingIp, deleteFloatingIp, findFloatingIp, floatingIpList, type FloatingIpRow } from '../floating-ips.js';
import { pickFields } from '../listing.js';
import { updateRow } from '../networks.js';
import { findPorts } from '../ports.js';
import { bodyOf, callerOf, notAuthorized, ownerFor, ownScope, paramOf, queryOf, registerList, requireWriter, standardAttributes, type NetworkDeps } from './common.js';
import { CreateFloatingIp, UpdateFloatingIp, type FloatingIpBody } from './schemas.js';

async function floatingIpViews(deps: NetworkDeps, rows: FloatingIpRow[]): Promise<Record<string, unknown>[]> {
  const ports = await findPorts(deps.db, rows.map((r) => r.port_id).filter((p): p is string => p !== null));
  return rows.map((r) => {
    const port = ports.find((p) => p.id === r.port_id);
    return {
      id: r.id,
      floating_ip_address: r.floating_ip_address,
      floating_network_id: r.floating_network_id,
      router_id: r.router_id,
      port_id: r.port_id,
      fixed_ip_address: r.fixed_ip_address,
      status: r.status,
      description: r.description,
      port_details: port ? { name: port.name, network_id: port.network_id, mac_address: port.mac_address, admin_state_up: Boolean(port.admin_state_up), status: port.status, device_id: port.device_id, device_owner: port.device_owner } : null,
      dns_domain: '',
      dns_name: '',
      qos_policy_id: null,
      port_forwardings: [],
      ...standardAttributes(r),
    };
  });
}

const show = async (deps: NetworkDeps, caller: RequestContext, id: string) => (await floatingIpViews(deps, [await findFloatingIp(deps.db, id, caller)]))[0] ?? {};

export function registerFloatingIpRoutes(router: Router<ApiState>, deps: NetworkDeps): void {
  registerList<FloatingIpRow>(router, deps, { path: 'floatingips', key: 'floatingips', spec: floatingIpList, scope: ownScope, views: (rows) => floatingIpViews(deps, rows) });
  router.get('/floatingips/:id', async (ctx) => {
    ctx.body = { floatingip: pickFields(await show(deps, callerOf(ctx), paramOf(ctx, 'id')), queryOf(ctx)) };
  });
  router.post('/floatingips', async (ctx) => {
    const caller = callerOf(ctx);
    requireWriter(caller, 'create_floatingip');
    const body = bodyOf<{ floatingip: FloatingIpBody }>(ctx, CreateFloatingIp).floatingip;
    if (body.floating_ip_address !== undefined && !caller.isAdmin) throw notAuthorized('create_floatingip:floating_ip_address');
    const projectId = ownerFor(caller, body, 'create_floatingip');
    const id = await createFloatingIp(deps.db, { project_id: projectId, floating_network_id: body.floating_network_id, floating_ip_address: body.floating_ip_address, subnet_id: body.subnet_id, description: body.description ?? '' }, caller);
    if (body.port_id) {
      try {
        await associate(deps.db, id, await associationFor(deps.db, { id, floating_network_id: body.floating_network_id }, body.port_id, body.fixed_ip_address, caller));
      } catch (err) {
        // Neutron makes the two in one go: a floating IP that cannot be associated is not kept.
        await deleteFloatingIp(deps.db, await findFloatingIp(deps.db, id, caller));
        throw err;
      }
    }
    ctx.status = 201;
    ctx.body = { floatingip: await show(deps, caller, id) };
  });
  router.put('/floatingips/:id', async (ctx) => {
    const caller = callerOf(ctx);
    requireWriter(caller, 'update_floatingip');
    const body = bodyOf<{ floatingip: { description?: string; port_id?: string | null; fixed_ip_address?: string | null } }>(ctx, UpdateFloatingIp).floatingip;
    const row = await findFloatingIp(deps.db, paramOf(ctx, 'id'), caller);
    if (body.port_id !== undefined) {
      await associate(deps.db, row.id, body.port_id === null ? undefined : await associationFor(deps.db, row, body.port_id, body.fixed_ip_address, caller));
    }
    if (body.description !== undefined) await updateRow(deps.db, 'floating_ips', row.id, { description: body.description });
    ctx.body = { floatingip: await show(deps, caller, row.id) };
  });
  router.delete('/floatingips/:id', async (ctx) => {
    const caller = callerOf(ctx);
    requireWriter(caller, 'delete_floatingip');
    await deleteFloatingIp(deps.db, await findFloatingIp(deps.db, paramOf(ctx, 'id'), caller));
    ctx.status = 204;
  });
}
