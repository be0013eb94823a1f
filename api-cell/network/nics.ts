import { createHash } from 'node:crypto';
import { execute, select } from '../../ops/runtime-db/index.js';
import type { RequestContext } from '../context.js';
import type { NetworkDatabase } from './db/index.js';
import { badRequest, conflict, forbidden } from './errors.js';
import { cidrContains, formatIp, parseCidr, parseIp } from './ip.js';
import type { NetworkRow } from './networks.js';
import { defaultGroupIds } from './security-groups.js';
import { createSubnet } from './subnets.js';

/**
 * What the Compute API asks of the network service when a server is made (Nova's
 * nova/network/neutron.py, the checks part): its requested networks and security groups.
 */

/** `networks` of a server create body, as the schema let it through. */
export type RequestedNetworks = 'auto' | 'none' | { uuid?: string | undefined; port?: string | null | undefined; fixed_ip?: string | undefined; tag?: string | undefined }[] | undefined;

/** One NIC a server asked for, checked: a port to make on a network (maybe with an address), or a port of the user's. */
export type Nic = { network_id: string; fixed_ip?: string } | { port_id: string };

/** Nova's name for the network a project gets on first `networks: auto` when it has none (Neutron's get-me-a-network). */
export const AUTO_NETWORK_NAME = 'auto_allocated_network';
const AUTO_CIDR = '10.0.0.0/22';

