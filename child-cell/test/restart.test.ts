import test from 'ava';
import { select } from '../../ops/runtime-db/index.js';
import { TestDeployment, waitFor } from '../../ops/testing/index.js';

// Spawns and actions take 3 s on these hosts, so a restart can catch them half done.
const slow = { prefix: 'r', hosts: 2, driver: { spawnMs: 3000, actionMs: 3000 } };

let d: TestDeployment;
test.before(async () => {
  // A host that dies mid-shelve never answers: the super-conductor's wait for it is kept short here.
  // The build watchdog looks often and soon here, so a build the restart cut short is cast again quickly.
  d = await TestDeployment.start({
    cells: [{ name: 'cell1', pools: [slow] }],
    config: { super_conductor: { snapshot_timeout_ms: 8000, build_watch_interval_ms: 500, build_stall_ms: 1000 } },
  });
  await d.quota('p1', { instances: -1, cores: -1, ram: -1 });
});
test.after.always(() => d?.stop());

const act = (id: string, body: unknown) => d.request('POST', `/v2.1/servers/${id}/action`, body);
const states = (ids: string[]) =>
  select<{ uuid: string; vm_state: string; task_state: string | null }>(d.cellDb('cell1'), `SELECT uuid, vm_state, task_state FROM instances WHERE uuid IN (${ids.map(() => '?').join(', ')})`, ids);
const status = async (id: string) => String((await d.show(id)).body.server['status']);

test('a restarted pool finds its instances again: at rest kept, cut-short actions finished, cut-short builds built again, nothing left in BUILD', async (t) => {
  const boot = async (name: string) => (await d.boot({ name })).body.server.id;
  const [stopping, rebooting, resting] = await Promise.all([boot('stopping'), boot('rebooting'), boot('resting')]);
  for (const id of [stopping, rebooting, resting]) await d.waitForStatus(id, ['ACTIVE'], 30_000);

  t.is((await act(stopping, { 'os-stop': null })).status, 202);
  t.is((await act(rebooting, { reboot: { type: 'SOFT' } })).status, 202);
  const building = await boot('building');
  await waitFor(
    async () => {
      const now = new Map((await states([stopping, rebooting, building])).map((r) => [r.uuid, r.task_state]));
      return now.get(stopping) === 'powering-off' && now.get(rebooting) === 'rebooting' && now.get(building) === 'spawning';
    },
    20_000,
    'a stop, a reboot and a spawn to be under way',
  );

  const [pool] = d.cell('cell1').pools;
  if (!pool) throw new Error('the pool is not running');
  await d.stopPool('cell1', pool, false);
  await d.addPool('cell1', slow);
  t.like(d.lastRecovery, { adopted: 1, finished: 2, errored: 0, deleted: 0, handedBack: 1 });

  // No guest was left of the cut-short build, and no spawn failed: it is built again, not failed.
  const built = await d.waitForStatus(building, ['ACTIVE', 'ERROR'], 30_000);
  t.is(built['status'], 'ACTIVE');
  t.is(built['fault'], undefined);
  t.is(await status(stopping), 'SHUTOFF');
  t.is(await status(rebooting), 'ACTIVE');
  t.is(await status(resting), 'ACTIVE');
  const rows = await states([stopping, rebooting, resting, building]);
  t.true(rows.every((r) => r.task_state === null && r.vm_state !== 'building'));

  // The guests were taken back: the restarted hosts can act on them.
  t.is((await act(resting, { 'os-stop': null })).status, 202);
  t.is((await act(stopping, { 'os-start': null })).status, 202);
  t.is((await d.waitForStatus(resting, ['SHUTOFF', 'ERROR'], 15_000))['status'], 'SHUTOFF');
  t.is((await d.waitForStatus(stopping, ['ACTIVE', 'ERROR'], 15_000))['status'], 'ACTIVE');
});

test.serial('a pool restarted mid-shelve leaves the shelve to the super-conductor, which finishes it on the restarted host', async (t) => {
  const id = (await d.boot({ name: 'shelver' })).body.server.id;
  await d.waitForStatus(id, ['ACTIVE'], 30_000);
  t.is((await act(id, { shelve: null })).status, 202);
  await waitFor(async () => (await states([id]))[0]?.task_state === 'shelving', 10_000, 'the shelve to be under way');

  const [pool] = d.cell('cell1').pools;
  if (!pool) throw new Error('the pool is not running');
  await d.stopPool('cell1', pool, false);
  await d.addPool('cell1', slow);
  const [row] = await states([id]);
  t.not(row?.vm_state, 'error', 'the restarted host did not put the shelving server in ERROR');

  const shelved = await d.waitForStatus(id, ['SHELVED_OFFLOADED', 'ERROR'], 60_000);
  t.is(shelved['status'], 'SHELVED_OFFLOADED');
  t.deepEqual(await d.allocations(id), []);
  t.is((await d.request('DELETE', `/v2.1/servers/${id}`)).status, 204);
});
