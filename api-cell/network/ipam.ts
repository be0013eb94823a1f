import { randomBytes } from 'node:crypto';
import { execute, placeholders, retryDeadlocks, select, type Runner } from '../../ops/runtime-db/index.js';
import type { NetworkDatabase } from './db/index.js';
import { badRequest, conflict } from './errors.js';
import { cidrContains, formatIp, parseCidr, parseIp, type Cidr } from './ip.js';
import { addressAt, inRanges, poolSize, rangesOf, type AllocationPool, type Range } from './pools.js';
import { checkQuota } from './quotas.js';
import { defaultGroupIds } from './security-groups.js';

/** A fixed IP as asked for: a subnet, an address, or both. */
export interface FixedIpRequest {
  subnet_id?: string | undefined;
  ip_address?: string | undefined;
}

/** Everything one new port is made of; the allocator fills in its MAC and addresses. */
export interface PortSpec {
  id: string;
  network_id: string;
  project_id: string;
  name: string;
  description: string;
  mac_address?: string | undefined;
  admin_state_up: boolean;
  device_id: string;
  device_owner: string;
  binding_host_id: string;
  binding_vnic_type: string;
  /** Undefined: the project's default group (made on first use), unless port security is off. */
  security_groups?: string[] | undefined;
  allowed_address_pairs: { ip_address: string; mac_address?: string | undefined }[];
  port_security_enabled: boolean;
  /** Undefined: one address from the network's first IPv4 and first IPv6 subnet; []: none. */
  fixed_ips?: FixedIpRequest[] | undefined;
  /** Made for a server at boot: deleted with it (Nova's preserve_on_delete false). */
  made_by_compute?: boolean | undefined;
}

export interface FixedIp {
  subnet_id: string;
  ip_address: string;
}

export interface AllocatedPort {
  id: string;
  mac_address: string;
  fixed_ips: FixedIp[];
  security_groups: string[];
}

interface SubnetRow {
  id: string;
  network_id: string;
  ip_version: number;
  cidr: string;
  gateway_ip: string | null;
  allocation_pools: string;
  ip_cursor: string;
  created_at: Date;
}

interface Subnet {
  row: SubnetRow;
  cidr: Cidr;
  ranges: Range[];
  size: bigint;
  /** Where this allocation starts looking (the cursor as locked). */
  start: bigint;
  /** Past the last address handed out: saved for the next allocation. */
  cursor: bigint;
}

