import test from 'ava';
import { execute, select } from '../../ops/runtime-db/index.js';
import { TestDeployment, waitFor } from '../../ops/testing/index.js';

// The only host answers the first cast of each build and forgets it: nothing fails, nothing
// moves. Only the build watchdog, reading the cell's database, can notice.
let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({
    cells: [{ name: 'one', pools: [{ prefix: 'l', hosts: 1, losing: ['l-1'] }] }],
    config: { super_conductor: { build_watch_interval_ms: 500, build_stall_ms: 2000 } },
  });
  await d.quota('p1', { instances: -1, cores: -1, ram: -1 });
});
test.after.always(() => d?.stop());

test.serial('watchdog - builds whose cast was taken and lost are cast again from the cell database and end ACTIVE', async (t) => {
  const ids = await Promise.all(['a', 'b', 'c'].map(async (name) => (await d.boot({ name })).body.server.id as string));
  const servers = await Promise.all(ids.map((id) => d.waitForStatus(id, ['ACTIVE', 'ERROR'], 60_000)));
  t.deepEqual(servers.map((s) => s['status']), ['ACTIVE', 'ACTIVE', 'ACTIVE']);
  const actions = await select<{ n: number }>(d.cellDb('one'), `SELECT COUNT(*) AS n FROM instance_actions WHERE action = 'create' AND instance_uuid IN (${ids.map(() => '?').join(', ')})`, ids);
  t.is(Number(actions[0]?.n), 3, 'the casts again land on each server\'s own create action');
});

test.serial('watchdog - a delete cut short (the API died after marking it) is finished: the server goes, its claim and quota are given back', async (t) => {
  const id = (await d.boot({ name: 'half-deleted' })).body.server.id as string;
  await d.waitForStatus(id, ['ACTIVE'], 60_000);
  const before = (await d.usage('p1'))['instances'] ?? 0;
  // What an API process killed between marking the instance and asking its host leaves behind.
  await execute(d.cellDb('one'), "UPDATE instances SET task_state = 'deleting' WHERE uuid = ?", [id]);
  await waitFor(async () => (await d.show(id)).status === 404, 60_000, 'the delete to be finished');
  t.deepEqual(await d.allocations(id), [], 'its claim is given back');
  t.is((await d.usage('p1'))['instances'], before - 1, 'and its quota');
  const guests = d.cell('one').pools.flatMap((p) => p.hosts).filter((h) => h.guests().includes(id));
  t.deepEqual(guests, [], 'its guest is destroyed');
});
