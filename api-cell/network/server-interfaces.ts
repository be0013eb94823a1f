import { select } from '../../ops/runtime-db/index.js';
import type { NetworkDatabase } from './db/index.js';
import { ipVersionOf } from './ip.js';

/** A server's interfaces as the Compute API shows them (Nova's network info and its views). */

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
