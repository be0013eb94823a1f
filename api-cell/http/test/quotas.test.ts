import test, { type ExecutionContext } from 'ava';
import { execute } from '../../../ops/runtime-db/index.js';
import { fault, TestDeployment, type Caller } from '../../../ops/testing/index.js';

let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({ cells: [{ name: 'one', pools: [{ prefix: 'h', hosts: 1 }] }] });
});
test.after.always(() => d?.stop());

type QuotaSet = Record<string, unknown>;
const v = (version: string) => ({ 'openstack-api-version': `compute ${version}` });
const admin: Caller = { user: 'admin', project: 'admin', roles: 'admin' };

const current = { instances: 10, cores: 20, ram: 51200, metadata_items: 128, key_pairs: 100, server_groups: 10, server_group_members: 10 };
const injected = { injected_files: 5, injected_file_content_bytes: 10240, injected_file_path_bytes: 255 };
const network = { fixed_ips: -1, floating_ips: -1, security_groups: -1, security_group_rules: -1 };

async function quotaSet(t: ExecutionContext, path: string, caller: Caller = {}, version = '2.1'): Promise<QuotaSet> {
  const res = await d.request<{ quota_set: QuotaSet }>('GET', path, undefined, caller, v(version));
  t.is(res.status, 200, JSON.stringify(res.body));
  return res.body.quota_set;
}

const put = (project: string, quota_set: Record<string, unknown>, version = '2.1', caller: Caller = admin) =>
  d.request<{ quota_set: QuotaSet }>('PUT', `/v2.1/os-quota-sets/${project}`, { quota_set }, caller, v(version));

test('quotas - show lists every resource below 2.36, drops the network ones at 2.36 and injected files at 2.57', async (t) => {
  const caller = { project: 'p-show' };
  t.deepEqual(await quotaSet(t, '/v2.1/os-quota-sets/p-show', caller), { id: 'p-show', ...current, ...injected, ...network });
  t.deepEqual(await quotaSet(t, '/v2.1/os-quota-sets/p-show', caller, '2.35'), { id: 'p-show', ...current, ...injected, ...network });
  t.deepEqual(await quotaSet(t, '/v2.1/os-quota-sets/p-show', caller, '2.36'), { id: 'p-show', ...current, ...injected });
  t.deepEqual(await quotaSet(t, '/v2.1/os-quota-sets/p-show', caller, '2.57'), { id: 'p-show', ...current });
});

test('quotas - a member or reader sees its own project only; defaults are for anyone', async (t) => {
  t.is((await quotaSet(t, '/v2.1/os-quota-sets/p1', { roles: 'reader' }))['id'], 'p1');
  fault(t, await d.request('GET', '/v2.1/os-quota-sets/p2'), 403, /os-quota-sets:show/);
  fault(t, await d.request('GET', '/v2.1/os-quota-sets/p2/detail'), 403, /os-quota-sets:detail/);
  t.is((await quotaSet(t, '/v2.1/os-quota-sets/p2', admin))['id'], 'p2');
  t.deepEqual(await quotaSet(t, '/v2.1/os-quota-sets/p2/defaults', {}, '2.57'), { id: 'p2', ...current });
  t.is((await d.request('GET', '/v2.1/os-quota-sets/p1?bogus=1', undefined, {}, v('2.74'))).status, 200);
  fault(t, await d.request('GET', '/v2.1/os-quota-sets/p1?bogus=1', undefined, {}, v('2.75')), 400);
});

test.serial('quotas - the default quota class changes every project without its own limits', async (t) => {
  await execute(d.api, "INSERT INTO quota_classes (class_name, resource, hard_limit) VALUES ('default', 'cores', 40)");
  try {
    t.is((await quotaSet(t, '/v2.1/os-quota-sets/p-class/defaults'))['cores'], 40);
    t.is((await quotaSet(t, '/v2.1/os-quota-sets/p-class', { project: 'p-class' }))['cores'], 40);
  } finally {
    await execute(d.api, "DELETE FROM quota_classes WHERE class_name = 'default'");
  }
});

