import test from 'ava';
import { select } from '../../ops/runtime-db/index.js';
import { TestDeployment } from '../../ops/testing/index.js';

const big = { vcpus: 64, memory_mb: 262144 };
let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({
    cells: [
      {
        name: 'one',
        pools: [
          // The failing host is the roomiest, so the spreading weighers pick it first.
          { prefix: 'flaky-big', hosts: 1, failing: ['flaky-big-1'], driver: big },
          { prefix: 'flaky-ok', hosts: 1 },
          { prefix: 'doomed', hosts: 2, failing: ['doomed-1', 'doomed-2'] },
          { prefix: 'plain', hosts: 1 },
        ],
      },
      { name: 'two', pools: [{ prefix: 'two-host', hosts: 1 }] },
    ],
    zones: { flaky: ['flaky-big-1', 'flaky-ok-1'], doomed: ['doomed-1', 'doomed-2'], plain: ['plain-1', 'two-host-1'] },
  });
  await d.flavor('huge', 1000, 512);
  await d.quota('p1', { cores: -1, ram: -1, instances: -1 });
});
test.after.always(() => d?.stop());

async function events(id: string): Promise<{ host: string; result: string }[]> {
  return select(
    d.cellDb('one'),
    `SELECT e.host, e.result FROM instance_actions a JOIN instance_actions_events e ON e.action_id = a.id
      WHERE a.instance_uuid = ? ORDER BY e.id`,
    [id],
  );
}

test('failures - no valid host buries the server in cell0 in ERROR with a fault', async (t) => {
  const res = await d.boot({ name: 'too-big', flavorRef: 'huge' });
  t.is(res.status, 202);
  const id = res.body.server.id;
  const server = await d.waitForStatus(id, ['ERROR', 'ACTIVE']);
  t.is(server['status'], 'ERROR');
  const fault = server['fault'] as Record<string, unknown>;
  t.is(fault['code'], 500);
  t.is(fault['message'], 'No valid host was found. There are not enough hosts available.');
  t.regex(String(fault['details']), /ResourceFilter rejected/, 'admins see which filter turned the hosts away');
  t.is(await d.mappedCell(id), 'cell0');
  t.deepEqual(await d.allocations(id), []);
  t.is(server['OS-EXT-SRV-ATTR:host'], null);
});

test('failures - a host that fails every spawn causes a reschedule inside the cell and the alternate wins', async (t) => {
  const res = await d.boot({ name: 'resched', availability_zone: 'flaky' });
  const id = res.body.server.id;
  const server = await d.waitForStatus(id, ['ACTIVE', 'ERROR']);
  t.is(server['status'], 'ACTIVE', JSON.stringify(server['fault']));
  t.is(server['OS-EXT-SRV-ATTR:host'], 'flaky-ok-1');
  t.deepEqual(await events(id), [
    { host: 'flaky-big-1', result: 'Error' },
    { host: 'flaky-ok-1', result: 'Success' },
  ]);
  const allocations = await d.allocations(id);
  t.deepEqual(new Set(allocations.map((a) => a.host)), new Set(['flaky-ok-1']), 'the allocation moved with the build');
  t.is(allocations.length, 3);
});

test('failures - with every alternate failing too, the server goes to ERROR with a fault and frees its allocation', async (t) => {
  const res = await d.boot({ name: 'doomed', availability_zone: 'doomed' });
  const id = res.body.server.id;
  const server = await d.waitForStatus(id, ['ERROR', 'ACTIVE']);
  t.is(server['status'], 'ERROR');
  const fault = server['fault'] as Record<string, unknown>;
  t.regex(String(fault['message']), /^Exceeded maximum number of retries/);
  t.regex(String(fault['details']), /fake hypervisor failed to spawn/);
  t.is(await d.mappedCell(id), 'one');
  t.deepEqual(await d.allocations(id), []);
  const tried = (await events(id)).map((e) => `${e.host}:${e.result}`).sort();
  t.deepEqual(tried, ['doomed-1:Error', 'doomed-2:Error']);
});

test('failures - a member sees the fault message of its ERROR server but not the details of a 500', async (t) => {
  const res = await d.boot({ name: 'too-big-member', flavorRef: 'huge' });
  const id = res.body.server.id;
  await d.waitForStatus(id, ['ERROR']);
  const view = (await d.show(id, { roles: 'member' })).body.server;
  const fault = view['fault'] as Record<string, unknown>;
  t.is(fault['code'], 500);
  t.false('details' in fault);
});
