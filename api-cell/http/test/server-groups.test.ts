import test, { type ExecutionContext } from 'ava';
import { groupsOf } from '../../groups/index.js';
import { fault, TestDeployment, type Caller } from '../../../ops/testing/index.js';

let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({
    cells: [{ name: 'one', pools: [{ prefix: 'h', hosts: 1 }, { prefix: 'soft', hosts: 3 }, { prefix: 'anti', hosts: 2 }, { prefix: 'mv', hosts: 3 }, { prefix: 'af', hosts: 2 }] }],
    // Each scheduling test boots into its own zone, on hosts nothing else uses.
    zones: { soft: ['soft-1', 'soft-2', 'soft-3'], anti: ['anti-1', 'anti-2'], move: ['mv-1', 'mv-2', 'mv-3'], aff: ['af-1', 'af-2'] },
    // Resource weighers that stack, outweighed by the soft-anti-affinity weigher: without it
    // (or without counting the members a batch has just placed) members would pile onto one host.
    config: { scheduler: { ram_weight_multiplier: -1, cpu_weight_multiplier: -1, disk_weight_multiplier: -1, soft_anti_affinity_weight_multiplier: 10 } },
  });
});
test.after.always(() => d?.stop());

type Group = Record<string, unknown> & { id: string; members: string[] };
const v = (version: string) => ({ 'openstack-api-version': `compute ${version}` });
const admin: Caller = { user: 'admin', project: 'admin', roles: 'admin' };

async function create(t: ExecutionContext, body: unknown, caller: Caller = {}, version = '2.64'): Promise<Group> {
  const res = await d.request<{ server_group: Group }>('POST', '/v2.1/os-server-groups', body, caller, v(version));
  t.is(res.status, 200, JSON.stringify(res.body));
  return res.body.server_group;
}

const show = (id: string, caller: Caller = {}, version = '2.64') =>
  d.request<{ server_group: Group }>('GET', `/v2.1/os-server-groups/${id}`, undefined, caller, v(version));

/** Boots `count` members of a group (one request) and waits for them; returns their hosts. */
async function bootMembers(group: string, count: number, zone: string, caller: Caller = {}): Promise<{ statuses: string[]; hosts: string[] }> {
  const before = new Set((await show(group, admin)).body.server_group.members);
  const res = await d.boot({ name: `m-${zone}`, availability_zone: zone, min_count: count }, caller, { 'os:scheduler_hints': { group } });
  if (res.status !== 202) throw new Error(`boot refused: ${JSON.stringify(res.body)}`);
  const ids = (await show(group, admin)).body.server_group.members.filter((m) => !before.has(m));
  const servers = await Promise.all(ids.map((id) => d.waitForStatus(id, ['ACTIVE', 'ERROR'])));
  return { statuses: servers.map((s) => String(s['status'])), hosts: servers.map((s) => String(s['OS-EXT-SRV-ATTR:host'])) };
}

const perHost = (hosts: string[]) => [...hosts.reduce((m, h) => m.set(h, (m.get(h) ?? 0) + 1), new Map<string, number>()).values()].sort((a, b) => b - a);

test('server groups - create below 2.64 takes one policy and shows policies and an empty metadata', async (t) => {
  const group = await create(t, { server_group: { name: 'old', policies: ['anti-affinity'] } }, {}, '2.1');
  t.deepEqual(Object.keys(group).sort(), ['id', 'members', 'metadata', 'name', 'policies']);
  t.like(group, { name: 'old', policies: ['anti-affinity'], metadata: {}, members: [] });
  const at213 = (await show(group.id, {}, '2.13')).body.server_group;
  t.like(at213, { project_id: 'p1', user_id: 'u1', policies: ['anti-affinity'] });
  const at264 = (await show(group.id, {}, '2.64')).body.server_group;
  t.like(at264, { policy: 'anti-affinity', rules: {}, project_id: 'p1' });
  t.false('policies' in at264 || 'metadata' in at264);
});

test('server groups - soft policies arrive at 2.15, policy and rules replace policies at 2.64', async (t) => {
  const soft = { server_group: { name: 'soft', policies: ['soft-anti-affinity'] } };
  fault(t, await d.request('POST', '/v2.1/os-server-groups', soft, {}, v('2.14')), 400, /is not one of/);
  t.like(await create(t, soft, {}, '2.15'), { policies: ['soft-anti-affinity'] });
  fault(t, await d.request('POST', '/v2.1/os-server-groups', soft, {}, v('2.64')), 400, /Additional properties|'policy' is a required property/);
  const ruled = await create(t, { server_group: { name: 'two-per-host', policy: 'anti-affinity', rules: { max_server_per_host: '2' } } });
  t.deepEqual(Object.keys(ruled).sort(), ['id', 'members', 'name', 'policy', 'project_id', 'rules', 'user_id']);
  t.deepEqual(ruled.rules, { max_server_per_host: 2 });
  fault(t, await d.request('POST', '/v2.1/os-server-groups', { server_group: { name: 'x', policy: 'affinity', rules: { max_server_per_host: 2 } } }, {}, v('2.64')), 400, /^Only anti-affinity policy supports rules\.$/);
  fault(t, await d.request('POST', '/v2.1/os-server-groups', { server_group: { name: 'x', policy: 'anti-affinity', rules: { max_server_per_host: 0 } } }, {}, v('2.64')), 400, /max_server_per_host/);
  fault(t, await d.request('POST', '/v2.1/os-server-groups', { server_group: { name: 'x', policy: 'anti-affinity', rules: { spread: 1 } } }, {}, v('2.64')), 400, /'spread' was unexpected/);
  fault(t, await d.request('POST', '/v2.1/os-server-groups', { server_group: { name: 'x', policy: 'spread' } }, {}, v('2.64')), 400, /is not one of/);
  fault(t, await d.request('POST', '/v2.1/os-server-groups', { server_group: { policy: 'affinity' } }, {}, v('2.64')), 400, /'name' is a required property/);
  fault(t, await d.request('POST', '/v2.1/os-server-groups', { server_group: { name: 'x', policies: ['affinity', 'anti-affinity'] } }, {}, v('2.1')), 400, /policies/);
});

