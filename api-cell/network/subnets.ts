import { randomUUID } from 'node:crypto';
import { execute, select, type Runner } from '../../ops/runtime-db/index.js';
import type { RequestContext } from '../context.js';
import { badRequest, conflict, notFound } from './errors.js';
import { cidrContains, cidrsOverlap, formatCidr, formatIp, parseCidr, parseIp, type Cidr } from './ip.js';
import { standardColumns, type ListSpec, type Scope } from './listing.js';
import { defaultPools, poolOf, rangesOf, type AllocationPool } from './pools.js';
import { checkQuota } from './quotas.js';

export interface HostRoute {
  destination: string;
  nexthop: string;
}

export interface SubnetRow {
  id: string;
  network_id: string;
  project_id: string;
  name: string;
  description: string;
  ip_version: number;
  cidr: string;
  gateway_ip: string | null;
  enable_dhcp: number;
  allocation_pools: string;
  dns_nameservers: string;
  host_routes: string;
  ipv6_ra_mode: string | null;
  ipv6_address_mode: string | null;
  revision_number: number;
  created_at: Date;
  updated_at: Date;
}

export const subnetList: ListSpec = {
  table: 'subnets',
  resource: 'subnet',
  columns: {
    ...standardColumns,
    name: { sql: 'name' },
    description: { sql: 'description' },
    network_id: { sql: 'network_id' },
    ip_version: { sql: 'ip_version', kind: 'int' },
    cidr: { sql: 'cidr' },
    gateway_ip: { sql: 'gateway_ip' },
    enable_dhcp: { sql: 'enable_dhcp', kind: 'bool' },
    ipv6_ra_mode: { sql: 'ipv6_ra_mode' },
    ipv6_address_mode: { sql: 'ipv6_address_mode' },
  },
};

/** A subnet is seen by its project, and by everyone when its network is shared or external. */
export function subnetScope(caller: RequestContext): Scope {
  if (caller.isAdmin) return { where: '', values: [] };
  return { where: '(project_id = ? OR network_id IN (SELECT id FROM networks WHERE shared = 1 OR router_external = 1 OR project_id = ?))', values: [caller.projectId, caller.projectId] };
}

export async function findSubnets(run: Runner, ids: string[]): Promise<SubnetRow[]> {
  if (ids.length === 0) return [];
  return select<SubnetRow>(run, `SELECT * FROM subnets WHERE id IN (${ids.map(() => '?').join(', ')})`, ids);
}

export async function findSubnet(run: Runner, id: string, caller?: RequestContext): Promise<SubnetRow> {
  const scope = caller ? subnetScope(caller) : { where: '', values: [] };
  const rows = await select<SubnetRow>(run, `SELECT * FROM subnets WHERE id = ?${scope.where ? ` AND ${scope.where}` : ''}`, [id, ...scope.values]);
  const row = rows[0];
  if (!row) throw notFound('SubnetNotFound', `Subnet ${id} could not be found.`);
  return row;
}

export interface SubnetRequest {
  network_id: string;
  project_id: string;
  name: string;
  description: string;
  ip_version: 4 | 6;
  cidr?: string | undefined;
  gateway_ip?: string | null | undefined;
  enable_dhcp: boolean;
  allocation_pools?: AllocationPool[] | undefined;
  dns_nameservers: string[];
  host_routes: HostRoute[];
  ipv6_ra_mode: string | null;
  ipv6_address_mode: string | null;
}

const invalid = (message: string) => badRequest('InvalidInput', `Invalid input for operation: ${message}`);

function cidrOf(request: SubnetRequest): Cidr {
  if (request.cidr === undefined) throw badRequest('BadRequest', 'Bad subnets request: a subnetpool must be specified in the absence of a cidr.');
  const cidr = parseCidr(request.cidr);
  if (!cidr || !request.cidr.includes('/')) throw invalid(`'${request.cidr}' is not a valid IP subnet.`);
  if (cidr.version !== request.ip_version) throw invalid('cidr and ip_version do not match.');
  if (parseCidr(request.cidr, true) === undefined) throw invalid(`'${request.cidr}' isn't a recognized IP subnet cidr, '${formatCidr(cidr)}' is recommended.`);
  if (cidr.version === 4 && cidr.prefix > 30) throw invalid(`Invalid CIDR ${request.cidr}: a subnet needs room for at least two addresses.`);
  if (cidr.version === 6 && (request.ipv6_address_mode === 'slaac' || request.ipv6_ra_mode === 'slaac') && cidr.prefix !== 64) {
    throw invalid(`Invalid CIDR ${request.cidr} for IPv6 address mode. OpenStack uses the EUI-64 address format, which requires the prefix to be /64`);
  }
  return cidr;
}

function addressIn(cidr: Cidr, text: string, what: string): bigint {
  const ip = parseIp(text);
  if (!ip || ip.version !== cidr.version) throw invalid(`'${text}' is not a valid IPv${cidr.version} address for ${what}.`);
  return ip.value;
}

