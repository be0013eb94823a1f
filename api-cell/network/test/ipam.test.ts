import { randomUUID } from 'node:crypto';
import test from 'ava';
import { select } from '../../../ops/runtime-db/index.js';
import { TestDatabases } from '../../../ops/testing/index.js';
import { allocatePorts, freePorts, openNetworkDatabase, syncNetworkDatabase, type NetworkDatabase, type PortSpec } from '../index.js';
import { createNetwork } from '../networks.js';
import { createSubnet } from '../subnets.js';

const dbs = new TestDatabases();
const url = dbs.url('network');
/** Several handles, each with its own connection pool: allocations from "several API workers" at once. */
const handles: NetworkDatabase[] = [];

test.before(async () => {
  await syncNetworkDatabase(url);
  for (let i = 0; i < 6; i += 1) handles.push(openNetworkDatabase(url, { poolMax: 4 }));
});
test.after.always(async () => {
  for (const h of handles) await h.close();
  await dbs.drop();
});

const db = (): NetworkDatabase => handles[0] as NetworkDatabase;

async function networkWith(cidr: string, version: 4 | 6 = 4): Promise<{ network: string; subnet: string }> {
  const network = await createNetwork(db(), { project_id: 'p', name: 'n', description: '', admin_state_up: 1, mtu: 1500, shared: 0, router_external: 0, is_default: 0, port_security_enabled: 1 });
  const subnet = await db().sequelize.transaction((transaction) =>
    createSubnet({ sequelize: db().sequelize, transaction }, { network_id: network, project_id: 'p', name: '', description: '', ip_version: version, cidr, enable_dhcp: true, dns_nameservers: [], host_routes: [], ipv6_ra_mode: null, ipv6_address_mode: null }),
  );
  return { network, subnet };
}

const spec = (network: string, project = 'p'): PortSpec => ({
  id: randomUUID(), network_id: network, project_id: project, name: '', description: '', admin_state_up: true, device_id: '', device_owner: 'compute:nova',
  binding_host_id: '', binding_vnic_type: 'normal', security_groups: [], allowed_address_pairs: [], port_security_enabled: true,
});

/** Counts the statements a handle sends while `work` runs. */
async function statements(h: NetworkDatabase, work: () => Promise<unknown>): Promise<number> {
  let count = 0;
  const hook = () => { count += 1; };
  h.sequelize.addHook('beforeQuery', 'count', hook);
  try {
    await work();
  } finally {
    h.sequelize.removeHook('beforeQuery', 'count');
  }
  return count;
}

test.serial('ipam - a batch costs the same statements whatever its size: one transaction, no round trip per port', async (t) => {
  const { network } = await networkWith('10.0.0.0/20');
  const one = await statements(db(), () => allocatePorts(db(), [spec(network)]));
  const hundred = await statements(db(), () => allocatePorts(db(), Array.from({ length: 100 }, () => spec(network))));
  t.is(hundred, one, `1 port took ${one} statements, 100 ports took ${hundred}`);
  t.true(one <= 10);
  const rows = await select<{ n: number }>(db(), 'SELECT COUNT(DISTINCT ip_address) AS n FROM ip_allocations a JOIN ports p ON p.id = a.port_id WHERE p.network_id = ?', [network]);
  t.is(Number(rows[0]?.n), 101);
});

test.serial('ipam - concurrent batches from separate connection pools never hand out one address twice', async (t) => {
  const { network, subnet } = await networkWith('10.1.0.0/22');
  const batches = Array.from({ length: 24 }, (_, i) => Array.from({ length: 30 }, () => spec(network, `p${i % 3}`)));
  const results = await Promise.all(batches.map((b, i) => allocatePorts(handles[i % handles.length] as NetworkDatabase, b)));
  const addresses = results.flat().flatMap((p) => p.fixed_ips.map((f) => f.ip_address));
  t.is(addresses.length, 720);
  t.is(new Set(addresses).size, 720, 'every address handed out once');
  t.true(addresses.every((a) => a.startsWith('10.1.')));
  const stored = await select<{ n: number }>(db(), 'SELECT COUNT(*) AS n FROM ip_allocations WHERE subnet_id = ?', [subnet]);
  t.is(Number(stored[0]?.n), 720);
  const macs = new Set(results.flat().map((p) => p.mac_address));
  t.is(macs.size, 720);
});

