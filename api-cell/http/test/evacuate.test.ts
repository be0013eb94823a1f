import test from 'ava';
import { TestDeployment, waitFor } from '../../../ops/testing/index.js';

let d: TestDeployment;
test.before(async () => {
  // One source host per test (a-1, b-1, c-1), each in a pool of its own so that it can go down alone.
  d = await TestDeployment.start({
    cells: [{ name: 'one', pools: [{ prefix: 'a', hosts: 1 }, { prefix: 'b', hosts: 1 }, { prefix: 'c', hosts: 1 }, { prefix: 'dst', hosts: 2 }] }],
  });
  await d.quota('p1', { instances: -1, cores: -1, ram: -1 });
});
test.after.always(() => d?.stop());

const admin = { roles: 'admin' };
const v = (version: string) => ({ 'openstack-api-version': `compute ${version}` });
const evacuate = (id: string, body: Record<string, unknown>, version: string, caller = admin) =>
  d.request<{ adminPass?: string }>('POST', `/v2.1/servers/${id}/action`, { evacuate: body }, caller, v(version));

/** A server booted onto `host` (2.74), ACTIVE. */
async function bootOn(host: string): Promise<string> {
  const res = await d.boot({ name: `on-${host}`, host }, admin, {}, v('2.74'));
  if (res.status !== 202) throw new Error(`boot on ${host}: ${res.status} ${JSON.stringify(res.body)}`);
  await d.waitForStatus(res.body.server.id, ['ACTIVE']);
  return res.body.server.id;
}

/** Stops the pool that runs `host`, marking its service down at once, and waits until the API sees it down. */
async function hostDown(host: string): Promise<void> {
  const pool = d.cell('one').pools.find((p) => p.hosts.some((h) => h.host === host));
  if (!pool) throw new Error(`no pool runs ${host}`);
  await d.stopPool('one', pool, true);
  await waitFor(
    async () => {
      const res = await d.request<{ services: { state: string }[] }>('GET', `/v2.1/os-services?host=${host}&binary=nova-compute`, undefined, admin);
      return res.body.services.length > 0 && res.body.services.every((s) => s.state === 'down');
    },
    15_000,
    `the compute service of ${host} to be down`,
  );
}

const settle = (id: string, status: string) => d.settle(id, status);

test('evacuate - refused while the host is up, for members, and with a body its microversion does not take', async (t) => {
  const id = await bootOn('a-1');
  const up = await evacuate(id, {}, '2.14');
  t.is(up.status, 409);
  t.regex(JSON.stringify(up.body), /Compute service of a-1 is still in use/);
  t.is((await evacuate(id, {}, '2.14', { roles: 'member' } as typeof admin)).status, 403);
  t.is((await evacuate(id, {}, '2.1')).status, 400, 'onSharedStorage is required before 2.14');
  t.is((await evacuate(id, { onSharedStorage: false }, '2.14')).status, 400, 'and gone from 2.14');
  t.is((await evacuate(id, { force: true }, '2.14')).status, 400, 'force only from 2.29 to 2.67');
  t.is((await evacuate(id, { host: 'a-1' }, '2.29')).status, 400, 'not to the host it is on');
  t.is((await evacuate(id, { host: 'nowhere-1' }, '2.29')).status, 404);
  t.is((await d.show(id)).body.server['status'], 'ACTIVE');
});

test('evacuate - the host is down: rebuilt ACTIVE on another host of the cell, its old allocation gone, a done evacuation', async (t) => {
  const id = await bootOn('b-1');
  await hostDown('b-1');
  const res = await evacuate(id, { onSharedStorage: false, adminPass: 'evac-pw' }, '2.1');
  t.is(res.status, 200, JSON.stringify(res.body));
  t.deepEqual(res.body, { adminPass: 'evac-pw' }, 'before 2.14 the password is answered');
  const moved = await settle(id, 'ACTIVE');
  t.truthy(moved['OS-EXT-SRV-ATTR:host']);
  t.not(moved['OS-EXT-SRV-ATTR:host'], 'b-1', 'the scheduler picked another host');
  const allocations = await d.allocations(id);
  t.true(allocations.length > 0 && allocations.every((a) => a.host === moved['OS-EXT-SRV-ATTR:host']), JSON.stringify(allocations));
  const migrations = await d.request<{ migrations: Record<string, unknown>[] }>('GET', `/v2.1/os-migrations?instance_uuid=${id}`, undefined, admin, v('2.59'));
  t.like(migrations.body.migrations[0], { migration_type: 'evacuation', status: 'done', source_compute: 'b-1', dest_compute: moved['OS-EXT-SRV-ATTR:host'] });
  const actions = await d.request<{ instanceActions: { action: string }[] }>('GET', `/v2.1/servers/${id}/os-instance-actions`);
  t.is(actions.body.instanceActions[0]?.action, 'evacuate');
});

test('evacuate - from 2.95 the server ends stopped on the host named', async (t) => {
  const id = await bootOn('c-1');
  await hostDown('c-1');
  const res = await evacuate(id, { host: 'dst-2' }, '2.95');
  t.is(res.status, 200, JSON.stringify(res.body));
  const moved = await settle(id, 'SHUTOFF');
  t.is(moved['OS-EXT-SRV-ATTR:host'], 'dst-2');
  t.is(moved['OS-EXT-STS:power_state'], 4);
  t.is((await d.request('POST', `/v2.1/servers/${id}/action`, { 'os-start': null })).status, 202, 'and starts there');
  await settle(id, 'ACTIVE');
});
