import test from 'ava';
import { LaunchedDeployment } from './openstack.js';

// Debian's python3-openstackclient, unmodified, against the network service of a deployment
// brought up by the launcher, with only its clouds.yaml.
const deployment = new LaunchedDeployment();
const osc = <T = Record<string, any>>(...args: string[]) => deployment.cli.json<T>(...args);
const quiet = (...args: string[]) => deployment.cli.quiet(...args);
const run = (args: string[]) => deployment.cli.run(args);

test.before(() => deployment.up('net', 1, 1));
test.after.always(() => deployment.down());

test.serial('openstack - server create without --nic lands on the shared network deploy up made, with an address; server add/remove security group; delete frees its port', async (t) => {
  const server = await osc('server', 'create', '--flavor', 'm1.tiny', '--image', 'cirros-0.6.2-x86_64-disk', '--wait', 'with-address');
  t.is(server['status'], 'ACTIVE');
  const shown = await osc('server', 'show', '-c', 'addresses', 'with-address');
  t.regex(JSON.stringify(shown['addresses']), /shared.*10\.100\.\d+\.\d+/);
  const ports = await osc<{ ID: string }[]>('port', 'list', '--server', 'with-address');
  t.is(ports.length, 1);
  await osc('security', 'group', 'create', 'sshers');
  await quiet('server', 'add', 'security', 'group', 'with-address', 'sshers');
  t.regex(JSON.stringify((await osc('server', 'show', '-c', 'security_groups', 'with-address'))['security_groups']), /default.*sshers/);
  await quiet('server', 'remove', 'security', 'group', 'with-address', 'sshers');
  await quiet('security', 'group', 'delete', 'sshers');
  await quiet('server', 'delete', '--wait', 'with-address');
  t.deepEqual(await osc<unknown[]>('port', 'list', '--device-id', String(server['id'])), []);
});

test.serial('openstack - network, subnet (IPv4 and IPv6) and port create, list, show, set and delete', async (t) => {
  const network = await osc('network', 'create', '--mtu', '1450', 'net1');
  t.like(network, { name: 'net1', mtu: 1450, status: 'ACTIVE', shared: false, admin_state_up: true });
  const v4 = await osc('subnet', 'create', '--network', 'net1', '--subnet-range', '10.10.0.0/24', '--dns-nameserver', '8.8.8.8',
    '--allocation-pool', 'start=10.10.0.10,end=10.10.0.100', '--host-route', 'destination=192.168.0.0/16,gateway=10.10.0.254', 'sub1');
  t.like(v4, { cidr: '10.10.0.0/24', gateway_ip: '10.10.0.1', ip_version: 4, enable_dhcp: true });
  t.deepEqual(v4['allocation_pools'], [{ start: '10.10.0.10', end: '10.10.0.100' }]);
  const v6 = await osc('subnet', 'create', '--network', 'net1', '--ip-version', '6', '--subnet-range', 'fd00:10::/64', '--ipv6-address-mode', 'dhcpv6-stateful', 'sub6');
  t.like(v6, { cidr: 'fd00:10::/64', ip_version: 6 });
  const port = await osc('port', 'create', '--network', 'net1', '--fixed-ip', 'subnet=sub1,ip-address=10.10.0.50', 'port1');
  t.deepEqual(port['fixed_ips'], [{ subnet_id: v4['id'], ip_address: '10.10.0.50' }]);
  t.regex(port['mac_address'], /^fa:16:3e:/);
  const any = await osc('port', 'create', '--network', 'net1', 'port2');
  t.deepEqual(any['fixed_ips'].map((f: { ip_address: string }) => f.ip_address), ['10.10.0.10', 'fd00:10::2']);
  const ports = await osc<{ Name: string; 'Fixed IP Addresses': unknown }[]>('port', 'list', '--network', 'net1');
  t.deepEqual(ports.map((p) => p.Name).sort(), ['port1', 'port2']);
  t.is((await osc<unknown[]>('port', 'list', '--fixed-ip', 'ip-address=10.10.0.50')).length, 1);
  await quiet('port', 'set', '--name', 'port1b', '--description', 'renamed', 'port1');
  t.like(await osc('port', 'show', 'port1b'), { description: 'renamed' });
  const nets = await osc<{ Name: string; Subnets: string[] }[]>('network', 'list');
  t.deepEqual(nets.find((n) => n.Name === 'net1')?.Subnets.length, 2);
  await quiet('network', 'set', '--name', 'net1b', 'net1');
  const busy = await run(['network', 'delete', 'net1b']);
  t.not(busy.code, 0, 'a network with ports is not deleted');
  await quiet('port', 'delete', 'port1b', 'port2');
  await quiet('subnet', 'delete', 'sub6');
  await quiet('network', 'delete', 'net1b');
  t.false((await osc<{ Name: string }[]>('network', 'list')).some((n) => n.Name === 'net1b'));
});

