import { randomUUID } from 'node:crypto';
import { execute, select, type Runner } from '../../ops/runtime-db/index.js';
import type { RequestContext } from '../context.js';
import type { NetworkDatabase } from './db/index.js';
import { badRequest, conflict, notFound } from './errors.js';
import { allocatePorts, freePorts, type FixedIpRequest, type PortSpec } from './ipam.js';
import { standardColumns, type ListSpec } from './listing.js';
import { findNetwork } from './networks.js';
import { checkQuota } from './quotas.js';

export interface RouterRow {
  id: string;
  project_id: string;
  name: string;
  description: string;
  admin_state_up: number;
  status: string;
  gateway_network_id: string | null;
  gateway_port_id: string | null;
  enable_snat: number;
  revision_number: number;
  created_at: Date;
  updated_at: Date;
}

export const routerList: ListSpec = {
  table: 'routers',
  resource: 'router',
  columns: { ...standardColumns, name: { sql: 'name' }, description: { sql: 'description' }, status: { sql: 'status' }, admin_state_up: { sql: 'admin_state_up', kind: 'bool' } },
};


export async function findRouter(run: Runner, id: string, caller: RequestContext): Promise<RouterRow> {
  const rows = await select<RouterRow>(run, 'SELECT * FROM routers WHERE id = ?', [id]);
  const row = rows[0];
  if (!row || (!caller.isAdmin && row.project_id !== caller.projectId)) throw notFound('RouterNotFound', `Router ${id} could not be found`);
  return row;
}

/** A port of the network service's own (gateway, interface, floating IP): no project quota, no security groups. */
export function servicePort(networkId: string, deviceId: string, deviceOwner: string, fixedIps?: FixedIpRequest[]): PortSpec {
  return {
    id: randomUUID(), network_id: networkId, project_id: '', name: '', description: '', admin_state_up: true, device_id: deviceId, device_owner: deviceOwner,
    binding_host_id: '', binding_vnic_type: 'normal', security_groups: [], allowed_address_pairs: [], port_security_enabled: false, fixed_ips: fixedIps,
  };
}

export interface Gateway {
  network_id: string;
  enable_snat?: boolean | undefined;
  external_fixed_ips?: FixedIpRequest[] | undefined;
}

/** A gateway is on an external network, with a port of its own there. */
export async function gatewayPort(db: NetworkDatabase, routerId: string, gateway: Gateway, caller: RequestContext): Promise<string> {
  const network = await findNetwork(db, gateway.network_id, caller);
  if (!network.router_external) throw badRequest('BadRequest', `Bad router request: Network ${network.id} is not a valid external network.`);
  const [port] = await allocatePorts(db, [servicePort(network.id, routerId, 'network:router_gateway', gateway.external_fixed_ips)]);
  return port?.id ?? '';
}

export async function createRouter(db: NetworkDatabase, row: Pick<RouterRow, 'project_id' | 'name' | 'description' | 'admin_state_up'>, gateway: Gateway | undefined, caller: RequestContext): Promise<string> {
  await checkQuota(db, 'router', new Map([[row.project_id, 1]]));
  const id = randomUUID();
  await execute(db, 'INSERT INTO routers (id, project_id, name, description, admin_state_up) VALUES (?, ?, ?, ?, ?)', [id, row.project_id, row.name, row.description, row.admin_state_up]);
  if (gateway) await setGateway(db, id, gateway, caller);
  return id;
}

/** Replaces (or with undefined, clears) the router's gateway; refused while floating IPs go through it. */
export async function setGateway(db: NetworkDatabase, routerId: string, gateway: Gateway | undefined, caller: RequestContext): Promise<void> {
  const [row] = await select<RouterRow>(db, 'SELECT * FROM routers WHERE id = ?', [routerId]);
  if (row?.gateway_port_id) {
    if (gateway?.network_id !== row.gateway_network_id) {
      const used = await select<{ id: string }>(db, 'SELECT id FROM floating_ips WHERE router_id = ? LIMIT 1', [routerId]);
      if (used[0]) throw conflict('RouterExternalGatewayInUseByFloatingIp', `Gateway cannot be updated for router ${routerId}, since a gateway to external network ${row.gateway_network_id ?? ''} is required by one or more floating IPs.`);
    } else if (gateway.external_fixed_ips === undefined) {
      await execute(db, 'UPDATE routers SET enable_snat = ? WHERE id = ?', [gateway.enable_snat === false ? 0 : 1, routerId]);
      return;
    }
    await execute(db, 'UPDATE routers SET gateway_network_id = NULL, gateway_port_id = NULL WHERE id = ?', [routerId]);
    await freePorts(db, [row.gateway_port_id]);
  }
  if (!gateway) return;
  const portId = await gatewayPort(db, routerId, gateway, caller);
  await execute(db, 'UPDATE routers SET gateway_network_id = ?, gateway_port_id = ?, enable_snat = ? WHERE id = ?', [gateway.network_id, portId, gateway.enable_snat === false ? 0 : 1, routerId]);
}

export async function interfacePorts(run: Runner, routerIds: string[]): Promise<{ id: string; device_id: string; network_id: string }[]> {
  if (routerIds.length === 0) return [];
  return select(run, `SELECT id, device_id, network_id FROM ports WHERE device_owner = 'network:router_interface' AND device_id IN (${routerIds.map(() => '?').join(', ')})`, routerIds);
}

export async function deleteRouter(db: NetworkDatabase, router: RouterRow, caller: RequestContext): Promise<void> {
  if ((await interfacePorts(db, [router.id]))[0]) throw conflict('RouterInUse', `Router ${router.id} still has ports`);
  await setGateway(db, router.id, undefined, caller);
  await execute(db, 'DELETE FROM routers WHERE id = ?', [router.id]);
}

/** The router that joins an external network to a subnet (gateway on one, interface on the other): where a floating IP goes through. */
export async function routerBetween(run: Runner, externalNetworkId: string, subnetId: string): Promise<string | undefined> {
  const rows = await select<{ id: string }>(
    run,
    `SELECT r.id FROM routers r JOIN ports p ON p.device_id = r.id AND p.device_owner = 'network:router_interface' JOIN ip_allocations a ON a.port_id = p.id
     WHERE r.gateway_network_id = ? AND a.subnet_id = ? LIMIT 1`,
    [externalNetworkId, subnetId],
  );
  return rows[0]?.id;
}
