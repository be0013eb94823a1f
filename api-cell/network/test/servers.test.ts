import test from 'ava';
import { TestDeployment, waitFor, type Caller } from '../../../ops/testing/index.js';

// Servers and the network service: networks at create (auto, uuid, fixed_ip, port), addresses and
// security groups in the views, ports bound to the chosen host and freed with the server.
let d: TestDeployment;
let shared = '';
let sharedSubnet = '';
const apiLog: string[] = [];
const admin: Caller = { user: 'admin', project: 'admin-project', roles: 'admin' };
type Body = Record<string, any>;
const net = (method: string, path: string, body?: unknown, caller: Caller = {}) => d.request<Body>(method, `/network/v2.0${path}`, body, caller);
const v237 = { 'openstack-api-version': 'compute 2.37' };

test.before(async () => {
  d = await TestDeployment.start({ cells: [{ name: 'one', pools: [{ prefix: 'nh', hosts: 2 }] }], apiLog });
  await d.quota('p1', { instances: -1, cores: -1, ram: -1 });
});
test.after.always(() => d?.stop());
test.afterEach.always((t) => {
  if (!t.passed) console.error(apiLog.filter((l) => l.includes('"level":"error"')).join('\n'));
});

async function bootActive(server: Body, caller: Caller = {}): Promise<Body> {
  const res = await d.boot(server, caller, {}, v237);
  if (res.status !== 202) throw new Error(`boot: ${res.status} ${JSON.stringify(res.body)}`);
  return d.waitForStatus(res.body.server.id, ['ACTIVE', 'ERROR']);
}

test.serial('servers - "auto" with no network to take makes the project its own (get me a network), once for boots at once', async (t) => {
  const caller: Caller = { user: 'u9', project: 'p9' };
  const boots = await Promise.all([1, 2, 3].map((i) => d.boot({ name: `gmn-${i}`, networks: 'auto' }, caller, {}, v237)));
  t.deepEqual(boots.map((b) => b.status), [202, 202, 202]);
  const servers = await Promise.all(boots.map((b) => d.waitForStatus(b.body.server.id, ['ACTIVE', 'ERROR'])));
  t.deepEqual(servers.map((s) => Object.keys(s['addresses'] as object)), [['auto_allocated_network'], ['auto_allocated_network'], ['auto_allocated_network']]);
  const networks = (await net('GET', '/networks', undefined, caller)).body['networks'];
  t.deepEqual(networks.map((n: Body) => n['name']), ['auto_allocated_network']);
  t.is(networks[0].subnets.length, 1);
  const none = await d.boot({ name: 'omitted' }, { user: 'u8', project: 'p8' }, { server: { name: 'omitted', flavorRef: '1', imageRef: d.image.uuid } });
  t.is(none.status, 202);
  t.deepEqual((await d.waitForStatus(none.body.server.id, ['ACTIVE']))['addresses'], {}, 'below 2.37 without networks and with none to take: no NIC');
  // The shared network the other tests boot on.
  shared = (await net('POST', '/networks', { network: { name: 'shared', shared: true } }, admin)).body['network'].id;
  sharedSubnet = (await net('POST', '/subnets', { subnet: { network_id: shared, ip_version: 4, cidr: '192.168.233.0/24' } }, admin)).body['subnet'].id;
});