test('server groups - readers cannot create or delete, and other projects get 404', async (t) => {
  fault(t, await d.request('POST', '/v2.1/os-server-groups', { server_group: { name: 'r', policy: 'affinity' } }, { roles: 'reader' }, v('2.64')), 403, /os-server-groups:create/);
  const group = await create(t, { server_group: { name: 'mine', policy: 'affinity' } }, { project: 'p-own' });
  t.is((await show(group.id, { project: 'p-own', roles: 'reader' })).status, 200);
  fault(t, await show(group.id, { project: 'p-other' }), 404, /Instance group .* could not be found/);
  t.is((await show(group.id, admin)).status, 200, 'admins see every project');
  fault(t, await d.request('DELETE', `/v2.1/os-server-groups/${group.id}`, undefined, { project: 'p-own', roles: 'reader' }), 403);
  fault(t, await d.request('DELETE', `/v2.1/os-server-groups/${group.id}`, undefined, { project: 'p-other' }), 404);
  const deleted = await d.request('DELETE', `/v2.1/os-server-groups/${group.id}`, undefined, { project: 'p-own' });
  t.is(deleted.status, 204);
  fault(t, await show(group.id, { project: 'p-own' }), 404);
  fault(t, await d.request('DELETE', `/v2.1/os-server-groups/${group.id}`, undefined, { project: 'p-own' }), 404);
});

test('server groups - list shows the caller project, every project for admins with all_projects, paged by limit and offset', async (t) => {
  const mine = [];
  for (let i = 0; i < 3; i += 1) mine.push((await create(t, { server_group: { name: `l${i}`, policy: 'affinity' } }, { project: 'p-list' })).id);
  const theirs = (await create(t, { server_group: { name: 'other', policy: 'affinity' } }, { project: 'p-list2' })).id;
  const list = async (query: string, caller: Caller, version = '2.64') => {
    const res = await d.request<{ server_groups: Group[] }>('GET', `/v2.1/os-server-groups${query}`, undefined, caller, v(version));
    t.is(res.status, 200, JSON.stringify(res.body));
    return res.body.server_groups.map((g) => g.id);
  };
  t.deepEqual(await list('', { project: 'p-list', roles: 'reader' }), mine);
  t.deepEqual(await list('?all_projects=true', { project: 'p-list' }), mine, 'a member asking for all projects gets its own');
  const all = await list('?all_projects=true', admin);
  t.true(mine.every((id) => all.includes(id)) && all.includes(theirs));
  t.false((await list('', admin)).includes(theirs), 'without all_projects an admin sees the admin project');
  t.deepEqual(await list('?limit=2', { project: 'p-list' }), mine.slice(0, 2));
  t.deepEqual(await list('?limit=2&offset=2', { project: 'p-list' }), mine.slice(2));
  t.deepEqual(await list('?bogus=1', { project: 'p-list' }, '2.74'), mine, 'unknown parameters are ignored before 2.75');
  fault(t, await d.request('GET', '/v2.1/os-server-groups?bogus=1', undefined, { project: 'p-list' }, v('2.75')), 400);
  fault(t, await d.request('GET', '/v2.1/os-server-groups?limit=-1', undefined, { project: 'p-list' }), 400);
});

test('server groups - the server_groups quota refuses one group too many with 403', async (t) => {
  await d.quota('p-gq', { server_groups: 1 });
  await create(t, { server_group: { name: 'one', policy: 'affinity' } }, { project: 'p-gq' });
  fault(t, await d.request('POST', '/v2.1/os-server-groups', { server_group: { name: 'two', policy: 'affinity' } }, { project: 'p-gq' }, v('2.64')), 403, /^Quota exceeded, too many server groups\.$/);
});

