import { createHash, randomUUID } from 'node:crypto';
import { execute, select, type Runner } from '../../ops/runtime-db/index.js';
import type { RequestContext } from '../context.js';
import type { NetworkDatabase } from './db/index.js';
import { badRequest, conflict, forbidden, notFound } from './errors.js';

const notFoundError = (message: string) => notFound('SecurityGroupNotFound', message);
import { cidrContains, formatIp, ipVersionOf, parseCidr, parseIp } from './ip.js';
import { allocatePortsIn, freePortsIn, inAllocation, type PortSpec } from './ipam.js';
import type { NetworkRow } from './networks.js';
import { defaultGroupIds } from './security-groups.js';
import { createSubnet } from './subnets.js';

/**
 * What the Compute API asks of the network service (Nova's nova/network/neutron.py, the parts
 * cellstack needs): check a server's requested networks, make and bind its ports a batch at a
 * time, read its addresses, free its ports when it goes.
 */

/** `networks` of a server create body, as the schema let it through. */
export type RequestedNetworks = 'auto' | 'none' | { uuid?: string | undefined; port?: string | null | undefined; fixed_ip?: string | undefined; tag?: string | undefined }[] | undefined;

/** One NIC a server asked for, checked: a port to make on a network (maybe with an address), or a port of the user's. */
export type Nic = { network_id: string; fixed_ip?: string } | { port_id: string };

/** Nova's name for the network a project gets on first `networks: auto` when it has none (Neutron's get-me-a-network). */
export const AUTO_NETWORK_NAME = 'auto_allocated_network';
const AUTO_CIDR = '10.0.0.0/22';

