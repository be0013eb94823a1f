import { randomUUID } from 'node:crypto';
import { execute, select, type Runner } from '../../ops/runtime-db/index.js';
import type { RequestContext } from '../context.js';
import type { NetworkDatabase } from './db/index.js';
import { badRequest, conflict, notFound } from './errors.js';
import { allocatePortsIn, freePortsIn, inAllocation, type PortSpec } from './ipam.js';
import { checkNics, nameUuid, resolveSecurityGroups, type Nic } from './nics.js';

/**
 * A server's ports, as compute makes, binds, changes and frees them (Nova's allocate_for_instance,
 * deallocate_for_instance, port binding updates, interface attach and detach).
 */

const notFoundError = (message: string) => notFound('SecurityGroupNotFound', message);

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
