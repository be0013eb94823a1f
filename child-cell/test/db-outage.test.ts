import test from 'ava';
import { TcpProxy, TestDeployment, waitFor } from '../../ops/testing/index.js';

// The cell's database is reached through a relay this file cuts; spawns take 2 s, so one can end
// while the database is away.
const relay = new TcpProxy('127.0.0.1', 3306);
let d: TestDeployment;
test.before(async () => {
  await relay.start();
  d = await TestDeployment.start({
    cells: [{ name: 'one', pools: [{ prefix: 'q', hosts: 1, driver: { spawnMs: 2000 } }], dbServer: `mysql://root@127.0.0.1:${relay.port}` }],
    config: { database: { connect_timeout_ms: 1000 } },
  });
  await d.quota('p1', { instances: -1, cores: -1, ram: -1 });
});
test.after.always(async () => {
  await relay.start().catch(() => undefined);
  await d?.stop();
  await relay.cut();
});

test('db outage - a spawn that ends while the cell database is away is written once it is back: ACTIVE, not stuck spawning', async (t) => {
  const id = (await d.boot({ name: 'mid-spawn' })).body.server.id;
  await waitFor(async () => (await d.show(id)).body.server['OS-EXT-STS:task_state'] === 'spawning', 30_000, 'the spawn to be under way');
  await relay.cut();
  // The spawn ends (2 s) while the database is away: the host's report fails, and is sent again.
  const failedUpdates = async (): Promise<number> => {
    const metric = await d.cell('one').conductorMetrics[0]?.getSingleMetric('cellstack_conductor_messages_total')?.get();
    return (metric?.values ?? []).filter((v) => v.labels['method'] === 'instance_update' && v.labels['outcome'] === 'error').reduce((n, v) => n + v.value, 0);
  };
  await waitFor(async () => (await failedUpdates()) > 0, 30_000, 'the host\'s report of the finished spawn to fail');
  t.is(d.builds.active + d.builds.failed, 0, 'the host has not given up on it');
  await relay.start();
  const server = await d.waitForStatus(id, ['ACTIVE', 'ERROR'], 60_000);
  t.is(server['status'], 'ACTIVE', JSON.stringify(server['fault']));
});
