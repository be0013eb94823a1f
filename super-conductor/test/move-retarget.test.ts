import test from 'ava';
import { TestDeployment } from '../../ops/testing/index.js';

let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({ cells: [{ name: 'one', pools: [{ prefix: 'src', hosts: 1 }, { prefix: 'dead', hosts: 1 }, { prefix: 'live', hosts: 1 }] }] });
  await d.quota('p1', { instances: -1, cores: -1, ram: -1 });
});
test.after.always(() => d?.stop());

const admin = { roles: 'admin' };
const at274 = { 'openstack-api-version': 'compute 2.74' };

async function bootOn(host: string, flavorRef: string): Promise<string> {
  const res = await d.boot({ name: `on-${host}`, host, flavorRef }, admin, {}, at274);
  if (res.status !== 202) throw new Error(`boot on ${host}: ${res.status} ${JSON.stringify(res.body)}`);
  await d.waitForStatus(res.body.server.id, ['ACTIVE']);
  return res.body.server.id;
}

test('move - a destination that died after it was chosen is left for another host', async (t) => {
  // live-1 holds a big server, so the scheduler (spreading by free RAM) prefers the empty dead-1.
  await bootOn('live-1', '3');
  const id = await bootOn('src-1', '1');
  // dead-1's process dies without a goodbye: its service still looks up for service_down_time.
  const dead = d.cell('one').pools.find((p) => p.hosts.some((h) => h.host === 'dead-1'));
  if (!dead) throw new Error('no pool runs dead-1');
  await d.stopPool('one', dead, false);

  t.is((await d.request('POST', `/v2.1/servers/${id}/action`, { migrate: null }, admin)).status, 202);
  const moved = await d.waitForStatus(id, ['VERIFY_RESIZE', 'ACTIVE', 'ERROR'], 30_000);
  t.is(moved['status'], 'VERIFY_RESIZE', JSON.stringify(moved['fault']));
  t.is(moved['OS-EXT-SRV-ATTR:host'], 'live-1');
  const allocations = await d.allocations(id);
  t.true(allocations.length > 0 && allocations.every((a) => a.host === 'live-1'), 'the claim on the dead host was given back');
});
