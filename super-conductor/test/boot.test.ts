import test from 'ava';
import { setCellDisabled } from '../../api-cell/cells/index.js';
import { execute, select } from '../../ops/runtime-db/index.js';
import { TestDeployment } from '../../ops/testing/index.js';

let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({
    cells: [
      { name: 'one', pools: [{ prefix: 'one-host', hosts: 2 }, { prefix: 'one-slow', hosts: 1, driver: { spawnMs: 1500 } }] },
      { name: 'two', pools: [{ prefix: 'two-host', hosts: 2 }] },
    ],
    zones: { slow: ['one-slow-1'] },
  });
  await d.quota('p1', { instances: -1 });
});
test.after.always(() => d?.stop());

test.serial('boot - servers land in both cells and reach ACTIVE', async (t) => {
  const ids: string[] = [];
  for (let i = 0; i < 8; i += 1) {
    const res = await d.boot({ name: `spread-${i}` });
    t.is(res.status, 202, JSON.stringify(res.body));
    t.regex(res.body.server.adminPass, /^\S{12}$/);
    ids.push(res.body.server.id);
  }
  const servers = await Promise.all(ids.map((id) => d.waitForStatus(id, ['ACTIVE', 'ERROR'])));
  t.deepEqual(servers.map((s) => s['status']), ids.map(() => 'ACTIVE'));
  t.deepEqual(servers.map((s) => s['OS-EXT-STS:power_state']), ids.map(() => 1));
  const cells = new Set(await Promise.all(ids.map((id) => d.mappedCell(id))));
  t.deepEqual([...cells].sort((a, b) => String(a).localeCompare(String(b))), ['one', 'two'], 'the scheduler used both cells');
  const hosts = new Set(servers.map((s) => s['OS-EXT-SRV-ATTR:host']));
  t.true(hosts.size >= 4, `spread over the hosts: ${[...hosts].join(', ')}`);
});

test.serial('boot - GET answers from the build request, then from the cell while spawning, then ACTIVE', async (t) => {
  await d.stopSuperConductors();
  const res = await d.boot({ name: 'staged', availability_zone: 'slow' });
  const id = res.body.server.id;
  const queued = (await d.show(id)).body.server;
  t.is(queued['status'], 'BUILD');
  t.is(queued['OS-EXT-STS:task_state'], 'scheduling');
  t.is(queued['OS-EXT-SRV-ATTR:host'], null);
  t.is(queued['name'], 'staged');
  t.is(await d.mappedCell(id), null, 'no cell yet: only the build request');

  await d.startSuperConductor();
  const deadline = Date.now() + 10_000;
  let spawning: Record<string, unknown> = {};
  while (Date.now() < deadline) {
    spawning = (await d.show(id)).body.server;
    if (spawning['OS-EXT-STS:task_state'] === 'spawning') break;
    await new Promise((done) => setTimeout(done, 20));
  }
  t.is(spawning['status'], 'BUILD');
  t.is(spawning['OS-EXT-STS:task_state'], 'spawning');
  t.is(spawning['OS-EXT-SRV-ATTR:host'], 'one-slow-1');
  const active = await d.waitForStatus(id, ['ACTIVE', 'ERROR']);
  t.is(active['status'], 'ACTIVE');
  t.is(active['OS-EXT-STS:task_state'], null);
  t.truthy(active['OS-SRV-USG:launched_at']);
  const events = await select<{ event: string; host: string; result: string }>(
    d.cellDb('one'),
    `SELECT e.event, e.host, e.result FROM instance_actions a JOIN instance_actions_events e ON e.action_id = a.id
      WHERE a.instance_uuid = ? AND a.action = 'create'`,
    [id],
  );
  t.deepEqual(events, [{ event: 'compute_build_and_run_instance', host: 'one-slow-1', result: 'Success' }]);
});

test.serial('boot - a member sees its own servers only; others get 404', async (t) => {
  const res = await d.boot({ name: 'private' }, { project: 'p2', user: 'u2' });
  const id = res.body.server.id;
  t.is((await d.show(id, { project: 'p2', user: 'u2' })).status, 200);
  const other = await d.show(id, { project: 'p1' });
  t.is(other.status, 404);
  t.deepEqual(other.body, { itemNotFound: { code: 404, message: `Instance ${id} could not be found.` } });
  t.is((await d.request('DELETE', `/v2.1/servers/${id}`, undefined, { project: 'p1' })).status, 404);
  const view = (await d.show(id, { project: 'p2', user: 'u2' })).body.server;
  t.false('OS-EXT-SRV-ATTR:host' in view, 'host fields are for admins');
});