test.serial('servers - "auto" on the one shared network: an address, a MAC, the default group, a port bound to the host', async (t) => {
  const server = await bootActive({ name: 'auto-1', networks: 'auto' });
  t.is(server['status'], 'ACTIVE');
  const [address, ...more] = server['addresses']['shared'];
  t.deepEqual(more, []);
  t.like(address, { version: 4, 'OS-EXT-IPS:type': 'fixed' });
  t.regex(address.addr, /^192\.168\.233\./);
  t.regex(address['OS-EXT-IPS-MAC:mac_addr'], /^fa:16:3e:/);
  t.deepEqual(server['security_groups'], [{ name: 'default' }]);
  const ports = (await net('GET', `/ports?device_id=${server['id']}`, undefined, admin)).body['ports'];
  t.is(ports.length, 1);
  t.like(ports[0], { network_id: shared, device_owner: 'compute:nova', 'binding:host_id': server['OS-EXT-SRV-ATTR:host'], status: 'ACTIVE', mac_address: address['OS-EXT-IPS-MAC:mac_addr'] });
  const ips = await d.request<Body>('GET', `/v2.1/servers/${server['id']}/ips`);
  t.deepEqual(ips.body['addresses'], { shared: [{ version: 4, addr: address.addr }] });
  t.deepEqual((await d.request<Body>('GET', `/v2.1/servers/${server['id']}/ips/shared`)).body, { shared: [{ version: 4, addr: address.addr }] });
  t.is((await d.request('GET', `/v2.1/servers/${server['id']}/ips/other`)).status, 404);
  const listed = (await d.request<Body>('GET', '/v2.1/servers/detail')).body['servers'].find((s: Body) => s['id'] === server['id']);
  t.deepEqual(listed.addresses, server['addresses']);

  t.is((await d.request('DELETE', `/v2.1/servers/${server['id']}`)).status, 204);
  await waitFor(async () => (await net('GET', `/ports?device_id=${server['id']}`, undefined, admin)).body['ports'].length === 0, 20_000, 'the port is freed with its server');
  t.pass();
});

test.serial('servers - a multi-create takes one address each in one batch; "none" takes none', async (t) => {
  const res = await d.boot({ name: 'many', networks: [{ uuid: shared }], min_count: 6, max_count: 6, return_reservation_id: true }, {}, {}, v237);
  t.is(res.status, 202);
  let listed: Body[] = [];
  await waitFor(async () => {
    listed = (await d.request<Body>('GET', `/v2.1/servers/detail?reservation_id=${String(res.body.reservation_id)}`)).body['servers'] as Body[];
    return listed.length === 6 && listed.every((s) => s['status'] === 'ACTIVE');
  }, 20_000, 'six servers ACTIVE');
  const addresses = listed.map((s) => s['addresses']['shared'][0].addr as string);
  t.is(new Set(addresses).size, 6);
  const none = await bootActive({ name: 'no-nic', networks: 'none' });
  t.deepEqual(none['addresses'], {});
  t.false('security_groups' in none);
});

test.serial('servers - a fixed IP, a port of the user\'s, a named security group; the user\'s port is kept and unbound on delete', async (t) => {
  const group = (await net('POST', '/security-groups', { security_group: { name: 'web' } })).body['security_group'];
  const fixed = await bootActive({ name: 'fixed', networks: [{ uuid: shared, fixed_ip: '192.168.233.200' }], security_groups: [{ name: 'web' }] });
  t.is(fixed['addresses']['shared'][0].addr, '192.168.233.200');
  t.deepEqual(fixed['security_groups'], [{ name: 'web' }]);
  const port = (await net('POST', '/ports', { port: { network_id: shared, name: 'mine' } })).body['port'];
  const withPort = await bootActive({ name: 'with-port', networks: [{ port: port.id }] });
  t.is(withPort['addresses']['shared'][0].addr, port.fixed_ips[0].ip_address);
  const claimed = (await net('GET', `/ports/${port.id}`)).body['port'];
  t.is(claimed.device_id, withPort['id']);
  const again = await d.boot({ name: 'port-again', networks: [{ port: port.id }] }, {}, {}, v237);
  t.is(again.status, 409, 'a port in use is refused');
  await d.request('DELETE', `/v2.1/servers/${withPort['id']}`);
  await waitFor(async () => (await net('GET', `/ports/${port.id}`)).body['port'].device_id === '', 20_000, "the user's port is unbound");
  t.is((await net('GET', `/ports/${port.id}`)).status, 200, "and kept");
  await d.request('DELETE', `/v2.1/servers/${fixed['id']}`);
  await waitFor(async () => (await net('DELETE', `/security-groups/${group.id}`)).status === 204, 20_000, 'the group is free once its server is gone');
  t.pass();
});

