import test from 'ava';
import { TestDeployment, type Caller } from '../../../ops/testing/index.js';

let d: TestDeployment;
const apiLog: string[] = [];
test.before(async () => {
  d = await TestDeployment.start({ cells: [], apiLog });
});
test.after.always(() => d?.stop());
// A 500 fails its test; the API's own line says why.
test.afterEach.always((t) => {
  if (!t.passed) console.error(apiLog.filter((l) => l.includes('"level":"error"')).join('\n'));
});

type Body = Record<string, any>;
const admin: Caller = { user: 'admin', project: 'admin-project', roles: 'admin' };
const other: Caller = { user: 'u2', project: 'p2' };
const reader: Caller = { user: 'u3', project: 'p1', roles: 'reader' };
const net = (method: string, path: string, body?: unknown, caller: Caller = {}) => d.request<Body>(method, `/network/v2.0${path}`, body, caller);

async function network(body: Body = {}, caller: Caller = {}): Promise<Body> {
  const res = await net('POST', '/networks', { network: { name: 'n', ...body } }, caller);
  if (res.status !== 201) throw new Error(`network create: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body['network'] as Body;
}
async function subnet(networkId: string, body: Body = {}, caller: Caller = {}): Promise<Body> {
  const res = await net('POST', '/subnets', { subnet: { network_id: networkId, ip_version: 4, cidr: '10.0.0.0/24', ...body } }, caller);
  if (res.status !== 201) throw new Error(`subnet create: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body['subnet'] as Body;
}

test('network - version document and extensions; errors are NeutronError bodies', async (t) => {
  const root = await d.request<Body>('GET', '/network');
  t.is(root.body['versions'][0].id, 'v2.0');
  const ext = await net('GET', '/extensions');
  t.true(ext.body['extensions'].some((e: Body) => e['alias'] === 'router'));
  t.is((await net('GET', '/extensions/security-group')).body['extension'].alias, 'security-group');
  const missing = await net('GET', '/networks/00000000-0000-4000-8000-000000000000');
  t.is(missing.status, 404);
  t.deepEqual(Object.keys(missing.body), ['NeutronError']);
  t.is(missing.body['NeutronError'].type, 'NetworkNotFound');
  const bad = await net('POST', '/networks', { network: { name: 'x', colour: 'blue' } });
  t.is(bad.status, 400);
  t.is(bad.body['NeutronError'].type, 'HTTPBadRequest');
  t.regex(bad.body['NeutronError'].message, /colour/);
  t.is((await net('GET', '/networks.json')).status, 200);
});

test('network - create, show, update, delete; shared and external are admin-only; others see only shared and external networks', async (t) => {
  const mine = await network({ name: 'mine', mtu: 1450 });
  t.like(mine, { name: 'mine', mtu: 1450, shared: false, 'router:external': false, admin_state_up: true, status: 'ACTIVE', project_id: 'p1', tenant_id: 'p1', subnets: [], revision_number: 1 });
  const refused = await net('POST', '/networks', { network: { name: 's', shared: true } });
  t.is(refused.status, 403);
  t.is(refused.body['NeutronError'].type, 'PolicyNotAuthorized');
  const shared = await network({ name: 'public', shared: true }, admin);
  const hidden = await network({ name: 'admin-private' }, admin);
  const seen = (await net('GET', '/networks', undefined, other)).body['networks'].map((n: Body) => n['id']);
  t.true(seen.includes(shared['id']));
  t.false(seen.includes(mine['id']));
  t.false(seen.includes(hidden['id']));
  t.is((await net('GET', `/networks/${mine['id']}`, undefined, other)).status, 404, "another project's network is not found, not forbidden");
  t.is((await net('PUT', `/networks/${shared['id']}`, { network: { name: 'mine now' } })).status, 403, 'a shared network is seen, not changed');
  t.is((await net('POST', '/networks', { network: { name: 'r' } }, reader)).status, 403, 'a reader makes nothing');
  const updated = await net('PUT', `/networks/${mine['id']}`, { network: { name: 'renamed', admin_state_up: false } });
  t.like(updated.body['network'], { name: 'renamed', admin_state_up: false, revision_number: 2 });
  t.is((await net('PUT', `/networks/${mine['id']}`, { network: {} })).status, 400);
  t.is((await net('DELETE', `/networks/${mine['id']}`)).status, 204);
  t.is((await net('GET', `/networks/${mine['id']}`)).status, 404);
});

test('network - lists filter by any attribute, sort, and page with limit and marker as Neutron does', async (t) => {
  const project: Caller = { user: 'lister', project: 'p-list' };
  for (const name of ['c', 'a', 'b', 'e', 'd']) await network({ name, mtu: name === 'a' ? 1400 : 1500 }, project);
  const all = await net('GET', '/networks?project_id=p-list&sort_key=name&sort_dir=asc', undefined, project);
  t.deepEqual(all.body['networks'].map((n: Body) => n['name']), ['a', 'b', 'c', 'd', 'e']);
  const desc = await net('GET', '/networks?project_id=p-list&sort_key=name&sort_dir=desc&fields=name&fields=id', undefined, project);
  t.deepEqual(desc.body['networks'].map((n: Body) => n['name']), ['e', 'd', 'c', 'b', 'a']);
  t.deepEqual(Object.keys(desc.body['networks'][0]).sort(), ['id', 'name']);
  const first = await net('GET', '/networks?project_id=p-list&sort_key=name&limit=2', undefined, project);
  t.deepEqual(first.body['networks'].map((n: Body) => n['name']), ['a', 'b']);
  const next = new URL(first.body['networks_links'].find((l: Body) => l['rel'] === 'next').href);
  const second = await net('GET', `/networks${next.search}`, undefined, project);
  t.deepEqual(second.body['networks'].map((n: Body) => n['name']), ['c', 'd']);
  const prev = new URL(second.body['networks_links'].find((l: Body) => l['rel'] === 'previous').href);
  t.deepEqual((await net('GET', `/networks${prev.search}`, undefined, project)).body['networks'].map((n: Body) => n['name']), ['a', 'b']);
  const filtered = await net('GET', '/networks?mtu=1400', undefined, project);
  t.deepEqual(filtered.body['networks'].map((n: Body) => n['name']), ['a']);
  t.deepEqual((await net('GET', '/networks?name=a&name=e&sort_key=name', undefined, project)).body['networks'].map((n: Body) => n['name']), ['a', 'e']);
  t.is((await net('GET', '/networks?sort_key=colour', undefined, project)).status, 400);
  t.is((await net('GET', '/networks?limit=-1', undefined, project)).status, 400);
});

test('subnet - IPv4 and IPv6 with their defaults; bad CIDRs, overlaps and pools are refused as Neutron refuses them', async (t) => {
  const n = await network({ name: 'dual' });
  const v4 = await subnet(n['id'], { cidr: '10.1.0.0/24', dns_nameservers: ['8.8.8.8'], host_routes: [{ destination: '192.168.0.0/16', nexthop: '10.1.0.254' }] });
  t.like(v4, { ip_version: 4, cidr: '10.1.0.0/24', gateway_ip: '10.1.0.1', enable_dhcp: true, dns_nameservers: ['8.8.8.8'] });
  t.deepEqual(v4['allocation_pools'], [{ start: '10.1.0.2', end: '10.1.0.254' }]);
  t.deepEqual(v4['host_routes'], [{ destination: '192.168.0.0/16', nexthop: '10.1.0.254' }]);
  const v6 = await subnet(n['id'], { ip_version: 6, cidr: '2001:DB8::/64', ipv6_address_mode: 'dhcpv6-stateful', ipv6_ra_mode: 'dhcpv6-stateful' });
  t.like(v6, { ip_version: 6, cidr: '2001:db8::/64', gateway_ip: '2001:db8::1' });
  t.deepEqual(v6['allocation_pools'], [{ start: '2001:db8::2', end: '2001:db8::ffff:ffff:ffff:ffff' }]);
  const shown = await net('GET', `/networks/${n['id']}`);
  t.deepEqual(([...shown.body['network'].subnets] as string[]).sort((a, b) => a.localeCompare(b)), [v4['id'] as string, v6['id'] as string].sort((a, b) => a.localeCompare(b)));
  const cases: [Body, RegExp][] = [
    [{ cidr: '10.1.0.128/25' }, /overlaps with another subnet/],
    [{ cidr: '10.2.0.1/24' }, /10\.2\.0\.0\/24' is recommended/],
    [{ cidr: 'ten/8' }, /not a valid IP subnet/],
    [{ cidr: '2001:db9::/64' }, /do not match/],
    [{ cidr: '10.3.0.0/24', allocation_pools: [{ start: '10.3.0.10', end: '10.3.1.5' }] }, /spans beyond/],
    [{ cidr: '10.4.0.0/24', allocation_pools: [{ start: '10.4.0.10', end: '10.4.0.20' }, { start: '10.4.0.15', end: '10.4.0.30' }] }, /overlapping allocation pools/],
    [{ cidr: '10.5.0.0/24', dns_nameservers: ['8.8.8.8', '8.8.8.8'] }, /Duplicate nameserver/],
    [{ cidr: undefined }, /subnetpool must be specified/],
  ];
  for (const [body, message] of cases) {
    const res = await net('POST', '/subnets', { subnet: { network_id: n['id'], ip_version: 4, cidr: '10.9.0.0/24', ...body } });
    t.is(res.status, 400, JSON.stringify(body));
    t.regex(res.body['NeutronError'].message, message);
  }
  const gwInPool = await net('POST', '/subnets', { subnet: { network_id: n['id'], ip_version: 4, cidr: '10.6.0.0/24', gateway_ip: '10.6.0.5', allocation_pools: [{ start: '10.6.0.2', end: '10.6.0.9' }] } });
  t.is(gwInPool.status, 409);
  t.is(gwInPool.body['NeutronError'].type, 'GatewayConflictWithAllocationPools');
  const shared = await network({ name: 'shared-for-subnets', shared: true }, admin);
  t.is((await net('POST', '/subnets', { subnet: { network_id: shared['id'], ip_version: 4, cidr: '10.7.0.0/24' } }, other)).status, 403, "only the network's owner adds subnets");
  const updated = await net('PUT', `/subnets/${v4['id']}`, { subnet: { name: 'v4', dns_nameservers: [], enable_dhcp: false } });
  t.like(updated.body['subnet'], { name: 'v4', dns_nameservers: [], enable_dhcp: false });
});

test('port - addresses from each IP version, MAC on the base prefix, default security group made on first use', async (t) => {
  const project: Caller = { user: 'pu', project: 'p-ports' };
  const n = await network({ name: 'ports' }, project);
  const v4 = await subnet(n['id'], { cidr: '10.20.0.0/29' }, project);
  const v6 = await subnet(n['id'], { ip_version: 6, cidr: 'fd00:20::/64' }, project);
  const made = await net('POST', '/ports', { port: { network_id: n['id'], name: 'p1', device_id: 'vm-1', device_owner: 'compute:nova' } }, project);
  t.is(made.status, 201);
  const port = made.body['port'];
  t.regex(port.mac_address, /^fa:16:3e(:[0-9a-f]{2}){3}$/);
  t.deepEqual(port.fixed_ips, [{ subnet_id: v4['id'], ip_address: '10.20.0.2' }, { subnet_id: v6['id'], ip_address: 'fd00:20::2' }]);
  t.is(port.security_groups.length, 1);
  const groups = await net('GET', '/security-groups', undefined, project);
  t.deepEqual(groups.body['security_groups'].map((g: Body) => g['name']), ['default']);
  t.is(groups.body['security_groups'][0].id, port.security_groups[0]);
  t.is(groups.body['security_groups'][0].security_group_rules.length, 4);
  t.false('binding:host_id' in port, 'the binding is for admins to see');

  const fixed = await net('POST', '/ports', { port: { network_id: n['id'], fixed_ips: [{ ip_address: '10.20.0.6' }] } }, project);
  t.deepEqual(fixed.body['port'].fixed_ips, [{ subnet_id: v4['id'], ip_address: '10.20.0.6' }]);
  const again = await net('POST', '/ports', { port: { network_id: n['id'], fixed_ips: [{ ip_address: '10.20.0.6' }] } }, project);
  t.is(again.status, 409);
  t.is(again.body['NeutronError'].type, 'IpAddressAlreadyAllocated');
  const outside = await net('POST', '/ports', { port: { network_id: n['id'], fixed_ips: [{ ip_address: '10.99.0.6' }] } }, project);
  t.is(outside.status, 400);
  // The /29 pool is .2-.6: .2 and .6 are taken, three left, then it is full.
  const bulk = await net('POST', '/ports', { ports: [1, 2, 3].map(() => ({ network_id: n['id'], fixed_ips: [{ subnet_id: v4['id'] }] })) }, project);
  t.is(bulk.status, 201);
  t.deepEqual(bulk.body['ports'].map((p: Body) => p['fixed_ips'][0].ip_address).sort(), ['10.20.0.3', '10.20.0.4', '10.20.0.5']);
  const full = await net('POST', '/ports', { port: { network_id: n['id'], fixed_ips: [{ subnet_id: v4['id'] }] } }, project);
  t.is(full.status, 409);
  t.is(full.body['NeutronError'].type, 'IpAddressGenerationFailure');

  const byIp = await net('GET', '/ports?fixed_ips=ip_address%3D10.20.0.6', undefined, project);
  t.deepEqual(byIp.body['ports'].map((p: Body) => p['id']), [fixed.body['port'].id]);
  t.is((await net('GET', '/ports?device_id=vm-1', undefined, project)).body['ports'].length, 1);
  t.is((await net('GET', `/ports/${port.id}`, undefined, other)).status, 404);
  const bound = await net('PUT', `/ports/${port.id}`, { port: { 'binding:host_id': 'host-1' } }, admin);
  t.like(bound.body['port'], { 'binding:host_id': 'host-1', status: 'ACTIVE', 'binding:vif_type': 'bridge' });
  t.is((await net('PUT', `/ports/${port.id}`, { port: { 'binding:host_id': 'host-2' } }, project)).status, 403);
  t.is((await net('DELETE', `/ports/${fixed.body['port'].id}`, undefined, project)).status, 204);
  const reused = await net('POST', '/ports', { port: { network_id: n['id'], fixed_ips: [{ subnet_id: v4['id'] }] } }, project);
  t.is(reused.body['port'].fixed_ips[0].ip_address, '10.20.0.6', 'a freed address is handed out again');
  t.is((await net('DELETE', `/networks/${n['id']}`, undefined, project)).body['NeutronError'].type, 'NetworkInUse');
});

test('port - on a shared network anyone may plug in, but only the owner picks MACs and addresses; others cannot plug into private networks', async (t) => {
  const shared = await network({ name: 'shared-ports', shared: true }, admin);
  await subnet(shared['id'], { cidr: '10.30.0.0/24' }, admin);
  const plugged = await net('POST', '/ports', { port: { network_id: shared['id'] } }, other);
  t.is(plugged.status, 201);
  t.is(plugged.body['port'].project_id, 'p2');
  const mac = await net('POST', '/ports', { port: { network_id: shared['id'], mac_address: 'fa:16:3e:00:00:01' } }, other);
  t.is(mac.status, 403);
  const ip = await net('POST', '/ports', { port: { network_id: shared['id'], fixed_ips: [{ ip_address: '10.30.0.50' }] } }, other);
  t.is(ip.status, 403);
  const privateNet = await network({ name: 'private' }, admin);
  t.is((await net('POST', '/ports', { port: { network_id: privateNet['id'] } }, other)).status, 404);
  t.is((await net('POST', '/ports', { port: { network_id: shared['id'], security_groups: ['00000000-0000-4000-8000-000000000000'] } }, other)).body['NeutronError'].type, 'SecurityGroupNotFound');
});

test('security group - rules are checked, duplicates refused, the default group cannot be deleted, a group in use neither', async (t) => {
  const project: Caller = { user: 'sg', project: 'p-sg' };
  const made = await net('POST', '/security-groups', { security_group: { name: 'web', description: 'web servers' } }, project);
  t.is(made.status, 201);
  const group = made.body['security_group'];
  t.deepEqual(group.security_group_rules.map((r: Body) => `${r['direction']}/${r['ethertype']}`).sort(), ['egress/IPv4', 'egress/IPv6']);
  const rule = { security_group_id: group.id, direction: 'ingress', protocol: 'tcp', port_range_min: 80, port_range_max: 80, remote_ip_prefix: '0.0.0.0/0' };
  const created = await net('POST', '/security-group-rules', { security_group_rule: rule }, project);
  t.is(created.status, 201);
  t.like(created.body['security_group_rule'], { ethertype: 'IPv4', protocol: 'tcp', port_range_min: 80 });
  t.is((await net('POST', '/security-group-rules', { security_group_rule: rule }, project)).body['NeutronError'].type, 'SecurityGroupRuleExists');
  const bad: [Body, string][] = [
    [{ protocol: 'tcp', port_range_min: 90, port_range_max: 80 }, 'SecurityGroupInvalidPortRange'],
    [{ protocol: 'bogus' }, 'SecurityGroupRuleInvalidProtocol'],
    [{ port_range_min: 22, port_range_max: 22 }, 'SecurityGroupProtocolRequiredWithPorts'],
    [{ ethertype: 'IPv6', remote_ip_prefix: '10.0.0.0/8' }, 'SecurityGroupRuleParameterConflict'],
  ];
  for (const [extra, type] of bad) {
    const res = await net('POST', '/security-group-rules', { security_group_rule: { security_group_id: group.id, direction: 'ingress', ...extra } }, project);
    t.is(res.status, 400, type);
    t.is(res.body['NeutronError'].type, type);
  }
  t.is((await net('POST', '/security-group-rules', { security_group_rule: { ...rule, port_range_min: 443, port_range_max: 443 } }, other)).status, 404, "another project's group is not found");
  const listed = await net('GET', `/security-group-rules?security_group_id=${group.id}&direction=ingress`, undefined, project);
  t.is(listed.body['security_group_rules'].length, 1);
  const def = (await net('GET', '/security-groups?name=default', undefined, project)).body['security_groups'][0];
  t.is((await net('DELETE', `/security-groups/${def.id}`, undefined, project)).body['NeutronError'].type, 'SecurityGroupCannotRemoveDefault');
  const n = await network({ name: 'sg-net' }, project);
  await subnet(n['id'], { cidr: '10.40.0.0/24' }, project);
  const port = await net('POST', '/ports', { port: { network_id: n['id'], security_groups: [group.id] } }, project);
  t.deepEqual(port.body['port'].security_groups, [group.id]);
  t.is((await net('DELETE', `/security-groups/${group.id}`, undefined, project)).body['NeutronError'].type, 'SecurityGroupInUse');
  await net('DELETE', `/ports/${port.body['port'].id}`, undefined, project);
  t.is((await net('DELETE', `/security-groups/${group.id}`, undefined, project)).status, 204);
  t.is((await net('DELETE', `/security-group-rules/${created.body['security_group_rule'].id}`, undefined, project)).status, 404, 'its rules went with it');
});

test('floating ip - from an external network, associated through a router to a port, disassociated, and released', async (t) => {
  const project: Caller = { user: 'fip', project: 'p-fip' };
  const ext = await network({ name: 'public', 'router:external': true }, admin);
  const extSubnet = await subnet(ext['id'], { cidr: '203.0.113.0/28' }, admin);
  t.is((await net('GET', `/networks/${ext['id']}`, undefined, project)).status, 200, 'an external network is seen by all');
  const n = await network({ name: 'inside' }, project);
  const inside = await subnet(n['id'], { cidr: '10.50.0.0/24' }, project);
  const port = (await net('POST', '/ports', { port: { network_id: n['id'] } }, project)).body['port'];
  const internalFip = await net('POST', '/floatingips', { floatingip: { floating_network_id: n['id'] } }, project);
  t.is(internalFip.status, 400);
  const made = await net('POST', '/floatingips', { floatingip: { floating_network_id: ext['id'] } }, project);
  t.is(made.status, 201);
  const fip = made.body['floatingip'];
  t.like(fip, { status: 'DOWN', port_id: null, project_id: 'p-fip' });
  t.regex(fip.floating_ip_address, /^203\.0\.113\./);
  const unreachable = await net('PUT', `/floatingips/${fip.id}`, { floatingip: { port_id: port.id } }, project);
  t.is(unreachable.status, 404);
  t.is(unreachable.body['NeutronError'].type, 'ExternalGatewayForFloatingIPNotFound');
  const router = (await net('POST', '/routers', { router: { name: 'r1', external_gateway_info: { network_id: ext['id'] } } }, project)).body['router'];
  t.is(router.external_gateway_info.network_id, ext['id']);
  t.is(router.external_gateway_info.external_fixed_ips[0].subnet_id, extSubnet['id']);
  const iface = await net('PUT', `/routers/${router.id}/add_router_interface`, { subnet_id: inside['id'] }, project);
  t.is(iface.status, 200);
  t.is(iface.body['subnet_id'], inside['id']);
  const ifacePort = (await net('GET', `/ports/${iface.body['port_id']}`, undefined, project)).body['port'];
  t.like(ifacePort, { device_owner: 'network:router_interface', device_id: router.id });
  t.is(ifacePort.fixed_ips[0].ip_address, '10.50.0.1', 'the interface takes the gateway address');
  const associated = await net('PUT', `/floatingips/${fip.id}`, { floatingip: { port_id: port.id } }, project);
  t.like(associated.body['floatingip'], { port_id: port.id, fixed_ip_address: port.fixed_ips[0].ip_address, router_id: router.id, status: 'ACTIVE' });
  t.is(associated.body['floatingip'].port_details.device_id, '');
  t.is((await net('PUT', `/routers/${router.id}/remove_router_interface`, { subnet_id: inside['id'] }, project)).body['NeutronError'].type, 'RouterInterfaceInUseByFloatingIP');
  t.is((await net('DELETE', `/routers/${router.id}`, undefined, project)).body['NeutronError'].type, 'RouterInUse');
  const gone = await net('PUT', `/floatingips/${fip.id}`, { floatingip: { port_id: null } }, project);
  t.like(gone.body['floatingip'], { port_id: null, fixed_ip_address: null, status: 'DOWN' });
  t.is((await net('GET', `/floatingips/${fip.id}`, undefined, other)).status, 404);
  t.is((await net('DELETE', `/floatingips/${fip.id}`, undefined, project)).status, 204);
  t.is((await net('PUT', `/routers/${router.id}/remove_router_interface`, { subnet_id: inside['id'] }, project)).status, 200);
  t.is((await net('DELETE', `/routers/${router.id}`, undefined, project)).status, 204);
  const left = await net('GET', `/ports?network_id=${ext['id']}`, undefined, admin);
  t.deepEqual(left.body['ports'], [], 'the gateway and floating IP ports are freed');
});

test('quotas - defaults, admin-set limits enforced with OverQuota, usage in details', async (t) => {
  const project: Caller = { user: 'q', project: 'p-quota' };
  const defaults = await net('GET', '/quotas/p-quota', undefined, project);
  t.like(defaults.body['quota'], { network: 100, subnet: 100, port: 500, security_group: 10, floatingip: 50, router: 10 });
  t.is((await net('PUT', '/quotas/p-quota', { quota: { network: 1 } }, project)).status, 403);
  t.is((await net('PUT', '/quotas/p-quota', { quota: { network: 1, port: 2 } }, admin)).body['quota'].network, 1);
  t.is((await net('PUT', '/quotas/p-quota', { quota: { colour: 1 } }, admin)).status, 400);
  const n = await network({ name: 'q1' }, project);
  const over = await net('POST', '/networks', { network: { name: 'q2' } }, project);
  t.is(over.status, 409);
  t.is(over.body['NeutronError'].type, 'OverQuota');
  await subnet(n['id'], { cidr: '10.60.0.0/24' }, project);
  const ports = await net('POST', '/ports', { ports: [1, 2, 3].map(() => ({ network_id: n['id'] })) }, project);
  t.is(ports.status, 409, 'a batch past the port quota makes none of its ports');
  t.is((await net('GET', `/ports?network_id=${n['id']}`, undefined, project)).body['ports'].length, 0);
  const details = await net('GET', '/quotas/p-quota/details', undefined, project);
  t.deepEqual(details.body['quota'].network, { limit: 1, used: 1, reserved: 0 });
  t.is((await net('GET', '/quotas/p-quota', undefined, other)).status, 403);
  t.is((await net('DELETE', '/quotas/p-quota', undefined, admin)).status, 204);
  t.is((await net('GET', '/quotas/p-quota', undefined, project)).body['quota'].network, 100);
});

test('port - fixed_ips update keeps the addresses asked for again, takes new ones, gives the rest back', async (t) => {
  const project: Caller = { user: 'fx', project: 'p-fixed' };
  const n = await network({ name: 'fixed' }, project);
  const s = await subnet(n['id'], { cidr: '10.80.0.0/24' }, project);
  const port = (await net('POST', '/ports', { port: { network_id: n['id'], fixed_ips: [{ ip_address: '10.80.0.10' }] } }, project)).body['port'];
  const more = await net('PUT', `/ports/${port.id}`, { port: { fixed_ips: [{ ip_address: '10.80.0.10' }, { subnet_id: s['id'] }, { ip_address: '10.80.0.20' }] } }, project);
  t.is(more.status, 200);
  t.deepEqual(more.body['port'].fixed_ips.map((f: Body) => f['ip_address']).sort(), ['10.80.0.10', '10.80.0.2', '10.80.0.20']);
  t.is(more.body['port'].revision_number, 2);
  const other = (await net('POST', '/ports', { port: { network_id: n['id'] } }, project)).body['port'];
  t.is((await net('PUT', `/ports/${other.id}`, { port: { fixed_ips: [{ ip_address: '10.80.0.20' }] } }, project)).body['NeutronError'].type, 'IpAddressAlreadyAllocated');
  const fewer = await net('PUT', `/ports/${port.id}`, { port: { fixed_ips: [{ ip_address: '10.80.0.20' }] } }, project);
  t.deepEqual(fewer.body['port'].fixed_ips, [{ subnet_id: s['id'], ip_address: '10.80.0.20' }]);
  const reuse = await net('PUT', `/ports/${other.id}`, { port: { fixed_ips: [{ ip_address: '10.80.0.10' }] } }, project);
  t.deepEqual(reuse.body['port'].fixed_ips, [{ subnet_id: s['id'], ip_address: '10.80.0.10' }], 'an address given back is free again');
});