/** A UUID made from a name, so two first uses at once make one auto-allocated network, not two. */
export const nameUuid = (name: string): string => {
  const h = createHash('sha1').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/**
 * Networks a server may boot on without naming one: the project's own and the shared ones (Nova's
 * _get_available_networks), external ones aside (floating IPs come from those, servers sit behind them).
 */
async function availableNetworks(db: NetworkDatabase, projectId: string): Promise<NetworkRow[]> {
  return select<NetworkRow>(db, 'SELECT * FROM networks WHERE (project_id = ? OR shared = 1) AND router_external = 0 ORDER BY created_at, id', [projectId]);
}

/** The project's auto-allocated network and its IPv4 subnet, made once however many boots ask at once. */
export async function autoAllocatedNetwork(db: NetworkDatabase, projectId: string): Promise<string> {
  const id = nameUuid(`cellstack-auto-network:${projectId}`);
  await execute(db, 'INSERT IGNORE INTO networks (id, project_id, name, description) VALUES (?, ?, ?, ?)', [id, projectId, AUTO_NETWORK_NAME, 'Made on first "networks": "auto"']);
  const subnets = await select<{ id: string }>(db, 'SELECT id FROM subnets WHERE network_id = ?', [id]);
  if (subnets.length === 0) {
    await db.sequelize.transaction((transaction) =>
      createSubnet({ sequelize: db.sequelize, transaction }, { network_id: id, project_id: projectId, name: 'auto_allocated_subnet_v4', description: '', ip_version: 4, cidr: AUTO_CIDR, enable_dhcp: true, dns_nameservers: [], host_routes: [], ipv6_ra_mode: null, ipv6_address_mode: null }),
    ).catch(async (err: unknown) => {
      // Another boot made it meanwhile: its subnet overlaps ours, which is the one wanted.
      if ((await select(db, 'SELECT id FROM subnets WHERE network_id = ?', [id])).length === 0) throw err;
    });
  }
  return id;
}

/** Nova's checks of `networks` (2.37 rules for auto and none), before anything is made. */
export async function resolveNics(db: NetworkDatabase, caller: RequestContext, asked: RequestedNetworks, count: number): Promise<Nic[]> {
  if (asked === 'none') return [];
  if (asked === undefined || asked === 'auto') {
    const available = await availableNetworks(db, caller.projectId);
    if (available.length > 1) throw conflict('NetworkAmbiguous', 'Multiple possible networks found, use a Network ID to be more specific.');
    const only = available[0];
    if (only) return [{ network_id: only.id }];
    return asked === 'auto' ? [{ network_id: await autoAllocatedNetwork(db, caller.projectId) }] : [];
  }
  const nics: Nic[] = [];
  for (const entry of asked) {
    if (entry.port) {
      if (count > 1) throw badRequest('InvalidInput', 'Unable to launch multiple instances with a single configured port ID. Please launch your instance one by one with different ports.');
      nics.push({ port_id: entry.port });
    } else if (entry.uuid) {
      if (entry.fixed_ip !== undefined && count > 1) throw badRequest('InvalidInput', 'max_count cannot be greater than 1 if an fixed_ip is specified.');
      nics.push(entry.fixed_ip === undefined ? { network_id: entry.uuid } : { network_id: entry.uuid, fixed_ip: entry.fixed_ip });
    } else {
      throw badRequest('InvalidInput', 'Bad networks format: network uuid is not in proper format');
    }
  }
  await checkNics(db, caller, nics);
  return nics;
}

export async function checkNics(db: NetworkDatabase, caller: RequestContext, nics: Nic[]): Promise<void> {
  const networkIds = [...new Set(nics.flatMap((n) => ('network_id' in n ? [n.network_id] : [])))];
  const portIds = nics.flatMap((n) => ('port_id' in n ? [n.port_id] : []));
  const networks = networkIds.length === 0 ? [] : await select<NetworkRow>(db, `SELECT * FROM networks WHERE id IN (${networkIds.map(() => '?').join(', ')})`, networkIds);
  const subnets = networkIds.length === 0 ? [] : await select<{ network_id: string; cidr: string }>(db, `SELECT network_id, cidr FROM subnets WHERE network_id IN (${networkIds.map(() => '?').join(', ')})`, networkIds);
  for (const nic of nics) {
    if (!('network_id' in nic)) continue;
    const network = networks.find((n) => n.id === nic.network_id);
    if (!network || !(caller.isAdmin || network.project_id === caller.projectId || network.shared || network.router_external)) throw badRequest('NetworkNotFound', `Network ${nic.network_id} could not be found.`);
    if (network.router_external && !network.shared && !caller.isAdmin) throw forbidden('ExternalNetworkAttachForbidden', `It is not allowed to create an interface on external network ${network.id}`);
    const own = subnets.filter((s) => s.network_id === network.id);
    if (own.length === 0) throw badRequest('NetworkRequiresSubnet', `Network ${network.id} requires a subnet in order to boot instances on.`);
    if (nic.fixed_ip !== undefined) {
      const ip = parseIp(nic.fixed_ip);
      if (!ip || !own.some((s) => { const c = parseCidr(s.cidr); return c !== undefined && c.version === ip.version && cidrContains(c, ip.value); })) {
        throw badRequest('InvalidInput', `Fixed IP address ${nic.fixed_ip} is not valid for network ${network.id}.`);
      }
      const used = await select(db, 'SELECT port_id FROM ip_allocations WHERE network_id = ? AND ip_address = ?', [network.id, formatIp(ip.version, ip.value)]);
      if (used.length > 0) throw badRequest('FixedIpAlreadyInUse', `Fixed IP address ${nic.fixed_ip} is already in use on instance.`);
    }
  }
  if (portIds.length === 0) return;
  const ports = await select<{ id: string; project_id: string; device_id: string }>(db, `SELECT id, project_id, device_id FROM ports WHERE id IN (${portIds.map(() => '?').join(', ')})`, portIds);
  for (const id of portIds) {
    const port = ports.find((p) => p.id === id);
    if (!port || (!caller.isAdmin && port.project_id !== caller.projectId)) throw badRequest('PortNotFound', `Port id ${id} could not be found.`);
    if (port.device_id) throw conflict('PortInUse', `Port ${id} is still in use.`);
  }
}

/** Security group names (or ids) of a server create, as ids of the project's groups; none given is the default group. */
export async function resolveSecurityGroups(db: NetworkDatabase, projectId: string, names: string[]): Promise<string[]> {
  const defaults = await defaultGroupIds(db, [projectId]);
  if (names.length === 0) return [defaults.get(projectId) ?? ''];
  const groups = await select<{ id: string; name: string }>(db, 'SELECT id, name FROM security_groups WHERE project_id = ?', [projectId]);
  return [...new Set(names)].map((name) => {
    const byId = groups.find((g) => g.id === name);
    if (byId) return byId.id;
    const byName = groups.filter((g) => g.name === name);
    if (byName.length > 1) throw conflict('NoUniqueMatch', `Multiple security groups found matching '${name}'. Use an ID to be more specific.`);
    if (!byName[0]) throw badRequest('SecurityGroupNotFound', `Unable to find security_group with name or id '${name}'`);
    return byName[0].id;
  });
}
