import test from 'ava';
import { select } from '../../ops/runtime-db/index.js';
import { TestDeployment } from '../../ops/testing/index.js';
import { BuildQueue } from '../queue/index.js';

let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({
    cells: [
      { name: 'one', pools: [{ prefix: 'wide', hosts: 3 }, { prefix: 'small', hosts: 1 }] },
      { name: 'two', pools: [{ prefix: 'two', hosts: 2 }] },
    ],
    // "small" fits two servers of flavor "half": 64 GiB x 1.5 RAM ratio = 96 GiB, 40,000 MiB each.
    zones: { small: ['small-1'] },
  });
  await d.flavor('half', 1, 40000);
  await d.quota('p1', { cores: -1, instances: -1, ram: -1 });
});
test.after.always(() => d?.stop());

async function reservation(rid: string): Promise<{ uuid: string; cell: string | null }[]> {
  const rows: { uuid: string; cell: string | null }[] = [];
  for (const cell of ['one', 'two']) {
    const found = await select<{ uuid: string }>(d.cellDb(cell), 'SELECT uuid FROM instances WHERE reservation_id = ? AND deleted = 0', [rid]);
    rows.push(...found.map((r) => ({ uuid: r.uuid, cell })));
  }
  return rows;
}

/** Waits until `count` instances of the reservation are in the child cells. */
async function settled(rid: string, count: number): Promise<{ uuid: string; cell: string | null }[]> {
  let rows: { uuid: string; cell: string | null }[] = [];
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && rows.length < count) {
    rows = await reservation(rid);
    await new Promise((done) => setTimeout(done, 50));
  }
  return rows;
}

test('multi-create - max_count boots a batch under one reservation id', async (t) => {
  const res = await d.boot({ name: 'batch', min_count: 2, max_count: 5, return_reservation_id: true });
  t.is(res.status, 202);
  const rid = String(res.body.reservation_id);
  t.regex(rid, /^r-[a-z0-9]{8}$/);
  const rows = await settled(rid, 5);
  t.is(rows.length, 5);
  const servers = await Promise.all(rows.map((r) => d.waitForStatus(r.uuid, ['ACTIVE', 'ERROR'])));
  t.deepEqual(servers.map((s) => s['status']), rows.map(() => 'ACTIVE'));
  t.deepEqual(servers.map((s) => String(s['name'])).sort((a, b) => a.localeCompare(b)), ['batch-1', 'batch-2', 'batch-3', 'batch-4', 'batch-5']);
});

test('multi-create - fewer than min_count schedulable fails the whole request with nothing claimed', async (t) => {
  const res = await d.boot({ name: 'allornothing', flavorRef: 'half', availability_zone: 'small', min_count: 3, max_count: 3, return_reservation_id: true });
  t.is(res.status, 202);
  const rid = String(res.body.reservation_id);
  const buried = await select<{ uuid: string; vm_state: string }>(d.cellDb('one'), 'SELECT uuid, vm_state FROM instances WHERE reservation_id = ?', [rid]);
  t.deepEqual(buried, [], 'nothing reached a child cell');
  const mapped = await select<{ instance_uuid: string }>(d.api, 'SELECT instance_uuid FROM instance_mappings WHERE project_id = ?', ['p1']);
  let cell0: string[] = [];
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && cell0.length < 3) {
    cell0 = [];
    for (const m of mapped) if ((await d.mappedCell(m.instance_uuid)) === 'cell0') cell0.push(m.instance_uuid);
    await new Promise((done) => setTimeout(done, 50));
  }
  t.is(cell0.length, 3, 'all three are in cell0');
  for (const id of cell0) {
    const server = await d.waitForStatus(id, ['ERROR']);
    t.regex(String((server['fault'] as Record<string, unknown>)['details']), /only 2 of the 3 servers asked for at least could be placed/);
    t.deepEqual(await d.allocations(id), []);
  }
  const onSmall = await select<{ consumer_id: string }>(
    d.api,
    "SELECT DISTINCT a.consumer_id FROM allocations a JOIN resource_providers rp ON rp.id = a.resource_provider_id WHERE rp.host = 'small-1'",
  );
  t.deepEqual(onSmall.filter((a) => cell0.includes(a.consumer_id)), [], 'the two that would have fit were given back');
});

test('multi-create - quota allowing fewer than max_count but at least min_count boots that many', async (t) => {
  await d.quota('p9', { instances: 3 });
  const res = await d.boot({ name: 'capped', min_count: 2, max_count: 6, return_reservation_id: true }, { project: 'p9' });
  t.is(res.status, 202);
  const rid = String(res.body.reservation_id);
  const rows = await settled(rid, 3);
  t.is(rows.length, 3);
  t.deepEqual(await d.usage('p9'), { instances: 3, cores: 3, ram: 1536 });
  const over = await d.boot({ name: 'over', min_count: 1 }, { project: 'p9' });
  t.is(over.status, 403);
  t.deepEqual(over.body, { forbidden: { code: 403, message: 'Quota exceeded for instances: Requested 1, but already used 3 of 3 instances' } });
});

test('multi-create - a build job delivered twice makes one set of instances, allocations and charges', async (t) => {
  await d.quota('p8', { instances: -1 });
  const res = await d.boot({ name: 'twice', min_count: 3, max_count: 3, return_reservation_id: true }, { project: 'p8' });
  const rid = String(res.body.reservation_id);
  const rows = await settled(rid, 3);
  await Promise.all(rows.map((r) => d.waitForStatus(r.uuid, ['ACTIVE'])));
  const before = await select(d.api, 'SELECT consumer_id, resource_provider_id, resource_class, used FROM allocations ORDER BY consumer_id, resource_class');
  const queue = new BuildQueue({ redisUrl: d.config.redis.url, prefix: d.config.redis.queue_prefix, attempts: 1 });
  try {
    await queue.forget(rid);
    await queue.enqueue({ reservation_id: rid, instance_uuids: rows.map((r) => r.uuid), min_count: 3, request_id: 'req-duplicate' });
    const settle = Date.now() + 5000;
    while (Date.now() < settle && (await queue.hasLiveJob(rid))) await new Promise((done) => setTimeout(done, 50));
  } finally {
    await queue.close();
  }
  t.is((await reservation(rid)).length, 3, 'still three instances');
  t.deepEqual(await select(d.api, 'SELECT consumer_id, resource_provider_id, resource_class, used FROM allocations ORDER BY consumer_id, resource_class'), before);
  t.deepEqual(await d.usage('p8'), { instances: 3, cores: 3, ram: 1536 }, 'charged once');
});
