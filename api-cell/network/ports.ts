import { select, type Runner } from '../../ops/runtime-db/index.js';
import type { RequestContext } from '../context.js';
import { badRequest, notFound } from './errors.js';
import type { FixedIp } from './ipam.js';
import { standardColumns, type ListQuery, type ListSpec, type Scope } from './listing.js';

export interface PortRow {
  id: string;
  network_id: string;
  project_id: string;
  name: string;
  description: string;
  mac_address: string;
  admin_state_up: number;
  status: string;
  device_id: string;
  device_owner: string;
  binding_host_id: string;
  binding_vnic_type: string;
  security_groups: string;
  allowed_address_pairs: string;
  port_security_enabled: number;
  revision_number: number;
  created_at: Date;
  updated_at: Date;
}

export const portList: ListSpec = {
  table: 'ports',
  resource: 'port',
  columns: {
    ...standardColumns,
    name: { sql: 'name' },
    description: { sql: 'description' },
    network_id: { sql: 'network_id' },
    mac_address: { sql: 'mac_address' },
    admin_state_up: { sql: 'admin_state_up', kind: 'bool' },
    status: { sql: 'status' },
    device_id: { sql: 'device_id' },
    device_owner: { sql: 'device_owner' },
    'binding:host_id': { sql: 'binding_host_id' },
    'binding:vnic_type': { sql: 'binding_vnic_type' },
    port_security_enabled: { sql: 'port_security_enabled', kind: 'bool' },
  },
};

/** A port is seen by its project and by the owner of its network (Neutron's admin_owner_or_network_owner). */
export function portScope(caller: RequestContext): Scope {
  if (caller.isAdmin) return { where: '', values: [] };
  return { where: '(project_id = ? OR network_id IN (SELECT id FROM networks WHERE project_id = ?))', values: [caller.projectId, caller.projectId] };
}

/** `fixed_ips=ip_address=…` and `fixed_ips=subnet_id=…` filters, each a condition on the port's addresses. */
export function fixedIpFilters(query: ListQuery): Scope[] {
  const raw = query['fixed_ips'];
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return values.map((v) => {
    const [key = '', value = ''] = v.split('=', 2);
    if (key !== 'ip_address' && key !== 'subnet_id') throw badRequest('HTTPBadRequest', `Invalid fixed_ips filter ${v}: use ip_address=… or subnet_id=…`);
    return { where: `id IN (SELECT port_id FROM ip_allocations WHERE ${key} = ?)`, values: [value] };
  });
}

export async function findPorts(run: Runner, ids: string[]): Promise<PortRow[]> {
  if (ids.length === 0) return [];
  return select<PortRow>(run, `SELECT * FROM ports WHERE id IN (${ids.map(() => '?').join(', ')})`, ids);
}

export async function findPort(run: Runner, id: string, caller?: RequestContext): Promise<PortRow> {
  const scope = caller ? portScope(caller) : { where: '', values: [] };
  const rows = await select<PortRow>(run, `SELECT * FROM ports WHERE id = ?${scope.where ? ` AND ${scope.where}` : ''}`, [id, ...scope.values]);
  if (!rows[0]) throw notFound('PortNotFound', `Port ${id} could not be found.`);
  return rows[0];
}

/** The addresses of these ports, in one query. */
export async function fixedIpsOf(run: Runner, portIds: string[]): Promise<Map<string, FixedIp[]>> {
  const byPort = new Map<string, FixedIp[]>(portIds.map((id) => [id, []]));
  if (portIds.length === 0) return byPort;
  const rows = await select<FixedIp & { port_id: string }>(run, `SELECT a.port_id, a.subnet_id, a.ip_address FROM ip_allocations a JOIN subnets s ON s.id = a.subnet_id WHERE a.port_id IN (${portIds.map(() => '?').join(', ')}) ORDER BY s.ip_version, s.created_at, a.ip_address`, portIds);
  for (const r of rows) byPort.get(r.port_id)?.push({ subnet_id: r.subnet_id, ip_address: r.ip_address });
  return byPort;
}