/** Checks pools as Neutron does: inside the CIDR, start before end, no two overlapping, not over the gateway. */
export function checkPools(cidr: Cidr, pools: AllocationPool[], gateway: bigint | undefined): AllocationPool[] {
  const ranges = pools.map((p) => ({ first: addressIn(cidr, p.start, 'allocation_pools'), last: addressIn(cidr, p.end, 'allocation_pools') }));
  for (const r of ranges) {
    if (r.first > r.last || !cidrContains(cidr, r.first) || !cidrContains(cidr, r.last)) {
      throw badRequest('InvalidAllocationPool', `The allocation pool ${formatIp(cidr.version, r.first)}-${formatIp(cidr.version, r.last)} spans beyond the subnet cidr ${formatCidr(cidr)}.`);
    }
    if (gateway !== undefined && gateway >= r.first && gateway <= r.last) {
      throw conflict('GatewayConflictWithAllocationPools', `Gateway ip ${formatIp(cidr.version, gateway)} conflicts with allocation pool ${formatIp(cidr.version, r.first)}-${formatIp(cidr.version, r.last)}`);
    }
  }
  const sorted = rangesOf(ranges.map((r) => poolOf(cidr.version, r)));
  for (let i = 1; i < sorted.length; i += 1) {
    const [a, b] = [sorted[i - 1], sorted[i]];
    if (a && b && b.first <= a.last) throw badRequest('OverlappingAllocationPools', `Found overlapping allocation pools: ${poolOf(cidr.version, a).start}-${poolOf(cidr.version, a).end} and ${poolOf(cidr.version, b).start}-${poolOf(cidr.version, b).end} for subnet ${formatCidr(cidr)}.`);
  }
  return sorted.map((r) => poolOf(cidr.version, r));
}

export function checkDns(version: number, servers: string[]): string[] {
  const seen = new Set<string>();
  return servers.map((s) => {
    const ip = parseIp(s);
    if (!ip) throw invalid(`'${s}' is not a valid nameserver. '${s}' is not a valid IP address.`);
    const text = formatIp(ip.version, ip.value);
    if (seen.has(text)) throw invalid(`Duplicate nameserver '${s}'.`);
    seen.add(text);
    void version;
    return text;
  });
}

export function checkRoutes(version: number, routes: HostRoute[]): HostRoute[] {
  return routes.map((r) => {
    const destination = parseCidr(r.destination);
    const nexthop = parseIp(r.nexthop);
    if (!destination || !r.destination.includes('/')) throw invalid(`'${r.destination}' is not a valid IP subnet.`);
    if (!nexthop) throw invalid(`'${r.nexthop}' is not a valid IP address.`);
    if (destination.version !== version || nexthop.version !== version) throw badRequest('HostRoutesExhausted', `Invalid route ${r.destination} via ${r.nexthop}: not an IPv${version} route.`);
    return { destination: formatCidr(destination), nexthop: formatIp(nexthop.version, nexthop.value) };
  });
}

/** Makes a subnet after Neutron's checks: a CIDR of the right version not overlapping the network's others. */
export async function createSubnet(run: Runner, request: SubnetRequest): Promise<string> {
  const cidr = cidrOf(request);
  // The network's row lock makes two overlapping subnets made at once impossible (a gap lock on subnets would deadlock).
  await select(run, 'SELECT id FROM networks WHERE id = ? FOR UPDATE', [request.network_id]);
  const others = await select<{ cidr: string }>(run, 'SELECT cidr FROM subnets WHERE network_id = ?', [request.network_id]);
  if (others.some((o) => { const c = parseCidr(o.cidr); return c !== undefined && cidrsOverlap(c, cidr); })) {
    throw invalid(`Requested subnet with cidr: ${formatCidr(cidr)} for network: ${request.network_id} overlaps with another subnet.`);
  }
  const gateway = request.gateway_ip === null ? undefined : request.gateway_ip === undefined ? cidr.network + 1n : addressIn(cidr, request.gateway_ip, 'gateway_ip');
  const pools = request.allocation_pools ? checkPools(cidr, request.allocation_pools, gateway) : defaultPools(cidr, gateway);
  await checkQuota(run, 'subnet', new Map([[request.project_id, 1]]));
  const id = randomUUID();
  await execute(
    run,
    'INSERT INTO subnets (id, network_id, project_id, name, description, ip_version, cidr, gateway_ip, enable_dhcp, allocation_pools, dns_nameservers, host_routes, ipv6_ra_mode, ipv6_address_mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [id, request.network_id, request.project_id, request.name, request.description, request.ip_version, formatCidr(cidr), gateway === undefined ? null : formatIp(cidr.version, gateway),
      request.enable_dhcp, JSON.stringify(pools), JSON.stringify(checkDns(cidr.version, request.dns_nameservers)), JSON.stringify(checkRoutes(cidr.version, request.host_routes)),
      request.ipv6_ra_mode, request.ipv6_address_mode],
  );
  return id;
}

/** Refused (409 SubnetInUse) while a port holds an address of it. */
export async function deleteSubnet(run: Runner, id: string): Promise<void> {
  const used = await select<{ port_id: string }>(run, 'SELECT port_id FROM ip_allocations WHERE subnet_id = ? LIMIT 1', [id]);
  if (used[0]) throw conflict('SubnetInUse', `Unable to complete operation on subnet ${id}: One or more ports have an IP allocation from this subnet.`);
  await execute(run, 'DELETE FROM subnets WHERE id = ?', [id]);
}