/** A UUID made from a name, so two first uses at once make one auto-allocated network, not two. */
const nameUuid = (name: string): string => {
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

async function checkNics(db: NetworkDatabase, caller: RequestContext, nics: Nic[]): Promise<void> {
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

/** One server's ports to make or claim, on the host it was given. */
export interface ServerPorts {
  server_uuid: string;
  project_id: string;
  host: string;
  zone: string;
  nics: Nic[];
  /** Group ids for the ports made for it (preexisting ports keep theirs). */
  security_groups: string[];
}

/**
 * Makes and binds the ports of a batch of servers in one transaction: new ports on their networks
 * (addresses picked for the whole batch at once) and users' ports claimed for their server.
 */
export async function allocateServerPorts(db: NetworkDatabase, servers: ServerPorts[]): Promise<void> {
  const specs: PortSpec[] = [];
  const claims: { port_id: string; server: ServerPorts }[] = [];
  for (const server of servers) {
    for (const [index, nic] of server.nics.entries()) {
      if ('port_id' in nic) {
        claims.push({ port_id: nic.port_id, server });
        continue;
      }
      specs.push({
        id: nameUuid(`cellstack-port:${server.server_uuid}:${index}`), network_id: nic.network_id, project_id: server.project_id, name: '', description: '', admin_state_up: true,
        device_id: server.server_uuid, device_owner: `compute:${server.zone}`, binding_host_id: server.host, binding_vnic_type: 'normal',
        security_groups: server.security_groups, allowed_address_pairs: [], port_security_enabled: true, made_by_compute: true,
        ...(nic.fixed_ip === undefined ? {} : { fixed_ips: [{ ip_address: nic.fixed_ip }] }),
      });
    }
  }
  if (specs.length === 0 && claims.length === 0) return;
  await inAllocation(db, false, async (run) => {
    // Safe to run twice: a server whose ports exist already (an earlier run of the batch) gets none again.
    const done = new Set((await portsOfDevices(run, servers.map((s) => s.server_uuid))).map((p) => p.device_id));
    await allocatePortsIn(run, specs.filter((s) => !done.has(s.device_id)));
    await claimPorts(run, claims.filter((c) => !done.has(c.server.server_uuid)));
    // The earlier run may have placed it elsewhere: its ports follow the host chosen now.
    const again = servers.filter((s) => done.has(s.server_uuid));
    if (again.length > 0) {
      await execute(
        run,
        `UPDATE ports SET binding_host_id = CASE device_id ${again.map(() => 'WHEN ? THEN ?').join(' ')} END WHERE device_id IN (${again.map(() => '?').join(', ')}) AND compute_binding > 0`,
        [...again.flatMap((s) => [s.server_uuid, s.host]), ...again.map((s) => s.server_uuid)],
      );
    }
  });
}

async function claimPorts(run: Runner, claims: { port_id: string; server: ServerPorts }[]): Promise<void> {
  if (claims.length === 0) return;
  const cases = (value: (c: (typeof claims)[number]) => string) => ({ sql: `CASE id ${claims.map(() => 'WHEN ? THEN ?').join(' ')} END`, values: claims.flatMap((c) => [c.port_id, value(c)]) });
  const device = cases((c) => c.server.server_uuid);
  const host = cases((c) => c.server.host);
  const owner = cases((c) => `compute:${c.server.zone}`);
  await execute(
    run,
    `UPDATE ports SET device_id = ${device.sql}, binding_host_id = ${host.sql}, device_owner = ${owner.sql}, status = 'ACTIVE', compute_binding = 2, revision_number = revision_number + 1 WHERE device_id = '' AND compute_binding = 0 AND id IN (${claims.map(() => '?').join(', ')})`,
    [...device.values, ...host.values, ...owner.values, ...claims.map((c) => c.port_id)],
  );
}

async function portsOfDevices(run: Runner, uuids: string[]): Promise<{ id: string; device_id: string; compute_binding: number }[]> {
  if (uuids.length === 0) return [];
  return select(run, `SELECT id, device_id, compute_binding FROM ports WHERE device_id IN (${uuids.map(() => '?').join(', ')}) AND compute_binding > 0 FOR UPDATE`, uuids);
}

/**
 * When servers go: the ports made for them are deleted and their addresses freed; users' ports
 * are unbound and kept. One transaction; a second call finds nothing left to do.
 */
export async function freeServerPorts(db: NetworkDatabase, uuids: string[]): Promise<number> {
  if (uuids.length === 0) return 0;
  return inAllocation(db, true, async (run) => {
    const ports = await portsOfDevices(run, uuids);
    const kept = ports.filter((p) => p.compute_binding === 2).map((p) => p.id);
    if (kept.length > 0) {
      await execute(run, `UPDATE ports SET device_id = '', device_owner = '', binding_host_id = '', status = 'DOWN', compute_binding = 0 WHERE id IN (${kept.map(() => '?').join(', ')})`, kept);
    }
    return (await freePortsIn(run, ports.filter((p) => p.compute_binding === 1).map((p) => p.id))).length + kept.length;
  });
}

/** One of a server's network interfaces, as Nova's network info (its VIF) carries it. */
export interface Vif {
  port_id: string;
  network_id: string;
  network_name: string;
  mac_address: string;
  fixed_ips: { ip_address: string; version: 4 | 6; subnet_id: string }[];
  floating_ips: string[];
  security_groups: string[];
}

/** The interfaces of these servers, in three queries whatever their number. */
export async function serverInterfaces(db: NetworkDatabase, uuids: string[]): Promise<Map<string, Vif[]>> {
  const byServer = new Map<string, Vif[]>();
  if (uuids.length === 0) return byServer;
  const marks = uuids.map(() => '?').join(', ');
  const ports = await select<{ id: string; device_id: string; network_id: string; network_name: string; mac_address: string; security_groups: string }>(
    db,
    `SELECT p.id, p.device_id, p.network_id, n.name AS network_name, p.mac_address, p.security_groups FROM ports p JOIN networks n ON n.id = p.network_id
     WHERE p.device_id IN (${marks}) AND p.compute_binding > 0 ORDER BY p.created_at, p.id`,
    uuids,
  );
  if (ports.length === 0) return byServer;
  const portMarks = ports.map(() => '?').join(', ');
  const ips = await select<{ port_id: string; subnet_id: string; ip_address: string }>(db, `SELECT port_id, subnet_id, ip_address FROM ip_allocations WHERE port_id IN (${portMarks})`, ports.map((p) => p.id));
  const floating = await select<{ port_id: string; floating_ip_address: string }>(db, `SELECT port_id, floating_ip_address FROM floating_ips WHERE port_id IN (${portMarks})`, ports.map((p) => p.id));
  const groupIds = [...new Set(ports.flatMap((p) => JSON.parse(p.security_groups) as string[]))];
  const groups = groupIds.length === 0 ? [] : await select<{ id: string; name: string }>(db, `SELECT id, name FROM security_groups WHERE id IN (${groupIds.map(() => '?').join(', ')})`, groupIds);
  for (const p of ports) {
    const vif: Vif = {
      port_id: p.id,
      network_id: p.network_id,
      network_name: p.network_name,
      mac_address: p.mac_address,
      fixed_ips: ips.filter((i) => i.port_id === p.id).map((i) => ({ ip_address: i.ip_address, version: ipVersionOf(i.ip_address) ?? 4, subnet_id: i.subnet_id })),
      floating_ips: floating.filter((f) => f.port_id === p.id).map((f) => f.floating_ip_address),
      security_groups: (JSON.parse(p.security_groups) as string[]).map((id) => groups.find((g) => g.id === id)?.name ?? id),
    };
    byServer.set(p.device_id, [...(byServer.get(p.device_id) ?? []), vif]);
  }
  return byServer;
}

export interface ServerAddress {
  version: 4 | 6;
  addr: string;
  'OS-EXT-IPS:type': 'fixed' | 'floating';
  'OS-EXT-IPS-MAC:mac_addr': string;
}

/** Nova's `addresses`: by network name, fixed addresses then the floating ones on them. */
export function addressesOf(vifs: Vif[]): Record<string, ServerAddress[]> {
  const addresses: Record<string, ServerAddress[]> = {};
  for (const vif of vifs) {
    const list = (addresses[vif.network_name] ??= []);
    for (const ip of vif.fixed_ips) list.push({ version: ip.version, addr: ip.ip_address, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': vif.mac_address });
    for (const ip of vif.floating_ips) list.push({ version: 4, addr: ip, 'OS-EXT-IPS:type': 'floating', 'OS-EXT-IPS-MAC:mac_addr': vif.mac_address });
  }
  return addresses;
}

/** Nova's `security_groups` of a server: the names of its ports' groups, each once. */
export const securityGroupsOf = (vifs: Vif[]): { name: string }[] => [...new Set(vifs.flatMap((v) => v.security_groups))].map((name) => ({ name }));

/**
 * Nova's addSecurityGroup / removeSecurityGroup: the group (a name or id of the server's project)
 * added to or taken from every port of the server, in one statement.
 */
export async function changeServerGroup(db: NetworkDatabase, serverUuid: string, projectId: string, name: string, add: boolean): Promise<void> {
  const [groupId = ''] = await resolveSecurityGroups(db, projectId, [name]).catch((err: unknown) => {
    if ((err as { neutronType?: string }).neutronType === 'SecurityGroupNotFound') throw notFoundError(`Security group ${name} not found for project ${projectId}.`);
    throw err;
  });
  await inAllocation(db, true, async (run) => {
    const ports = await select<{ id: string; security_groups: string; port_security_enabled: number }>(run, 'SELECT id, security_groups, port_security_enabled FROM ports WHERE device_id = ? AND compute_binding > 0 FOR UPDATE', [serverUuid]);
    if (ports.length === 0) throw badRequest('SecurityGroupCannotBeApplied', `Unable to ${add ? 'add' : 'remove'} security group ${name}: server ${serverUuid} has no ports.`);
    const has = ports.some((p) => (JSON.parse(p.security_groups) as string[]).includes(groupId));
    if (add && has) throw badRequest('SecurityGroupExistsForInstance', `Security group ${name} is already associated with the instance ${serverUuid}`);
    if (!add && !has) throw badRequest('SecurityGroupNotExistsForInstance', `Security group ${name} not associated with the instance ${serverUuid}`);
    if (add && ports.some((p) => !p.port_security_enabled)) throw badRequest('SecurityGroupCannotBeApplied', 'Network requires port_security_enabled and subnet associated in order to apply security groups.');
    const changed = ports.map((p) => {
      const groups = (JSON.parse(p.security_groups) as string[]).filter((g) => g !== groupId);
      return [p.id, JSON.stringify(add ? [...groups, groupId] : groups)];
    });
    await execute(run, `UPDATE ports SET security_groups = CASE id ${changed.map(() => 'WHEN ? THEN ?').join(' ')} END, revision_number = revision_number + 1 WHERE id IN (${changed.map(() => '?').join(', ')})`, [...changed.flat(), ...changed.map((c) => c[0])]);
  });
}

/**
 * Nova's interface attach: a new port on a network (an address of the caller's choosing or
 * picked) or a user's free port, bound to the server's host. Returns the port's id.
 */
export async function attachInterface(db: NetworkDatabase, caller: RequestContext, server: Omit<ServerPorts, 'nics' | 'security_groups'>, nic: Nic): Promise<string> {
  await checkNics(db, caller, [nic]);
  if ('port_id' in nic) {
    await inAllocation(db, true, (run) => claimPorts(run, [{ port_id: nic.port_id, server: { ...server, nics: [], security_groups: [] } }]));
    const [claimed] = await select<{ device_id: string }>(db, 'SELECT device_id FROM ports WHERE id = ?', [nic.port_id]);
    if (claimed?.device_id !== server.server_uuid) throw conflict('PortInUse', `Port ${nic.port_id} is still in use.`);
    return nic.port_id;
  }
  const groups = await resolveSecurityGroups(db, server.project_id, []);
  const id = randomUUID();
  await inAllocation(db, false, (run) => allocatePortsIn(run, [{
    id, network_id: nic.network_id, project_id: server.project_id, name: '', description: '', admin_state_up: true, device_id: server.server_uuid,
    device_owner: `compute:${server.zone}`, binding_host_id: server.host, binding_vnic_type: 'normal', security_groups: groups, allowed_address_pairs: [],
    port_security_enabled: true, made_by_compute: true, ...(nic.fixed_ip === undefined ? {} : { fixed_ips: [{ ip_address: nic.fixed_ip }] }),
  }]));
  return id;
}

/** Nova's interface detach: a port made for the server is deleted, a user's port unbound; a port not on the server is Nova's 404. */
export async function detachInterface(db: NetworkDatabase, serverUuid: string, portId: string): Promise<void> {
  await inAllocation(db, true, async (run) => {
    const [port] = await select<{ id: string; compute_binding: number }>(run, 'SELECT id, compute_binding FROM ports WHERE id = ? AND device_id = ? AND compute_binding > 0 FOR UPDATE', [portId, serverUuid]);
    if (!port) throw notFound('PortNotFound', `Port ${portId} is not attached`);
    if (port.compute_binding === 1) await freePortsIn(run, [port.id]);
    else await execute(run, "UPDATE ports SET device_id = '', device_owner = '', binding_host_id = '', status = 'DOWN', compute_binding = 0 WHERE id = ?", [port.id]);
  });
}

/**
 * Binds a server's ports to the host it now lives on ('' when it has none, shelved offloaded):
 * Nova updates binding:host_id when a move lands, a revert goes back, an unshelve places it.
 * One statement; running it again changes nothing.
 */
export async function bindServerPorts(db: NetworkDatabase, serverUuid: string, host: string): Promise<void> {
  await execute(
    db,
    'UPDATE ports SET binding_host_id = ?, status = ?, revision_number = revision_number + 1 WHERE device_id = ? AND compute_binding > 0 AND binding_host_id <> ?',
    [host, host ? 'ACTIVE' : 'DOWN', serverUuid, host],
  );
}

/**
 * Servers (of a project, or of all) holding a fixed address that matches Nova's `ip` (IPv4) or
 * `ip6` (IPv6) filter, each a regular expression; both given, a server must match both.
 */
export async function serversWithAddress(db: NetworkDatabase, projectId: string | undefined, ip?: string, ip6?: string): Promise<string[]> {
  let found: Set<string> | undefined;
  for (const [pattern, v6] of [[ip, false], [ip6, true]] as const) {
    if (pattern === undefined) continue;
    const rows = await select<{ device_id: string }>(
      db,
      `SELECT DISTINCT p.device_id FROM ip_allocations a JOIN ports p ON p.id = a.port_id
       WHERE p.compute_binding > 0 AND a.ip_address ${v6 ? '' : 'NOT '}LIKE '%:%' AND a.ip_address REGEXP ?${projectId === undefined ? '' : ' AND p.project_id = ?'}`,
      projectId === undefined ? [pattern] : [pattern, projectId],
    ).catch((err: unknown) => {
      // A pattern MariaDB cannot read matches nothing, as Nova's filter would not.
      if ((err as { parent?: { errno?: number } }).parent?.errno === 1139) return [];
      throw err;
    });
    const uuids = new Set(rows.map((r) => r.device_id));
    found = found ? new Set([...found].filter((u) => uuids.has(u))) : uuids;
  }
  return [...(found ?? [])];
}
