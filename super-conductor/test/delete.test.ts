import test from 'ava';
import { select } from '../../ops/runtime-db/index.js';
import { TestDeployment, waitFor } from '../../ops/testing/index.js';
import { BuildQueue } from '../queue/index.js';

let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({
    cells: [
      {
        name: 'one',
        pools: [
          { prefix: 'fast', hosts: 2 },
          { prefix: 'slow', hosts: 1, driver: { spawnMs: 2000 } },
          { prefix: 'bad', hosts: 1, failing: ['bad-1'] },
        ],
      },
    ],
    zones: { fast: ['fast-1', 'fast-2'], slow: ['slow-1'], bad: ['bad-1'] },
  });
  await d.flavor('huge', 1000, 512);
  await d.quota('p1', { cores: -1 });
});
test.after.always(() => d?.stop());

const idle = { instances: 0, cores: 0, ram: 0 };

async function guestsOn(host: string): Promise<string[]> {
  const pool = d.cell('one').pools.flatMap((p) => p.hosts).find((h) => h.host === host);
  return pool ? pool.guests() : [];
}

async function deletedInCell(id: string, cell: string): Promise<boolean> {
  const rows = await select<{ deleted: number; vm_state: string }>(d.cellDb(cell), 'SELECT deleted, vm_state FROM instances WHERE uuid = ?', [id]);
  return rows.length === 1 && rows[0]?.deleted !== 0 && rows[0]?.vm_state === 'deleted';
}

async function deleteAndCheck(t: import('ava').ExecutionContext, id: string): Promise<void> {
  const del = await d.request('DELETE', `/v2.1/servers/${id}`);
  t.is(del.status, 204, JSON.stringify(del.body));
  await d.waitForStatus(id, ['DELETED']);
  t.deepEqual(await d.allocations(id), [], 'allocations freed');
  t.deepEqual(await d.usage('p1'), idle, 'quota usage back to nothing');
}

test.serial('delete - before scheduling: the build request goes and the worker builds nothing', async (t) => {
  await d.stopSuperConductors();
  const id = (await d.boot({ name: 'early', availability_zone: 'fast' })).body.server.id;
  t.deepEqual(await d.usage('p1'), { instances: 1, cores: 1, ram: 512 });
  await deleteAndCheck(t, id);
  t.is(await d.mappedCell(id), undefined, 'no mapping is left');
  await d.startSuperConductor();
  const queue = new BuildQueue({ redisUrl: d.config.redis.url, prefix: d.config.redis.queue_prefix, attempts: 1 });
  try {
    await waitFor(async () => {
      const counts = await queue.counts();
      return (counts['waiting'] ?? 0) + (counts['active'] ?? 0) + (counts['delayed'] ?? 0) === 0;
    }, 10_000, 'the worker to take the build job');
  } finally {
    await queue.close();
  }
  const built = await select(d.cellDb('one'), 'SELECT 1 FROM instances WHERE uuid = ?', [id]);
  t.deepEqual(built, [], 'the worker found the build gone and made nothing');
  t.deepEqual(await d.allocations(id), []);
});

test.serial('delete - while spawning on its host: the guest is destroyed and the instance soft-deleted', async (t) => {
  const stopped = d.builds.failed;
  const id = (await d.boot({ name: 'mid', availability_zone: 'slow' })).body.server.id;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && (await d.show(id)).body.server['OS-EXT-STS:task_state'] !== 'spawning') {
    await new Promise((done) => setTimeout(done, 20));
  }
  await deleteAndCheck(t, id);
  t.true(await deletedInCell(id, 'one'));
  await waitFor(async () => d.builds.failed > stopped, 10_000, 'the spawn under way to finish and find the instance deleted');
  t.deepEqual(await guestsOn('slow-1'), [], 'the spawn that finished after the delete was cleaned up');
});

test.serial('delete - ACTIVE: the host destroys the guest, allocations and quota are freed', async (t) => {
  const id = (await d.boot({ name: 'active', availability_zone: 'fast' })).body.server.id;
  const server = await d.waitForStatus(id, ['ACTIVE']);
  const host = String(server['OS-EXT-SRV-ATTR:host']);
  t.deepEqual(await guestsOn(host), [id]);
  t.is((await d.allocations(id)).length, 3);
  await deleteAndCheck(t, id);
  t.deepEqual(await guestsOn(host), []);
  t.true(await deletedInCell(id, 'one'));
  const events = await select<{ event: string; result: string }>(
    d.cellDb('one'),
    "SELECT e.event, e.result FROM instance_actions a JOIN instance_actions_events e ON e.action_id = a.id WHERE a.instance_uuid = ? AND a.action = 'delete'",
    [id],
  );
  t.deepEqual(events, [{ event: 'compute_terminate_instance', result: 'Success' }]);
});

test.serial('delete - ERROR in a child cell after failed spawns', async (t) => {
  const id = (await d.boot({ name: 'broken', availability_zone: 'bad' })).body.server.id;
  await d.waitForStatus(id, ['ERROR']);
  await deleteAndCheck(t, id);
  t.true(await deletedInCell(id, 'one'));
});

test.serial('delete - ERROR in cell0 releases the quota of a server that never ran', async (t) => {
  const id = (await d.boot({ name: 'nowhere', flavorRef: 'huge' })).body.server.id;
  await d.waitForStatus(id, ['ERROR']);
  t.is(await d.mappedCell(id), 'cell0');
  t.deepEqual(await d.usage('p1'), { instances: 1, cores: 1000, ram: 512 });
  await deleteAndCheck(t, id);
  t.is((await d.request('DELETE', `/v2.1/servers/${id}`)).status, 404, 'a second delete finds nothing');
});