test.serial('servers - Nova\'s refusals: unknown network, port of another project, port with max_count 2, fixed IP outside, taken, unknown group, ambiguous auto', async (t) => {
  const boot = (server: Body, caller: Caller = {}) => d.boot({ name: 'bad', ...server }, caller, {}, v237);
  const expect = async (server: Body, status: number, message: RegExp, caller: Caller = {}) => {
    const res = await boot(server, caller);
    t.is(res.status, status, JSON.stringify(server));
    t.regex(JSON.stringify(res.body), message);
  };
  await expect({ networks: [{ uuid: '00000000-0000-4000-8000-000000000000' }] }, 400, /Network 00000000-0000-4000-8000-000000000000 could not be found/);
  const theirs = (await net('POST', '/ports', { port: { network_id: shared } }, { user: 'u2', project: 'p2' })).body['port'];
  await expect({ networks: [{ port: theirs.id }] }, 400, /could not be found/);
  const mine = (await net('POST', '/ports', { port: { network_id: shared } })).body['port'];
  await expect({ networks: [{ port: mine.id }], max_count: 2 }, 400, /single configured port ID/);
  await expect({ networks: [{ uuid: shared, fixed_ip: '10.0.0.5' }] }, 400, /not valid for network/);
  await expect({ networks: [{ uuid: shared, fixed_ip: mine.fixed_ips[0].ip_address }] }, 400, /already in use/);
  await expect({ networks: [{ uuid: shared }], security_groups: [{ name: 'nope' }] }, 400, /Unable to find security_group with name or id 'nope'/);
  const own = (await net('POST', '/networks', { network: { name: 'own' } })).body['network'];
  await net('POST', '/subnets', { subnet: { network_id: own.id, ip_version: 4, cidr: '10.1.0.0/24' } });
  await expect({ networks: 'auto' }, 409, /Multiple possible networks found/);
  const bare = (await net('POST', '/networks', { network: { name: 'bare' } }, { user: 'u3', project: 'p3' })).body['network'];
  await expect({ networks: [{ uuid: bare.id }] }, 400, /could not be found/, { user: 'u1', project: 'p1' });
  t.is(sharedSubnet.length, 36);
});


test.serial('servers - addSecurityGroup and removeSecurityGroup change every port of the server, as Nova does', async (t) => {
  const group = (await net('POST', '/security-groups', { security_group: { name: 'ssh' } })).body['security_group'];
  const server = await bootActive({ name: 'sg-actions', networks: [{ uuid: shared }] });
  const act = (body: Body) => d.request<Body>('POST', `/v2.1/servers/${server['id']}/action`, body);
  t.is((await act({ addSecurityGroup: { name: 'ssh' } })).status, 202);
  t.deepEqual((await d.show(server['id'], {})).body.server['security_groups'], [{ name: 'default' }, { name: 'ssh' }]);
  t.is((await act({ addSecurityGroup: { name: 'ssh' } })).status, 400, 'already there');
  t.is((await act({ addSecurityGroup: { name: 'nope' } })).status, 404);
  t.is((await act({ addSecurityGroup: { colour: 'x' } })).status, 400);
  t.is((await act({ removeSecurityGroup: { name: group.id } })).status, 202, 'by id too');
  t.deepEqual((await d.show(server['id'], {})).body.server['security_groups'], [{ name: 'default' }]);
  t.is((await act({ removeSecurityGroup: { name: 'ssh' } })).status, 400, 'not there');
  const other = await d.request('POST', `/v2.1/servers/${server['id']}/action`, { addSecurityGroup: { name: 'ssh' } }, { user: 'u2', project: 'p2' });
  t.is(other.status, 404, "another project's server is not found");
  // Nova's proxy (until 2.36), which openstackclient reads to find a group by name.
  const proxied = (await d.request<Body>('GET', '/v2.1/os-security-groups')).body['security_groups'] as Body[];
  t.deepEqual(proxied.map((g) => String(g['name'])).sort((a, b) => a.localeCompare(b)), ['default', 'ssh']);
  t.like((await d.request<Body>('GET', `/v2.1/os-security-groups/${group.id}`)).body['security_group'], { id: group.id, name: 'ssh', rules: [] });
  t.is((await d.request('GET', '/v2.1/os-security-groups', undefined, {}, { 'openstack-api-version': 'compute 2.36' })).status, 404, 'gone at 2.36');
});