/** Neutron's base MAC (fa:16:3e) and three random bytes. */
const randomMac = (): string => `fa:16:3e:${[...randomBytes(3)].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;

/** MySQL's duplicate-key error: two random MACs met on one network; the batch is tried again. */
const isDuplicate = (err: unknown): boolean => (err as { parent?: { errno?: number } }).parent?.errno === 1062 || (err as { original?: { errno?: number } }).original?.errno === 1062;

/**
 * Makes the ports of a batch (one boot request's, or a bulk POST) in one transaction: the
 * subnets involved are locked (in id order, so batches never deadlock), their addresses picked
 * from each subnet's cursor onwards and checked against `ip_allocations` in one query per round,
 * then every port and address is written with one multi-row INSERT each. The subnet locks and
 * the primary key of `ip_allocations` mean two batches never hand out one address.
 */
export async function allocatePorts(db: NetworkDatabase, specs: PortSpec[]): Promise<AllocatedPort[]> {
  if (specs.length === 0) return [];
  return inAllocation(db, specs.some((s) => s.mac_address), (run) => allocatePortsIn(run, specs));
}

/** Runs `work` in a transaction, again when MariaDB picked it as a deadlock victim or two random MACs met. */
export async function inAllocation<T>(db: NetworkDatabase, macsGiven: boolean, work: (run: Runner) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await retryDeadlocks(() => db.sequelize.transaction((transaction) => work({ sequelize: db.sequelize, transaction })));
    } catch (err) {
      if (!isDuplicate(err) || attempt >= 3 || macsGiven) throw err;
    }
  }
}

/** allocatePorts inside the caller's transaction. */
export async function allocatePortsIn(run: Runner, specs: PortSpec[]): Promise<AllocatedPort[]> {
  if (specs.length === 0) return [];
  // The service's own ports (gateways, floating IPs) belong to no project and count against none.
  await checkQuota(run, 'port', countBy(specs.filter((s) => s.project_id !== '').map((s) => s.project_id)));
  const subnets = await lockSubnets(run, [...new Set(specs.map((s) => s.network_id))]);
  const wanted = specs.map((spec) => requestsOf(spec, subnets));
  await refuseTaken(run, wanted.flat().filter((w): w is FixedIp => w.ip_address !== undefined));
  const picked = await pickFree(run, subnets, wanted);
  const groups = await defaultGroupIds(run, [...new Set(specs.filter((s) => !s.security_groups && s.port_security_enabled && !s.device_owner.startsWith('network:')).map((s) => s.project_id))]);
  const ports = specs.map((spec, i): AllocatedPort => ({
    id: spec.id,
    mac_address: spec.mac_address ?? randomMac(),
    fixed_ips: (wanted[i] ?? []).map((w) => ({ subnet_id: w.subnet_id, ip_address: w.ip_address ?? picked.get(w) ?? '' })),
    security_groups: spec.security_groups ?? (spec.port_security_enabled && !spec.device_owner.startsWith('network:') ? [groups.get(spec.project_id) ?? ''] : []),
  }));
  await insertPorts(run, specs, ports);
  await saveCursors(run, subnets);
  return ports;
}

const countBy = (keys: string[]): Map<string, number> => keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());

/** The subnets of these networks, locked for the rest of the transaction. */
async function lockSubnets(run: Runner, networkIds: string[]): Promise<Map<string, Subnet>> {
  const rows = await select<SubnetRow>(
    run,
    `SELECT id, network_id, ip_version, cidr, gateway_ip, allocation_pools, ip_cursor, created_at FROM subnets WHERE network_id IN (${networkIds.map(() => '?').join(', ')}) ORDER BY id FOR UPDATE`,
    networkIds,
  );
  const subnets = new Map<string, Subnet>();
  for (const row of rows) {
    const cidr = parseCidr(row.cidr);
    if (!cidr) continue;
    const ranges = rangesOf(JSON.parse(row.allocation_pools) as AllocationPool[]);
    const cursor = BigInt(row.ip_cursor);
    subnets.set(row.id, { row, cidr, ranges, size: poolSize(ranges), start: cursor, cursor });
  }
  return subnets;
}

/** What a port's fixed_ips ask for, each with its subnet resolved; an address left out is picked later. */
function requestsOf(spec: Pick<PortSpec, 'network_id' | 'device_owner' | 'fixed_ips'>, subnets: Map<string, Subnet>): Wanted[] {
  const own = [...subnets.values()].filter((s) => s.row.network_id === spec.network_id).sort((a, b) => a.row.created_at.getTime() - b.row.created_at.getTime());
  if (spec.fixed_ips === undefined) {
    // One address of each IP version, from the first subnet of that version with room (the others, in order, if it is full).
    return [4, 6].flatMap((v) => {
      const [first, ...rest] = own.filter((s) => s.cidr.version === v && s.size > 0n).map((s) => s.row.id);
      return first ? [{ subnet_id: first, fallback: rest }] : [];
    });
  }
  return spec.fixed_ips.map((ask) => {
    const ip = ask.ip_address === undefined ? undefined : parseIp(ask.ip_address);
    if (ask.ip_address !== undefined && !ip) throw badRequest('InvalidInput', `Invalid input for operation: '${ask.ip_address}' is not a valid IP address.`);
    const subnet = ask.subnet_id ? own.find((s) => s.row.id === ask.subnet_id) : own.find((s) => ip && s.cidr.version === ip.version && cidrContains(s.cidr, ip.value));
    if (!subnet) {
      if (ask.subnet_id) throw badRequest('InvalidInput', `Invalid input for operation: Failed to create port on network ${spec.network_id}, because fixed_ips included invalid subnet ${ask.subnet_id}.`);
      throw badRequest('InvalidIpForNetwork', `IP address ${ask.ip_address ?? ''} is not a valid IP for any of the subnets on the specified network.`);
    }
    if (!ip) return { subnet_id: subnet.row.id };
    if (ip.version !== subnet.cidr.version || !cidrContains(subnet.cidr, ip.value)) {
      throw badRequest('InvalidIpForSubnet', `IP address ${ask.ip_address ?? ''} is not a valid IP for the specified subnet.`);
    }
    const text = formatIp(ip.version, ip.value);
    // The gateway address is a router interface's to take, nobody else's.
    if (text === subnet.row.gateway_ip && spec.device_owner !== 'network:router_interface') throw conflict('IpAddressInUse', `Unable to complete operation for network ${spec.network_id}. The IP address ${text} is in use.`);
    return { subnet_id: subnet.row.id, ip_address: text };
  });
}

async function refuseTaken(run: Runner, asked: FixedIp[]): Promise<void> {
  const seen = new Set<string>();
  for (const a of asked) {
    const key = `${a.subnet_id} ${a.ip_address}`;
    if (seen.has(key)) throw conflict('IpAddressAlreadyAllocated', `IP address ${a.ip_address} already allocated in subnet ${a.subnet_id}`);
    seen.add(key);
  }
  if (asked.length === 0) return;
  const taken = await select<FixedIp>(run, `SELECT subnet_id, ip_address FROM ip_allocations WHERE (subnet_id, ip_address) IN (${placeholders(asked.length, 2)})`, asked.flatMap((a) => [a.subnet_id, a.ip_address]));
  const first = taken[0];
  if (first) throw conflict('IpAddressAlreadyAllocated', `IP address ${first.ip_address} already allocated in subnet ${first.subnet_id}`);
}

/** One address a port wants: a given one, or one to pick in a subnet (or, when that is full, in the next of `fallback`). */
type Wanted = { subnet_id: string; ip_address?: string; fallback?: string[] };

/**
 * Picks an address for every request without one: candidates from each subnet's cursor onwards
 * (wrapping round its pools), all subnets' candidates checked against ip_allocations in one
 * query per round. A subnet whose whole pool is taken fails the batch.
 */
async function pickFree(run: Runner, subnets: Map<string, Subnet>, wanted: Wanted[][]): Promise<Map<Wanted, string>> {
  const open = new Map<string, Wanted[]>();
  const reserved = new Set(wanted.flat().filter((w) => w.ip_address).map((w) => `${w.subnet_id} ${w.ip_address ?? ''}`));
  for (const w of wanted.flat()) if (!w.ip_address) open.set(w.subnet_id, [...(open.get(w.subnet_id) ?? []), w]);
  const picked = new Map<Wanted, string>();
  const scanned = new Map<string, bigint>();
  while (open.size > 0) {
    const candidates: FixedIp[] = [];
    for (const [subnetId, waiting] of open) {
      const subnet = subnets.get(subnetId);
      if (!subnet) continue;
      const window = BigInt(Math.max(16, waiting.length * 2));
      let done = scanned.get(subnetId) ?? 0n;
      if (done >= subnet.size) {
        if (!moveToFallback(open, subnetId, waiting)) throw conflict('IpAddressGenerationFailure', `No more IP addresses available on network ${subnet.row.network_id}.`);
        continue;
      }
      for (let n = 0n; n < window && done < subnet.size; n += 1n, done += 1n) {
        const value = addressAt(subnet.ranges, (subnet.start + done) % subnet.size);
        const text = formatIp(subnet.cidr.version, value);
        if (text !== subnet.row.gateway_ip && !reserved.has(`${subnetId} ${text}`) && inRanges(subnet.ranges, value)) candidates.push({ subnet_id: subnetId, ip_address: text });
      }
      scanned.set(subnetId, done);
    }
    const taken = candidates.length === 0 ? [] : await select<FixedIp>(run, `SELECT subnet_id, ip_address FROM ip_allocations WHERE (subnet_id, ip_address) IN (${placeholders(candidates.length, 2)})`, candidates.flatMap((c) => [c.subnet_id, c.ip_address]));
    const busy = new Set(taken.map((t) => `${t.subnet_id} ${t.ip_address}`));
    for (const c of candidates) {
      const waiting = open.get(c.subnet_id);
      if (!waiting || busy.has(`${c.subnet_id} ${c.ip_address}`)) continue;
      const next = waiting.shift();
      if (next) picked.set(next, c.ip_address);
      const subnet = subnets.get(c.subnet_id);
      if (subnet) subnet.cursor = (BigInt(offsetOf(subnet, c.ip_address)) + 1n) % subnet.size;
      if (waiting.length === 0) open.delete(c.subnet_id);
    }
  }
  return picked;
}

/** A full subnet's waiting requests go to their next subnet; false when one of them has none. */
function moveToFallback(open: Map<string, Wanted[]>, subnetId: string, waiting: Wanted[]): boolean {
  if (waiting.some((w) => !w.fallback || w.fallback.length === 0)) return false;
  open.delete(subnetId);
  for (const w of waiting) {
    const [next, ...rest] = w.fallback ?? [];
    if (!next) return false;
    w.subnet_id = next;
    w.fallback = rest;
    open.set(next, [...(open.get(next) ?? []), w]);
  }
  return true;
}

/** Where an address sits in its subnet's pools, for the cursor. */
function offsetOf(subnet: Subnet, ip: string): bigint {
  const value = parseIp(ip)?.value ?? 0n;
  let offset = 0n;
  for (const r of subnet.ranges) {
    if (value >= r.first && value <= r.last) return offset + (value - r.first);
    offset += r.last - r.first + 1n;
  }
  return 0n;
}

async function insertAddresses(run: Runner, portId: string, networkId: string, addresses: FixedIp[]): Promise<void> {
  if (addresses.length === 0) return;
  await execute(run, `INSERT INTO ip_allocations (subnet_id, ip_address, port_id, network_id) VALUES ${placeholders(addresses.length, 4)}`, addresses.flatMap((f) => [f.subnet_id, f.ip_address, portId, networkId]));
}

/**
 * Neutron's port update of fixed_ips: the port's addresses become what is asked, addresses it
 * keeps staying its own, new ones checked and picked as at create; a floating IP on an address
 * it gave up is let go. One transaction with the network's subnets locked.
 */
export async function changeFixedIps(db: NetworkDatabase, port: { id: string; network_id: string; device_owner: string }, asked: FixedIpRequest[]): Promise<void> {
  await inAllocation(db, true, async (run) => {
    const subnets = await lockSubnets(run, [port.network_id]);
    const wanted = requestsOf({ network_id: port.network_id, device_owner: port.device_owner, fixed_ips: asked }, subnets);
    await execute(run, 'DELETE FROM ip_allocations WHERE port_id = ?', [port.id]);
    await refuseTaken(run, wanted.filter((w): w is FixedIp => w.ip_address !== undefined));
    const picked = await pickFree(run, subnets, [wanted]);
    const addresses = wanted.map((w) => ({ subnet_id: w.subnet_id, ip_address: w.ip_address ?? picked.get(w) ?? '' }));
    await insertAddresses(run, port.id, port.network_id, addresses);
    await saveCursors(run, subnets);
    const kept = addresses.map((a) => a.ip_address);
    await execute(
      run,
      `UPDATE floating_ips SET port_id = NULL, fixed_ip_address = NULL, router_id = NULL, status = 'DOWN' WHERE port_id = ?${kept.length > 0 ? ` AND fixed_ip_address NOT IN (${kept.map(() => '?').join(', ')})` : ''}`,
      [port.id, ...kept],
    );
  });
}

async function insertPorts(run: Runner, specs: PortSpec[], ports: AllocatedPort[]): Promise<void> {
  const rows = specs.map((s, i) => {
    const p = ports[i] as AllocatedPort;
    return [s.id, s.network_id, s.project_id, s.name, s.description, p.mac_address, s.admin_state_up, s.device_id, s.device_owner, s.binding_host_id, s.binding_host_id ? 'ACTIVE' : 'DOWN', s.binding_vnic_type, JSON.stringify(p.security_groups), JSON.stringify(s.allowed_address_pairs), s.port_security_enabled, s.made_by_compute ? 1 : 0];
  });
  await execute(
    run,
    `INSERT INTO ports (id, network_id, project_id, name, description, mac_address, admin_state_up, device_id, device_owner, binding_host_id, status, binding_vnic_type, security_groups, allowed_address_pairs, port_security_enabled, compute_binding) VALUES ${placeholders(rows.length, 16)}`,
    rows.flat(),
  );
  const addresses = ports.flatMap((p, i) => p.fixed_ips.map((f) => [f.subnet_id, f.ip_address, p.id, specs[i]?.network_id]));
  if (addresses.length > 0) await execute(run, `INSERT INTO ip_allocations (subnet_id, ip_address, port_id, network_id) VALUES ${placeholders(addresses.length, 4)}`, addresses.flat());
}

async function saveCursors(run: Runner, subnets: Map<string, Subnet>): Promise<void> {
  const moved = [...subnets.values()].filter((s) => String(s.cursor) !== s.row.ip_cursor);
  if (moved.length === 0) return;
  await execute(
    run,
    `UPDATE subnets SET ip_cursor = CASE id ${moved.map(() => 'WHEN ? THEN ?').join(' ')} END WHERE id IN (${moved.map(() => '?').join(', ')})`,
    [...moved.flatMap((s) => [s.row.id, String(s.cursor)]), ...moved.map((s) => s.row.id)],
  );
}

/**
 * Deletes ports and frees their addresses (the foreign key cascades) in one transaction; floating
 * IPs on them are let go. Returns the ids this call deleted: a port deleted twice, or by two
 * calls at once, is freed by one of them only.
 */
export async function freePorts(db: NetworkDatabase, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  return retryDeadlocks(() => db.sequelize.transaction((transaction) => freePortsIn({ sequelize: db.sequelize, transaction }, ids)));
}

/** freePorts inside the caller's transaction. */
export async function freePortsIn(run: Runner, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const found = await select<{ id: string }>(run, `SELECT id FROM ports WHERE id IN (${ids.map(() => '?').join(', ')}) FOR UPDATE`, ids);
  if (found.length === 0) return [];
  const mine = found.map((f) => f.id);
  const marks = mine.map(() => '?').join(', ');
  await execute(run, `UPDATE floating_ips SET port_id = NULL, fixed_ip_address = NULL, router_id = NULL, status = 'DOWN' WHERE port_id IN (${marks})`, mine);
  await execute(run, `DELETE FROM ports WHERE id IN (${marks})`, mine);
  return mine;
}
