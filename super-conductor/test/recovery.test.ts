import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import test from 'ava';
import { Queue } from 'bullmq';
import { select } from '../../ops/runtime-db/index.js';
import { repoRoot, TestDeployment } from '../../ops/testing/index.js';
import { BUILD_QUEUE, redisConnection } from '../queue/index.js';

let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({
    cells: [{ name: 'one', pools: [{ prefix: 'h', hosts: 10 }] }],
    superConductors: 0,
    config: { super_conductor: { job_lock_ms: 1500, reaper_interval_ms: 500, reaper_stale_ms: 1000 } },
  });
  await d.quota('p1', { instances: -1, cores: -1, ram: -1 });
});
test.after.always(() => d?.stop());

async function instancesIn(rid: string[]): Promise<{ uuid: string; vm_state: string }[]> {
  if (rid.length === 0) return [];
  return select(d.cellDb('one'), `SELECT uuid, vm_state FROM instances WHERE deleted = 0 AND reservation_id IN (${rid.map(() => '?').join(', ')})`, rid);
}

test.serial('recovery - a super-conductor killed mid-burst loses nothing and duplicates nothing', async (t) => {
  const config = d.writeConfig(join(mkdtempSync(join(tmpdir(), 'cellstack-sc-')), 'cellstack.yaml'));
  const child = spawn(process.execPath, [resolve(repoRoot, 'dist/super-conductor/main.js'), '--config', config], { stdio: 'ignore' });
  const exited = new Promise((done) => child.once('exit', done));
  const responses = await Promise.all(Array.from({ length: 6 }, (_, i) => d.boot({ name: `burst-${i}`, min_count: 10, max_count: 10, return_reservation_id: true })));
  const rids = responses.map((r) => String(r.body.reservation_id));
  // Kill as soon as the first instance lands in the cell: other jobs are queued or half done.
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && (await instancesIn(rids)).length === 0) await new Promise((done) => setTimeout(done, 5));
  child.kill('SIGKILL');
  await exited;
  const atKill = (await instancesIn(rids)).length;
  t.log(`killed with ${atKill} of 60 instances in the cell`);

  await d.startSuperConductor();
  let rows: { uuid: string; vm_state: string }[] = [];
  const settle = Date.now() + 30_000;
  while (Date.now() < settle) {
    rows = await instancesIn(rids);
    if (rows.length === 60 && rows.every((r) => r.vm_state === 'active')) break;
    await new Promise((done) => setTimeout(done, 100));
  }
  t.is(rows.length, 60, 'every accepted server exists once');
  t.true(rows.every((r) => r.vm_state === 'active'), 'and every one is ACTIVE');
  const allocations = await select<{ n: number }>(d.api, "SELECT COUNT(DISTINCT consumer_id) AS n FROM allocations WHERE resource_class = 'VCPU'");
  t.is(Number(allocations[0]?.n), 60, 'one allocation per server');
  const builds = await select(d.api, 'SELECT 1 FROM build_requests');
  t.deepEqual(builds, [], 'no build request left behind');
  await d.stopSuperConductors();
});

test.serial('recovery - the reaper queues again a build request whose job was lost', async (t) => {
  const res = await d.boot({ name: 'orphan' });
  const id = res.body.server.id;
  const connection = redisConnection(d.config.redis.url, 'test');
  const queue = new Queue(BUILD_QUEUE, { connection, prefix: d.config.redis.queue_prefix });
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  t.is((await d.show(id)).body.server['status'], 'BUILD');
  await d.startSuperConductor();
  const server = await d.waitForStatus(id, ['ACTIVE', 'ERROR'], 20_000);
  t.is(server['status'], 'ACTIVE');
});
