import { randomUUID } from 'node:crypto';
import { execute, select, type Runner } from '../../ops/runtime-db/index.js';
import type { RequestContext } from '../context.js';
import type { NetworkDatabase } from './db/index.js';
import { badRequest, conflict, notFound } from './errors.js';
import { ipVersionOf } from './ip.js';
import { allocatePorts, freePorts } from './ipam.js';
import { standardColumns, type ListSpec } from './listing.js';
import { findNetwork } from './networks.js';
import { findPort, fixedIpsOf } from './ports.js';
import { checkQuota } from './quotas.js';
import { routerBetween, servicePort } from './routers.js';

export interface FloatingIpRow {
  id: string;
  project_id: string;
  floating_network_id: string;
  floating_port_id: string;
  floating_ip_address: string;
  port_id: string | null;
  fixed_ip_address: string | null;
  router_id: string | null;
  status: string;
  description: string;
  revision_number: number;
  created_at: Date;
  updated_at: Date;
}

export const floatingIpList: ListSpec = {
  table: 'floating_ips',
  resource: 'floatingip',
  columns: {
    ...standardColumns,
    floating_network_id: { sql: 'floating_network_id' },
    floating_ip_address: { sql: 'floating_ip_address' }, port_id: { sql: 'port_id' }, fixed_ip_address: { sql: 'fixed_ip_address' }, router_id: { sql: 'router_id' },
    status: { sql: 'status' }, description: { sql: 'description' },
  },
};

export async function findFloatingIp(run: Runner, id: string, caller: RequestContext): Promise<FloatingIpRow> {
  const rows = await select<FloatingIpRow>(run, 'SELECT * FROM floating_ips WHERE id = ?', [id]);
  const row = rows[0];
  if (!row || (!caller.isAdmin && row.project_id !== caller.projectId)) throw notFound('FloatingIPNotFound', `Floating IP ${id} could not be found`);
  return row;
}

export interface Association {
  port_id: string;
  fixed_ip_address: string;
  router_id: string;
}

/**
 * Where a floating IP would point: one of the port's IPv4 addresses (the first when none is
 * named), on a subnet some router joins to the floating IP's external network.
 */
export async function associationFor(db: NetworkDatabase, fip: Pick<FloatingIpRow, 'id' | 'floating_network_id'>, portId: string, fixedIp: string | null | undefined, caller: RequestContext): Promise<Association> {
  const port = await findPort(db, portId, caller);
  const ips = ((await fixedIpsOf(db, [port.id])).get(port.id) ?? []).filter((f) => ipVersionOf(f.ip_address) === 4);
  const chosen = fixedIp ? ips.find((f) => f.ip_address === fixedIp) : ips[0];
  if (!chosen) {
    if (fixedIp) throw badRequest('BadRequest', `Bad floatingip request: Port ${port.id} does not have fixed ip ${fixedIp}.`);
    throw badRequest('BadRequest', `Bad floatingip request: Port ${port.id} does not have any IPv4 address.`);
  }
  const routerId = await routerBetween(db, fip.floating_network_id, chosen.subnet_id);
  if (!routerId) {
    throw notFound('ExternalGatewayForFloatingIPNotFound', `External network ${fip.floating_network_id} is not reachable from subnet ${chosen.subnet_id}. Therefore, cannot associate Port ${port.id} with a Floating IP.`);
  }
  const taken = await select<{ id: string }>(db, 'SELECT id FROM floating_ips WHERE port_id = ? AND fixed_ip_address = ? AND id <> ?', [port.id, chosen.ip_address, fip.id]);
  if (taken[0]) throw conflict('FloatingIPPortAlreadyAssociated', `Cannot associate floating IP with port ${port.id} using fixed IP ${chosen.ip_address}, as that fixed IP already has a floating IP on external network ${fip.floating_network_id}.`);
  return { port_id: port.id, fixed_ip_address: chosen.ip_address, router_id: routerId };
}

export interface FloatingIpRequest {
  project_id: string;
  floating_network_id: string;
  floating_ip_address?: string | undefined;
  subnet_id?: string | undefined;
  description: string;
}

/** A floating IP is an address on an external network held by a port of the service's own. */
export async function createFloatingIp(db: NetworkDatabase, request: FloatingIpRequest, caller: RequestContext): Promise<string> {
  const network = await findNetwork(db, request.floating_network_id, caller);
  if (!network.router_external) throw badRequest('BadRequest', `Bad floatingip request: Network ${network.id} is not a valid external network.`);
  await checkQuota(db, 'floatingip', new Map([[request.project_id, 1]]));
  const id = randomUUID();
  const ask = request.floating_ip_address || request.subnet_id ? [{ subnet_id: request.subnet_id, ip_address: request.floating_ip_address }] : undefined;
  const [port] = await allocatePorts(db, [servicePort(network.id, id, 'network:floatingip', ask)]);
  const address = port?.fixed_ips.find((f) => ipVersionOf(f.ip_address) === 4) ?? port?.fixed_ips[0];
  if (!port || !address) {
    if (port) await freePorts(db, [port.id]);
    throw conflict('IpAddressGenerationFailure', `No more IP addresses available on network ${network.id}.`);
  }
  await execute(db, 'INSERT INTO floating_ips (id, project_id, floating_network_id, floating_port_id, floating_ip_address, description) VALUES (?, ?, ?, ?, ?, ?)', [id, request.project_id, network.id, port.id, address.ip_address, request.description]);
  return id;
}

export async function associate(db: NetworkDatabase, id: string, association: Association | undefined): Promise<void> {
  await execute(
    db,
    'UPDATE floating_ips SET port_id = ?, fixed_ip_address = ?, router_id = ?, status = ?, revision_number = revision_number + 1, updated_at = CURRENT_TIMESTAMP(6) WHERE id = ?',
    [association?.port_id ?? null, association?.fixed_ip_address ?? null, association?.router_id ?? null, association ? 'ACTIVE' : 'DOWN', id],
  );
}

export async function deleteFloatingIp(db: NetworkDatabase, row: FloatingIpRow): Promise<void> {
  await execute(db, 'DELETE FROM floating_ips WHERE id = ?', [row.id]);
  await freePorts(db, [row.floating_port_id]);
}