test('quotas - only admins update, the answer has no id, and each microversion takes its own keys', async (t) => {
  fault(t, await put('p-up', { cores: 5 }, '2.1', {}), 403, /os-quota-sets:update/);
  const res = await put('p-up', { cores: 5, ram: '2048', instances: -1, floating_ips: 3 }, '2.1');
  t.is(res.status, 200, JSON.stringify(res.body));
  t.deepEqual(res.body.quota_set, { ...current, ...injected, ...network, cores: 5, ram: 2048, instances: -1, floating_ips: 3 });
  t.like(await quotaSet(t, '/v2.1/os-quota-sets/p-up', admin, '2.57'), { cores: 5, ram: 2048, instances: -1 });
  fault(t, await put('p-up', { floating_ips: 1 }, '2.36'), 400, /'floating_ips' was unexpected/);
  t.is((await put('p-up', { injected_files: 1 }, '2.56')).status, 200);
  fault(t, await put('p-up', { injected_files: 1 }, '2.57'), 400, /'injected_files' was unexpected/);
  fault(t, await put('p-up', { cores: -2 }), 400, /quota_set\/cores/);
  fault(t, await put('p-up', { cores: 'many' }), 400, /quota_set\/cores/);
  fault(t, await put('p-up', { cores: 1, force: 'maybe' }), 400, /quota_set\/force/);
  fault(t, await d.request('PUT', '/v2.1/os-quota-sets/p-up', { cores: 1 }, admin), 400, /'quota_set' is a required property/);
});

test.serial('quotas - per user: show, detail and update within what the project has left, delete back to the project’s', async (t) => {
  const path = (user: string) => `/v2.1/os-quota-sets/p-user?user_id=${user}`;
  t.like(await quotaSet(t, path('u1'), { project: 'p-user' }, '2.57'), { id: 'p-user', instances: 10, cores: 20 });
  const boot = await d.boot({ flavorRef: '2' }, { project: 'p-user', user: 'u1' });
  t.is(boot.status, 202);
  await d.waitForStatus(boot.body.server.id, ['ACTIVE']);
  const set = (user: string, quota_set: Record<string, unknown>) =>
    d.request<{ quota_set: QuotaSet }>('PUT', path(user), { quota_set }, admin, v('2.57'));
  const res = await set('u1', { instances: 3, cores: 5 });
  t.is(res.status, 200, JSON.stringify(res.body));
  t.deepEqual(res.body.quota_set, { ...current, instances: 3, cores: 5 });
  t.like(await quotaSet(t, path('u1'), admin, '2.57'), { instances: 3, cores: 5 });
  t.like(await quotaSet(t, '/v2.1/os-quota-sets/p-user', admin, '2.57'), { instances: 10, cores: 20 }, 'the project keeps its own');
  fault(t, await set('u2', { instances: 8 }), 400, /^Quota limit 8 for instances must be less than or equal to 7\.$/);
  fault(t, await set('u2', { instances: -1 }), 400, /less than or equal to 7/);
  t.is((await set('u2', { instances: 7 })).status, 200);
  fault(t, await set('u1', { instances: 0 }), 400, /already used and reserved 1\.$/);
  const detail = await quotaSet(t, `/v2.1/os-quota-sets/p-user/detail?user_id=u1`, admin, '2.57');
  t.deepEqual(detail['instances'], { in_use: 1, limit: 3, reserved: 0 });
  t.deepEqual(detail['cores'], { in_use: 1, limit: 5, reserved: 0 });
  t.deepEqual(detail['ram'], { in_use: 2048, limit: 51200, reserved: 0 });
  const over = await d.boot({ flavorRef: '2', min_count: 3 }, { project: 'p-user', user: 'u1' });
  fault(t, over, 403, /^Quota exceeded for instances: Requested 3, but already used 1 of 3 instances$/);
  const trimmed = await d.boot({ flavorRef: '2', min_count: 1, max_count: 5, return_reservation_id: true }, { project: 'p-user', user: 'u1' });
  t.is(trimmed.status, 202, 'as many as fit the user’s quota');
  const after = await quotaSet(t, '/v2.1/os-quota-sets/p-user/detail?user_id=u1', admin, '2.57');
  t.is((after['instances'] as { in_use: number }).in_use, 3);
  t.is((await d.boot({ flavorRef: '2' }, { project: 'p-user', user: 'u3' })).status, 202, 'a user without quotas of its own is held to the project’s');
  t.is((await d.request('DELETE', path('u1'), undefined, admin)).status, 202);
  t.like(await quotaSet(t, path('u1'), admin, '2.57'), { instances: 10, cores: 20 });
  t.like(await quotaSet(t, path('u2'), admin, '2.57'), { instances: 7 }, 'another user keeps its own');
});

test.serial('quotas - a limit below what is in use is refused unless forced', async (t) => {
  const caller = { project: 'p-use' };
  t.is((await d.boot({ flavorRef: '2' }, caller)).status, 202);
  const res = await put('p-use', { cores: 0 });
  fault(t, res, 400, /^Quota limit 0 for cores must be greater than or equal to already used and reserved 1\.$/);
  t.is((await put('p-use', { instances: 1, cores: -1 })).status, 200, 'the usage itself and unlimited are fine');
  const forced = await put('p-use', { cores: 0, force: 'True' });
  t.is(forced.status, 200, JSON.stringify(forced.body));
  t.is(forced.body.quota_set['cores'], 0);
});

