import test from 'ava';
import { select } from '../../ops/runtime-db/index.js';
import { TestDeployment, waitFor } from '../../ops/testing/index.js';

// Spawns here take a minute: a build outlives instance_build_timeout while its host is up and busy.
let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({
    cells: [{ name: 'slow', pools: [{ prefix: 's', hosts: 1, driver: { spawnMs: 60_000 } }] }],
    config: { compute: { instance_build_timeout: 3 }, super_conductor: { build_watch_interval_ms: 500, build_stall_ms: 1000 } },
  });
  await d.quota('p1', { instances: -1, cores: -1, ram: -1 });
});
test.after.always(() => d?.stop());

test('build timeout - a build still spawning past compute.instance_build_timeout goes to ERROR with a fault and frees its claim; one on a live host is not cast again before that', async (t) => {
  const id = (await d.boot({ name: 'slow' })).body.server.id;
  const server = await d.waitForStatus(id, ['ACTIVE', 'ERROR'], 60_000);
  t.is(server['status'], 'ERROR');
  t.regex(String((server['fault'] as { message: string }).message), /timed out/);
  // The claim is freed right after the ERROR is written, in the API database.
  await waitFor(async () => (await d.allocations(id)).length === 0, 30_000, 'the timed-out build to free its claim');
  const events = await select<{ event: string }>(d.cellDb('slow'), 'SELECT e.event FROM instance_actions_events e JOIN instance_actions a ON a.id = e.action_id WHERE a.instance_uuid = ?', [id]);
  t.is(events.filter((e) => e.event === 'compute_build_and_run_instance').length, 1, 'the spawning build was left to its host, not cast again');
});