test.serial('servers - os-interface lists, attaches (a network, a fixed IP, a user\'s port) and detaches', async (t) => {
  const server = await bootActive({ name: 'nics', networks: [{ uuid: shared }] });
  const path = `/v2.1/servers/${server['id']}/os-interface`;
  const listed = (await d.request<Body>('GET', path)).body['interfaceAttachments'];
  t.is(listed.length, 1);
  t.like(listed[0], { net_id: shared, port_state: 'ACTIVE' });
  const second = await d.request<Body>('POST', path, { interfaceAttachment: { net_id: shared, fixed_ips: [{ ip_address: '192.168.233.222' }] } });
  t.is(second.status, 200);
  t.deepEqual(second.body['interfaceAttachment'].fixed_ips, [{ subnet_id: sharedSubnet, ip_address: '192.168.233.222' }]);
  const port = (await net('POST', '/ports', { port: { network_id: shared } })).body['port'];
  const third = await d.request<Body>('POST', path, { interfaceAttachment: { port_id: port.id } });
  t.is(third.body['interfaceAttachment'].port_id, port.id);
  const shown = (await d.show(server['id'], {})).body.server;
  t.is((shown['addresses'] as Body)['shared'].length, 3);
  t.is((await d.request('GET', `${path}/${port.id}`)).status, 200);
  t.is((await d.request('POST', path, { interfaceAttachment: { port_id: port.id } })).status, 409, 'a port in use');
  t.is((await d.request('DELETE', `${path}/${port.id}`)).status, 202);
  t.is((await net('GET', `/ports/${port.id}`)).body['port'].device_id, '', "the user's port is unbound, kept");
  t.is((await d.request('DELETE', `${path}/${second.body['interfaceAttachment'].port_id}`)).status, 202);
  t.is((await net('GET', `/ports/${second.body['interfaceAttachment'].port_id}`)).status, 404, 'the port made for it is gone');
  t.is((await d.request('DELETE', `${path}/${port.id}`)).status, 404, 'not attached any more');
  t.is((await d.request<Body>('GET', path)).body['interfaceAttachments'].length, 1);
});

test.serial('servers - a migration binds the ports to the new host; a revert binds them back', async (t) => {
  const server = await bootActive({ name: 'mover', networks: [{ uuid: shared }] });
  const source = server['OS-EXT-SRV-ATTR:host'];
  const binding = async () => (await net('GET', `/ports?device_id=${server['id']}`, undefined, admin)).body['ports'][0]['binding:host_id'];
  t.is(await binding(), source);
  t.is((await d.request('POST', `/v2.1/servers/${server['id']}/action`, { migrate: null }, admin)).status, 202);
  const moved = await d.settle(server['id'], 'VERIFY_RESIZE');
  t.not(moved['OS-EXT-SRV-ATTR:host'], source);
  t.is(await binding(), moved['OS-EXT-SRV-ATTR:host']);
  t.is((await d.request('POST', `/v2.1/servers/${server['id']}/action`, { revertResize: null }, admin)).status, 202);
  await d.settle(server['id'], 'ACTIVE');
  t.is(await binding(), source);
});

test.serial('servers - the ip and ip6 list filters match the servers\' addresses as regular expressions', async (t) => {
  const server = await bootActive({ name: 'by-ip', networks: [{ uuid: shared, fixed_ip: '192.168.233.150' }] });
  const ids = async (query: string) => ((await d.request<Body>('GET', `/v2.1/servers?${query}`)).body['servers'] as Body[]).map((s) => s['id']);
  t.deepEqual(await ids('ip=192.168.233.150'), [server['id']]);
  t.deepEqual(await ids(`ip=${encodeURIComponent('^192\\.168\\.233\\.15')}&name=by-ip`), [server['id']]);
  t.deepEqual(await ids('ip=10.9.9.9'), []);
  t.deepEqual(await ids('ip6=fd00'), []);
  t.deepEqual(await ids('ip=192.168.233.150&ip6=.'), [], 'both given, both must match');
  t.deepEqual((await d.request<Body>('GET', '/v2.1/servers?ip=192.168.233.150', undefined, { user: 'u2', project: 'p2' })).body['servers'], [], "another project's server is not listed");
});