test.serial('boot - a server group with anti-affinity puts each member on its own host', async (t) => {
  await execute(d.api, "INSERT INTO instance_groups (uuid, name, project_id, user_id, policy) VALUES ('00000000-0000-4000-8000-00000000a17a', 'spread', 'p1', 'u1', 'anti-affinity')");
  const hint = { 'os:scheduler_hints': { group: '00000000-0000-4000-8000-00000000a17a' } };
  const ids: string[] = [];
  for (let i = 0; i < 4; i += 1) ids.push((await d.boot({ name: `anti-${i}` }, {}, hint)).body.server.id);
  const servers = await Promise.all(ids.map((id) => d.waitForStatus(id, ['ACTIVE', 'ERROR'])));
  t.deepEqual(servers.map((s) => s['status']), ['ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE']);
  const hosts = new Set(servers.map((s) => s['OS-EXT-SRV-ATTR:host']));
  t.is(hosts.size, 4, `four members on four hosts: ${[...hosts].join(', ')}`);
  const members = await select(d.api, 'SELECT instance_uuid FROM instance_group_member');
  t.is(members.length, 4);
});

test.serial('boot - a disabled cell keeps its servers but takes no new builds', async (t) => {
  await setCellDisabled(d.api, d.registry, 'two', true);
  await d.schedulerRefreshed();
  try {
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1) ids.push((await d.boot({ name: `closed-${i}` })).body.server.id);
    await Promise.all(ids.map((id) => d.waitForStatus(id, ['ACTIVE', 'ERROR'])));
    const cells = await Promise.all(ids.map((id) => d.mappedCell(id)));
    t.deepEqual(cells, ['one', 'one', 'one', 'one']);
  } finally {
    await setCellDisabled(d.api, d.registry, 'two', false);
    // The scheduler must see it enabled before the next test boots.
    await d.schedulerRefreshed();
  }
});

test('boot - 2.74: an admin names the host or hypervisor a server lands on, in either cell', async (t) => {
  const admin = { user: 'admin', project: 'admin', roles: 'admin' };
  const at = (version: string) => ({ 'openstack-api-version': `compute ${version}` });
  const create = (server: Record<string, unknown>, caller: Record<string, string> = admin, version = '2.74') =>
    d.request<{ server: { id: string } }>('POST', '/v2.1/servers', { server: { name: 'targeted', flavorRef: '1', imageRef: d.image.uuid, networks: 'none', ...server } }, caller, at(version));

  const onHost = await create({ host: 'two-host-2' });
  t.is(onHost.status, 202, JSON.stringify(onHost.body));
  const onNode = await create({ hypervisor_hostname: 'one-host-1' });
  t.is(onNode.status, 202, JSON.stringify(onNode.body));
  const landed = await d.waitForStatus(onHost.body.server.id, ['ACTIVE', 'ERROR']);
  t.is(landed['OS-EXT-SRV-ATTR:host'], 'two-host-2', JSON.stringify(landed['fault']));
  t.is((await d.waitForStatus(onNode.body.server.id, ['ACTIVE', 'ERROR']))['OS-EXT-SRV-ATTR:hypervisor_hostname'], 'one-host-1');

  // Asked for at the same moment, each lands where it asked, not where the first of the batch asked.
  const together = await Promise.all(['one-host-1', 'one-host-2', 'two-host-1', 'two-host-2'].map((host) => create({ host })));
  const hosts = await Promise.all(together.map(async (r) => (await d.waitForStatus(r.body.server.id, ['ACTIVE', 'ERROR']))['OS-EXT-SRV-ATTR:host']));
  t.deepEqual(hosts, ['one-host-1', 'one-host-2', 'two-host-1', 'two-host-2']);

  const unknown = await create({ host: 'nowhere' });
  t.is(unknown.status, 400);
  t.deepEqual(unknown.body, { badRequest: { code: 400, message: 'Compute host nowhere could not be found.' } });
  t.is((await create({ host: 'one-host-1', hypervisor_hostname: 'two-host-1' })).status, 400, 'the host has no such hypervisor');
  t.is((await create({ host: 'two-host-1' }, { project: 'p1' })).status, 403, 'a member may not choose');
  const early = await create({ host: 'two-host-1' }, admin, '2.73');
  t.deepEqual(early.body, { badRequest: { code: 400, message: "Additional properties are not allowed ('host' was unexpected)" } });
});
