import test from 'ava';
import { select } from '../../ops/runtime-db/index.js';
import { TestDeployment, waitFor } from '../../ops/testing/index.js';

// Spawns take 2 s, so the conductors can be stopped while builds are half done.
let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({ cells: [{ name: 'cell1', pools: [{ prefix: 'c', hosts: 3, driver: { spawnMs: 2000 } }] }] });
  await d.quota('p1', { instances: -1, cores: -1, ram: -1 });
});
test.after.always(() => d?.stop());

const taskStates = async (ids: string[]) =>
  (await select<{ task_state: string | null }>(d.cellDb('cell1'), `SELECT task_state FROM instances WHERE uuid IN (${ids.map(() => '?').join(', ')})`, ids)).map((r) => r.task_state);

test('builds whose conductors all stop mid-spawn end ACTIVE once a conductor is back: the hosts resend what they did', async (t) => {
  const ids = await Promise.all([1, 2, 3].map(async (i) => (await d.boot({ name: `through-restart-${i}` })).body.server.id));
  await waitFor(async () => (await taskStates(ids)).filter((s) => s === 'spawning').length === ids.length, 20_000, 'every build to be spawning');

  await d.stopConductors('cell1');
  // The spawns finish while no conductor listens; the hosts' reports find nobody and are sent again.
  const spawned = () => d.cell('cell1').pools.flatMap((p) => p.hosts.flatMap((h) => h.guests()));
  await waitFor(async () => ids.every((id) => spawned().includes(id)), 10_000, 'every spawn to finish on its host');
  t.deepEqual(await taskStates(ids), ['spawning', 'spawning', 'spawning'], 'nothing reached the database meanwhile');
  await d.addConductor('cell1');

  for (const id of ids) t.is((await d.waitForStatus(id, ['ACTIVE', 'ERROR'], 30_000))['status'], 'ACTIVE');
  t.deepEqual(ids.filter((id) => spawned().includes(id)).length, ids.length, 'every guest still runs');
});