test.serial('server groups - server_group_members is enforced at boot, and a deleted server leaves its group', async (t) => {
  const caller = { project: 'p-mq' };
  await d.quota('p-mq', { server_group_members: 2 });
  const group = await create(t, { server_group: { name: 'small', policy: 'soft-affinity' } }, caller);
  const hint = { 'os:scheduler_hints': { group: group.id } };
  fault(t, await d.boot({ min_count: 3 }, caller, hint), 403, /^Quota exceeded, too many servers in group$/);
  t.deepEqual((await show(group.id, caller)).body.server_group.members, [], 'a refused request adds no member');
  const first = await d.boot({ min_count: 2 }, caller, hint);
  t.is(first.status, 202, JSON.stringify(first.body));
  fault(t, await d.boot({}, caller, hint), 403, /too many servers in group/);
  const members = (await show(group.id, caller)).body.server_group.members;
  t.is(members.length, 2);
  const groups = await groupsOf(d.api, [...members, '00000000-0000-4000-8000-000000000000']);
  t.deepEqual([...groups.values()], [[group.id], [group.id], []]);
  const [gone, kept] = members as [string, string];
  await d.waitForStatus(gone, ['ACTIVE']);
  t.is((await d.request('DELETE', `/v2.1/servers/${gone}`, undefined, caller)).status, 204);
  t.deepEqual((await show(group.id, caller)).body.server_group.members, [kept]);
  t.is((await d.boot({}, caller, hint)).status, 202, 'the deleted member freed its place');
});

test.serial('server groups - soft-anti-affinity spreads members over hosts, and still boots when there are more members than hosts', async (t) => {
  const group = await create(t, { server_group: { name: 'soft', policy: 'soft-anti-affinity' } }, { project: 'p-soft' });
  const first = await bootMembers(group.id, 3, 'soft', { project: 'p-soft' });
  t.deepEqual(first.statuses, ['ACTIVE', 'ACTIVE', 'ACTIVE']);
  t.is(new Set(first.hosts).size, 3, `one request's members spread over the three hosts: ${first.hosts.join(', ')}`);
  const more = await bootMembers(group.id, 2, 'soft', { project: 'p-soft' });
  t.deepEqual(more.statuses, ['ACTIVE', 'ACTIVE']);
  t.deepEqual(perHost([...first.hosts, ...more.hosts]), [2, 2, 1]);
});

test.serial('server groups - anti-affinity with max_server_per_host 2 puts two members per host and refuses the next', async (t) => {
  const caller = { project: 'p-anti' };
  const group = await create(t, { server_group: { name: 'pairs', policy: 'anti-affinity', rules: { max_server_per_host: 2 } } }, caller);
  const placed = await bootMembers(group.id, 4, 'anti', caller);
  t.deepEqual(placed.statuses, ['ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE']);
  t.deepEqual(perHost(placed.hosts), [2, 2]);
  const extra = await bootMembers(group.id, 1, 'anti', caller);
  t.deepEqual(extra.statuses, ['ERROR'], 'both hosts hold two members already');
});

const migrate = (id: string) => d.request('POST', `/v2.1/servers/${id}/action`, { migrate: null }, admin);

async function settled(id: string, task: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 150; i += 1) {
    const server = (await d.show(id, admin)).body.server;
    if (server['OS-EXT-STS:task_state'] === null && server['status'] !== task) return server;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`server ${id} did not settle`);
}

test('server groups - a migrated anti-affinity member goes to a host no other member is on, though the weighers stack', async (t) => {
  const caller = { project: 'p-move' };
  const group = await create(t, { server_group: { name: 'apart', policy: 'anti-affinity' } }, caller);
  const placed = await bootMembers(group.id, 2, 'move', caller);
  t.deepEqual(placed.statuses, ['ACTIVE', 'ACTIVE']);
  const [moving] = (await show(group.id, admin)).body.server_group.members;
  const from = String((await d.show(String(moving), admin)).body.server['OS-EXT-SRV-ATTR:host']);
  const other = placed.hosts.find((h) => h !== from);
  t.is((await migrate(String(moving))).status, 202);
  const moved = await settled(String(moving), 'ACTIVE');
  t.is(moved['status'], 'VERIFY_RESIZE');
  t.not(moved['OS-EXT-SRV-ATTR:host'], other, 'not onto the other member, where stacking weighers would put it');
  t.not(moved['OS-EXT-SRV-ATTR:host'], from);
});

test('server groups - an affinity member cannot migrate away from the others: no valid host, it stays where it is', async (t) => {
  const caller = { project: 'p-aff' };
  const group = await create(t, { server_group: { name: 'together', policy: 'affinity' } }, caller);
  const placed = await bootMembers(group.id, 2, 'aff', caller);
  t.deepEqual(placed.statuses, ['ACTIVE', 'ACTIVE']);
  t.is(new Set(placed.hosts).size, 1);
  const [moving] = (await show(group.id, admin)).body.server_group.members;
  t.is((await migrate(String(moving))).status, 202);
  const after = await settled(String(moving), 'RESIZE');
  t.is(after['status'], 'ACTIVE');
  t.is(after['OS-EXT-SRV-ATTR:host'], placed.hosts[0]);
  const migrations = await d.request<{ migrations: { status: string }[] }>('GET', `/v2.1/os-migrations?instance_uuid=${String(moving)}`, undefined, admin);
  t.deepEqual(migrations.body.migrations.map((m) => m.status), ['error']);
});
