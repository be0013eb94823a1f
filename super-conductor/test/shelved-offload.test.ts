import test from 'ava';
import { TestDeployment } from '../../ops/testing/index.js';

let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({
    cells: [{ name: 'one', pools: [{ prefix: 'h', hosts: 2 }] }],
    config: { compute: { shelved_offload_time: 1, shelved_poll_interval: 0.2 } },
  });
});
test.after.always(() => d?.stop());

test('shelved offload - a server shelved longer than shelved_offload_time is offloaded by the super-conductor', async (t) => {
  const id = (await d.boot({ name: 'napper' })).body.server.id;
  await d.waitForStatus(id, ['ACTIVE']);
  t.is((await d.request('POST', `/v2.1/servers/${id}/action`, { shelve: null })).status, 202);
  const shelved = await d.waitForStatus(id, ['SHELVED', 'SHELVED_OFFLOADED']);
  t.is(shelved['status'], 'SHELVED', 'at first it keeps its host');
  t.truthy(shelved['OS-EXT-SRV-ATTR:host']);
  const offloaded = await d.waitForStatus(id, ['SHELVED_OFFLOADED'], 15_000);
  t.is(offloaded['OS-EXT-SRV-ATTR:host'], null);
  t.deepEqual(await d.allocations(id), []);
  t.is((await d.request('POST', `/v2.1/servers/${id}/action`, { unshelve: null })).status, 202);
  t.is((await d.waitForStatus(id, ['ACTIVE', 'ERROR']))['status'], 'ACTIVE');
});