test.serial('openstack - security group and rule create, list, show, delete; a port takes a group', async (t) => {
  const group = await osc('security', 'group', 'create', '--description', 'web servers', 'web');
  t.like(group, { name: 'web', description: 'web servers' });
  const rule = await osc('security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port', '22', '--remote-ip', '10.0.0.0/8', 'web');
  t.like(rule, { protocol: 'tcp', port_range_min: 22, port_range_max: 22, direction: 'ingress', ether_type: 'IPv4', remote_ip_prefix: '10.0.0.0/8' });
  const icmp = await osc('security', 'group', 'rule', 'create', '--protocol', 'icmp', 'web');
  t.is(icmp['protocol'], 'icmp');
  const rules = await osc<{ ID: string }[]>('security', 'group', 'rule', 'list', 'web');
  t.is(rules.length, 4, 'two egress rules, the two made');
  const groups = await osc<{ Name: string }[]>('security', 'group', 'list');
  t.deepEqual(groups.map((g) => g.Name).sort(), ['default', 'web']);
  await osc('network', 'create', 'sgnet');
  await osc('subnet', 'create', '--network', 'sgnet', '--subnet-range', '10.20.0.0/24', 'sgsub');
  const port = await osc('port', 'create', '--network', 'sgnet', '--security-group', 'web', 'sgport');
  t.deepEqual(port['security_group_ids'] ?? port['security_groups'], [group['id']]);
  await quiet('security', 'group', 'rule', 'delete', String(icmp['id']));
  t.is((await osc<unknown[]>('security', 'group', 'rule', 'list', 'web')).length, 3);
  const inUse = await run(['security', 'group', 'delete', 'web']);
  t.not(inUse.code, 0, 'a group a port uses is not deleted');
  await quiet('port', 'delete', 'sgport');
  await quiet('security', 'group', 'delete', 'web');
});

test.serial('openstack - router with an external gateway and an interface; floating ip create, set --port, unset, delete', async (t) => {
  await osc('network', 'create', '--external', '--share', 'public');
  await osc('subnet', 'create', '--network', 'public', '--subnet-range', '203.0.113.0/24', '--no-dhcp', 'public-sub');
  await osc('network', 'create', 'inside');
  await osc('subnet', 'create', '--network', 'inside', '--subnet-range', '10.30.0.0/24', 'inside-sub');
  const router = await osc('router', 'create', 'r1');
  await quiet('router', 'set', '--external-gateway', 'public', 'r1');
  await quiet('router', 'add', 'subnet', 'r1', 'inside-sub');
  t.regex(JSON.stringify((await osc('router', 'show', 'r1'))['external_gateway_info']), /203\.0\.113\./);
  const port = await osc('port', 'create', '--network', 'inside', 'vm-port');
  const fip = await osc('floating', 'ip', 'create', 'public');
  t.regex(fip['floating_ip_address'], /^203\.0\.113\./);
  await quiet('floating', 'ip', 'set', '--port', 'vm-port', fip['floating_ip_address']);
  const associated = await osc('floating', 'ip', 'show', fip['floating_ip_address']);
  t.like(associated, { port_id: port['id'], fixed_ip_address: port['fixed_ips'][0].ip_address, router_id: router['id'], status: 'ACTIVE' });
  const listed = await osc<{ 'Floating IP Address': string; Port: string }[]>('floating', 'ip', 'list');
  t.deepEqual(listed.map((f) => [f['Floating IP Address'], f.Port]), [[fip['floating_ip_address'], port['id']]]);
  await quiet('floating', 'ip', 'unset', '--port', fip['floating_ip_address']);
  t.is((await osc('floating', 'ip', 'show', fip['floating_ip_address']))['port_id'], null);
  await quiet('floating', 'ip', 'delete', fip['floating_ip_address']);
  await quiet('router', 'remove', 'subnet', 'r1', 'inside-sub');
  await quiet('router', 'unset', '--external-gateway', 'r1');
  await quiet('router', 'delete', 'r1');
  t.deepEqual(await osc<unknown[]>('router', 'list'), []);
});

test.serial('openstack - quota show and set cover the network quotas', async (t) => {
  await quiet('quota', 'set', '--networks', '7', '--ports', '70', 'admin');
  const quota = await osc<Record<string, unknown>>('quota', 'show', 'admin');
  t.like(quota, { networks: 7, ports: 70 });
});