test.serial('ipam - batches racing for the last addresses: whole batches win or fail, none half-made', async (t) => {
  const { network, subnet } = await networkWith('10.2.0.0/28'); // 13 addresses: .2 - .14
  const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => allocatePorts(handles[i] as NetworkDatabase, Array.from({ length: 5 }, () => spec(network)))));
  const won = results.filter((r) => r.status === 'fulfilled');
  const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  t.is(won.length, 2);
  t.true(lost.every((r) => (r.reason as { neutronType?: string }).neutronType === 'IpAddressGenerationFailure'));
  const stored = await select<{ ip_address: string }>(db(), 'SELECT ip_address FROM ip_allocations WHERE subnet_id = ?', [subnet]);
  t.is(stored.length, 10);
  t.is((await select(db(), 'SELECT id FROM ports WHERE network_id = ?', [network])).length, 10);
});

test.serial('ipam - IPv6 subnets allocate from a /64 without scanning it', async (t) => {
  const { network } = await networkWith('fd00:1::/64', 6);
  const ports = await allocatePorts(db(), Array.from({ length: 50 }, () => spec(network)));
  t.deepEqual(ports.slice(0, 3).map((p) => p.fixed_ips[0]?.ip_address), ['fd00:1::2', 'fd00:1::3', 'fd00:1::4']);
  t.is(new Set(ports.map((p) => p.fixed_ips[0]?.ip_address)).size, 50);
});

test.serial('ipam - freeing is exactly once: concurrent frees of the same ports each free a share, never one port twice', async (t) => {
  const { network, subnet } = await networkWith('10.3.0.0/24');
  const ports = await allocatePorts(db(), Array.from({ length: 100 }, () => spec(network)));
  const ids = ports.map((p) => p.id);
  const freed = await Promise.all(handles.map((h) => freePorts(h, ids)));
  const all = freed.flat();
  t.is(all.length, 100, 'each port freed by exactly one of the calls');
  t.is(new Set(all).size, 100);
  t.deepEqual(await freePorts(db(), ids), [], 'a second free frees nothing');
  t.is((await select(db(), 'SELECT ip_address FROM ip_allocations WHERE subnet_id = ?', [subnet])).length, 0);
});

test.serial('ipam - a batch that needs several rounds skips no free address: it gets the lowest ones left', async (t) => {
  const { network, subnet } = await networkWith('10.4.0.0/24');
  const free = new Set([7, 15, 30]);
  const taken = Array.from({ length: 39 }, (_, i) => i + 2).filter((n) => !free.has(n));
  await allocatePorts(db(), taken.map((n) => ({ ...spec(network), fixed_ips: [{ subnet_id: subnet, ip_address: `10.4.0.${n}` }] })));
  const ports = await allocatePorts(db(), Array.from({ length: 10 }, () => spec(network)));
  const got = ports.map((p) => Number(p.fixed_ips[0]?.ip_address.split('.')[3])).sort((a, b) => a - b);
  t.deepEqual(got, [7, 15, 30, 41, 42, 43, 44, 45, 46, 47]);
});

test.serial('ipam - when the first IPv4 subnet is full, ports take their address from the next one (a subnet added grows the network)', async (t) => {
  const { network, subnet: small } = await networkWith('10.5.0.0/30'); // one address: .2
  const big = await db().sequelize.transaction((transaction) =>
    createSubnet({ sequelize: db().sequelize, transaction }, { network_id: network, project_id: 'p', name: '', description: '', ip_version: 4, cidr: '10.6.0.0/24', enable_dhcp: true, dns_nameservers: [], host_routes: [], ipv6_ra_mode: null, ipv6_address_mode: null }),
  );
  const ports = await allocatePorts(db(), Array.from({ length: 4 }, () => spec(network)));
  const bySubnet = (id: string) => ports.filter((p) => p.fixed_ips[0]?.subnet_id === id).map((p) => p.fixed_ips[0]?.ip_address);
  t.deepEqual(bySubnet(small), ['10.5.0.2']);
  t.deepEqual(bySubnet(big).sort((a, b) => String(a).localeCompare(String(b))), ['10.6.0.2', '10.6.0.3', '10.6.0.4']);
  const pinned = await allocatePorts(db(), [{ ...spec(network), fixed_ips: [{ subnet_id: small }] }]).catch((err: unknown) => err as { neutronType?: string });
  t.is((pinned as { neutronType?: string }).neutronType, 'IpAddressGenerationFailure', 'a port that names the full subnet does not move');
});