test.serial('quotas - a quota set with PUT holds from the next boot, over quota is a 403, DELETE goes back to defaults', async (t) => {
  const caller = { project: 'p-enf' };
  t.is((await d.boot({}, caller)).status, 202, 'the first boot also reads (and caches) the limits');
  t.is((await put('p-enf', { instances: 1 })).status, 200);
  fault(t, await d.boot({}, caller), 403, /^Quota exceeded for instances: Requested 1, but already used 1 of 1 instances$/);
  fault(t, await d.request('DELETE', '/v2.1/os-quota-sets/p-enf', undefined, { project: 'p-enf' }), 403, /os-quota-sets:delete/);
  const reverted = await d.request('DELETE', '/v2.1/os-quota-sets/p-enf', undefined, admin);
  t.is(reverted.status, 202);
  t.deepEqual(reverted.body, {});
  t.is((await quotaSet(t, '/v2.1/os-quota-sets/p-enf', caller))['instances'], 10);
  t.is((await d.boot({}, caller)).status, 202, 'back on the default of 10 instances');
});

test.serial('quotas - detail shows in_use, limit and reserved per resource', async (t) => {
  const caller = { project: 'p-detail' };
  t.is((await d.boot({ flavorRef: '2', min_count: 2 }, caller)).status, 202);
  const group = await d.request('POST', '/v2.1/os-server-groups', { server_group: { name: 'g', policies: ['affinity'] } }, caller);
  t.is(group.status, 200);
  const detail = await quotaSet(t, '/v2.1/os-quota-sets/p-detail/detail', { ...caller, roles: 'reader' }, '2.57');
  t.deepEqual(Object.keys(detail).sort(), ['id', ...Object.keys(current)].sort());
  t.deepEqual(detail['instances'], { in_use: 2, limit: 10, reserved: 0 });
  t.deepEqual(detail['cores'], { in_use: 2, limit: 20, reserved: 0 });
  t.deepEqual(detail['ram'], { in_use: 4096, limit: 51200, reserved: 0 });
  t.deepEqual(detail['server_groups'], { in_use: 1, limit: 10, reserved: 0 });
  t.deepEqual(detail['key_pairs'], { in_use: 0, limit: 100, reserved: 0 });
  const old = await quotaSet(t, '/v2.1/os-quota-sets/p-detail/detail', caller, '2.1');
  t.deepEqual(old['floating_ips'], { in_use: 0, limit: -1, reserved: 0 });
});

test.serial('limits - absolute limits and usage of the caller project, per microversion', async (t) => {
  const caller = { project: 'p-lim' };
  t.is((await d.boot({ flavorRef: '2' }, caller)).status, 202);
  t.is((await d.request('POST', '/v2.1/os-server-groups', { server_group: { name: 'g', policies: ['affinity'] } }, caller)).status, 200);
  const limits = async (version: string, query = '', who: Caller = caller) => {
    const res = await d.request<{ limits: { rate: unknown[]; absolute: Record<string, number> } }>('GET', `/v2.1/limits${query}`, undefined, who, v(version));
    t.is(res.status, 200, JSON.stringify(res.body));
    t.deepEqual(res.body.limits.rate, []);
    return res.body.limits.absolute;
  };
  const used = { totalInstancesUsed: 1, totalCoresUsed: 1, totalRAMUsed: 2048, totalServerGroupsUsed: 1 };
  const now = { maxTotalInstances: 10, maxTotalCores: 20, maxTotalRAMSize: 51200, maxServerMeta: 128, maxTotalKeypairs: 100, maxServerGroups: 10, maxServerGroupMembers: 10, ...used };
  const before257 = { maxPersonality: 5, maxPersonalitySize: 10240 };
  const before236 = { maxTotalFloatingIps: -1, maxSecurityGroups: -1, maxSecurityGroupRules: -1, totalFloatingIpsUsed: 0, totalSecurityGroupsUsed: 0 };
  t.deepEqual(await limits('2.1'), { ...now, ...before257, ...before236, maxImageMeta: 128 });
  t.deepEqual(await limits('2.36'), { ...now, ...before257, maxImageMeta: 128 });
  t.deepEqual(await limits('2.39'), { ...now, ...before257 });
  t.deepEqual(await limits('2.57'), now);
  t.like(await limits('2.1', '', { project: 'p-lim-empty' }), { totalInstancesUsed: 0, totalServerGroupsUsed: 0 });
  fault(t, await d.request('GET', '/v2.1/limits?tenant_id=p-lim', undefined, { project: 'p-other' }), 403, /limits:other_project/);
  t.like(await limits('2.57', '?tenant_id=p-lim', admin), used);
  t.is((await d.request('GET', '/v2.1/limits?bogus=1', undefined, caller, v('2.74'))).status, 200);
  fault(t, await d.request('GET', '/v2.1/limits?bogus=1', undefined, caller, v('2.75')), 400);
});