test.serial("servers - a port another project merely names a server in is not the server's interface, and survives its delete", async (t) => {
  const server = await bootActive({ name: 'target', networks: [{ uuid: shared }] });
  const stranger: Caller = { user: 'u2', project: 'p2' };
  const fake = await net('POST', '/ports', { port: { network_id: shared, device_id: server['id'], device_owner: 'compute:nova' } }, stranger);
  t.is(fake.status, 201);
  const shown = (await d.show(server['id'], {})).body.server;
  t.is((shown['addresses'] as Body)['shared'].length, 1, 'only the port compute made');
  await d.request('DELETE', `/v2.1/servers/${server['id']}`);
  await waitFor(async () => (await net('GET', `/ports?device_id=${server['id']}`, undefined, admin)).body['ports'].length === 1, 20_000, "the server's own port freed");
  t.is((await net('GET', `/ports/${fake.body['port'].id}`, undefined, stranger)).body['port'].device_id, server['id'], "the stranger's port is untouched");
});

test.serial('servers - a batch whose ports cannot be made (no addresses left) goes to ERROR saying why, holding nothing', async (t) => {
  const tiny = (await net('POST', '/networks', { network: { name: 'tiny' } })).body['network'];
  await net('POST', '/subnets', { subnet: { network_id: tiny.id, ip_version: 4, cidr: '10.77.0.0/29' } }); // .2 - .6: five addresses
  const boot = async (name: string) => {
    const res = await d.boot({ name, networks: [{ uuid: tiny.id }], min_count: 3, max_count: 3, return_reservation_id: true }, {}, {}, v237);
    let servers: Body[] = [];
    await waitFor(async () => {
      servers = (await d.request<Body>('GET', `/v2.1/servers/detail?reservation_id=${String(res.body.reservation_id)}`)).body['servers'] as Body[];
      return servers.length === 3 && servers.every((s) => s['status'] === 'ACTIVE' || s['status'] === 'ERROR');
    }, 20_000, `${name} settled`);
    return servers;
  };
  const first = await boot('fits');
  t.deepEqual(first.map((s) => s['status']), ['ACTIVE', 'ACTIVE', 'ACTIVE']);
  const second = await boot('does-not-fit');
  t.deepEqual(second.map((s) => s['status']), ['ERROR', 'ERROR', 'ERROR']);
  t.regex(String(second[0]?.['fault']?.message), /aborted: Failed to allocate the network\(s\), not rescheduling/);
  const detail = (await d.show(String(second[0]?.['id']))).body.server['fault'] as Body;
  t.regex(String(detail['details']), /No more IP addresses available/, 'an admin sees why');
  for (const s of second) t.deepEqual(s['addresses'], {});
  t.is((await net('GET', `/ports?network_id=${tiny.id}`)).body['ports'].length, 3, 'only the first batch holds ports');
});

test.serial('servers - a floating IP associated with a server\'s port shows in its addresses as floating, and is let go when the server goes', async (t) => {
  const ext = (await net('POST', '/networks', { network: { name: 'public', 'router:external': true } }, admin)).body['network'];
  await net('POST', '/subnets', { subnet: { network_id: ext.id, ip_version: 4, cidr: '203.0.113.0/24' } }, admin);
  const router = (await net('POST', '/routers', { router: { name: 'edge', external_gateway_info: { network_id: ext.id } } }, admin)).body['router'];
  t.is((await net('PUT', `/routers/${router.id}/add_router_interface`, { subnet_id: sharedSubnet }, admin)).status, 200);
  const beside = await bootActive({ name: 'auto-beside-external', networks: 'auto' }, admin);
  t.deepEqual(Object.keys(beside['addresses'] as object), ['shared'], "'auto' never picks an external network");
  const server = await bootActive({ name: 'public-face', networks: [{ uuid: shared }] });
  const port = (await net('GET', `/ports?device_id=${server['id']}`)).body['ports'][0];
  const fip = (await net('POST', '/floatingips', { floatingip: { floating_network_id: ext.id, port_id: port.id } })).body['floatingip'];
  t.is(fip.status, 'ACTIVE');
  const addresses = ((await d.show(server['id'], {})).body.server['addresses'] as Body)['shared'] as Body[];
  t.deepEqual(addresses.map((a) => a['OS-EXT-IPS:type']), ['fixed', 'floating']);
  t.is(addresses[1]?.['addr'], fip.floating_ip_address);
  await d.request('DELETE', `/v2.1/servers/${server['id']}`);
  await waitFor(async () => (await net('GET', `/floatingips/${fip.id}`)).body['floatingip'].port_id === null, 20_000, 'the floating IP let go');
  t.is((await net('GET', `/floatingips/${fip.id}`)).body['floatingip'].status, 'DOWN', 'and kept by its project');
});
