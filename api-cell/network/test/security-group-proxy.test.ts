import test from 'ava';
import { TestDeployment } from '../../../ops/testing/index.js';

// Nova's os-security-groups and os-security-group-rules (until 2.36), over the network service.
let d: TestDeployment;
type Body = Record<string, any>;
const nova = (method: string, path: string, body?: unknown) => d.request<Body>(method, `/v2.1${path}`, body);
const net = (method: string, path: string, body?: unknown) => d.request<Body>(method, `/network/v2.0${path}`, body);

test.before(async () => {
  d = await TestDeployment.start({ cells: [{ name: 'one', pools: [{ prefix: 'sg', hosts: 1 }] }] });
  await d.quota('p1', { instances: -1, cores: -1, ram: -1 });
});
test.after.always(() => d?.stop());

test.serial('os-security-groups - create, rename, rules from a CIDR and from a group, delete; the network API sees the same groups', async (t) => {
  const created = await nova('POST', '/os-security-groups', { security_group: { name: ' web ', description: 'front ends' } });
  t.is(created.status, 200);
  const web = created.body['security_group'];
  t.like(web, { name: ' web ', description: 'front ends', tenant_id: 'p1', rules: [] });
  t.is((await net('GET', `/security-groups/${String(web.id)}`)).body['security_group'].name, ' web ', 'it is a group of the network service');
  t.is((await nova('POST', '/os-security-groups', { security_group: { name: ' web ', description: 'again' } })).status, 400, 'a second group of that name');
  t.is((await nova('POST', '/os-security-groups', { security_group: { name: '   ', description: 'x' } })).status, 400, 'a blank name');
  t.is((await nova('POST', '/os-security-groups', { security_group: { name: 'x'.repeat(256), description: 'x' } })).status, 400, 'a name over 255');

  const ssh = await nova('POST', '/os-security-group-rules', { security_group_rule: { parent_group_id: web.id, ip_protocol: 'tcp', from_port: 22, to_port: 22, cidr: '10.2.3.124/24' } });
  t.is(ssh.status, 200);
  t.like(ssh.body['security_group_rule'], { parent_group_id: web.id, ip_protocol: 'tcp', from_port: 22, to_port: 22, ip_range: { cidr: '10.2.3.124/24' }, group: {} });
  const db = (await nova('POST', '/os-security-groups', { security_group: { name: 'db', description: 'databases' } })).body['security_group'];
  const fromWeb = await nova('POST', '/os-security-group-rules', { security_group_rule: { parent_group_id: db.id, ip_protocol: 'tcp', from_port: 5432, to_port: 5432, group_id: web.id } });
  t.like(fromWeb.body['security_group_rule'], { ip_range: {}, group: { name: ' web ', tenant_id: 'p1' } });
  t.is((await nova('POST', '/os-security-group-rules', { security_group_rule: { parent_group_id: web.id, ip_protocol: 'tcp', from_port: 22, to_port: 22, cidr: '10.2.3.124/24' } })).status, 400, 'the same rule again');
  for (const bad of [{ ip_protocol: 'abc', from_port: 1, to_port: 2 }, { ip_protocol: 'tcp', from_port: 'abc', to_port: 2 }, { ip_protocol: 'tcp', from_port: 30, to_port: 20 }]) {
    t.is((await nova('POST', '/os-security-group-rules', { security_group_rule: { parent_group_id: web.id, ...bad } })).status, 400, JSON.stringify(bad));
  }
  t.is((await nova('POST', '/os-security-group-rules', { security_group_rule: { parent_group_id: '6a6f5f8d-3b3c-4c55-9d4f-0d9a3c1a9e11', ip_protocol: 'tcp', from_port: 1, to_port: 2 } })).status, 404);

  const renamed = await nova('PUT', `/os-security-groups/${String(web.id)}`, { security_group: { name: 'www', description: 'renamed' } });
  t.like(renamed.body['security_group'], { name: 'www', description: 'renamed' });
  const fallback = (await nova('GET', '/os-security-groups')).body['security_groups'] as Body[];
  const defaultGroup = fallback.find((g) => g['name'] === 'default');
  t.is((await nova('DELETE', `/os-security-groups/${String(defaultGroup?.['id'])}`)).status, 400, 'the default group stays');
  t.is((await nova('DELETE', `/os-security-group-rules/${String(ssh.body['security_group_rule'].id)}`)).status, 202);
  t.is((await nova('DELETE', `/os-security-groups/${String(web.id)}`)).status, 202);
  const left = (await nova('GET', `/os-security-groups/${String(db.id)}`)).body['security_group'];
  t.deepEqual(left.rules, [], 'the rule letting the deleted group in went with it');
  t.is((await nova('GET', `/os-security-groups/${String(web.id)}`)).status, 404);
  t.is((await nova('DELETE', '/os-security-groups')).status, 404, 'a delete naming no group');
  t.is((await d.request('GET', '/v2.1/os-security-groups', undefined, {}, { 'openstack-api-version': 'compute 2.36' })).status, 404, 'gone from 2.36');
});

test.serial("os-security-groups - a server's groups are the groups of its ports", async (t) => {
  const res = await d.boot({ name: 'guarded', networks: 'auto' }, {}, {}, { 'openstack-api-version': 'compute 2.37' });
  t.is(res.status, 202);
  const id = res.body.server.id;
  await d.waitForStatus(id, ['ACTIVE']);
  const groups = (await nova('GET', `/servers/${id}/os-security-groups`)).body['security_groups'] as Body[];
  t.deepEqual(groups.map((g) => g['name']), ['default']);
});
