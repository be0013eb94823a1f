import test from 'ava';
import { createLogger } from '../../ops/runtime/index.js';
import { select } from '../../ops/runtime-db/index.js';
import { TestDeployment } from '../../ops/testing/index.js';
import { buildReservations, type BuildDeps } from '../boot/index.js';
import { HostStateCache, Scheduler } from '../scheduler/index.js';

// No super-conductor runs here: the test drives the build pipeline itself, twice at once.
let d: TestDeployment;
let deps: BuildDeps;
let cache: HostStateCache;
test.before(async () => {
  d = await TestDeployment.start({ cells: [{ name: 'one', pools: [{ prefix: 'solo', hosts: 1 }] }], superConductors: 0 });
  await d.quota('p1', { instances: -1, cores: -1, ram: -1 });
  const log = createLogger('overlap-test', 'silent');
  const serviceDownTimeMs = d.config.compute.service_down_time * 1000;
  cache = new HostStateCache(d.api, d.registry, { defaultAvailabilityZone: d.config.scheduler.default_availability_zone, serviceDownTimeMs, log });
  await cache.fullRefresh();
  const scheduler = new Scheduler(cache, d.api, { config: d.config.scheduler, serviceDownTimeMs, log });
  deps = { api: d.api, network: d.network, registry: d.registry, scheduler, castTimeoutMs: d.config.super_conductor.cast_timeout_ms, requeue: async () => undefined, waitForHostsMs: 0, log };
});
test.after.always(() => d?.stop());

test('overlap - two runs of one build job at once leave the server found, ACTIVE and holding its allocation', async (t) => {
  const res = await d.boot({ name: 'twice-at-once', return_reservation_id: true });
  t.is(res.status, 202);
  const rid = String(res.body.reservation_id);
  const [mapping] = await select<{ instance_uuid: string }>(d.api, 'SELECT instance_uuid FROM instance_mappings WHERE project_id = ?', ['p1']);
  const id = mapping?.instance_uuid ?? '';
  const job = { v: 1, reservation_id: rid, instance_uuids: [id], min_count: 1, request_id: 'req-overlap' };
  // A retried job, or one a second super-conductor took while the first still ran it.
  await Promise.all([buildReservations(deps, [job]), buildReservations(deps, [job])]);
  const server = await d.waitForStatus(id, ['ACTIVE', 'ERROR']);
  t.is(server['status'], 'ACTIVE');
  t.is(await d.mappedCell(id), 'one');
  t.deepEqual((await d.allocations(id)).map((a) => a.host), ['solo-1', 'solo-1', 'solo-1']);
  const rows = await select<{ deleted: number }>(d.cellDb('one'), 'SELECT deleted FROM instances WHERE uuid = ?', [id]);
  t.deepEqual(rows.map((r) => Number(r.deleted)), [0], 'one live row in the cell');
});

test.serial('overlap - a provider read before a claim committed does not undo the claim in the scheduler cache', async (t) => {
  await cache.fullRefresh();
  const [solo] = cache.all();
  if (!solo) throw new Error('the host is not in the cache');
  const before = solo.provider;
  const claimed = { ...before, generation: before.generation + 1, usages: { ...before.usages, MEMORY_MB: (before.usages['MEMORY_MB'] ?? 0) + 512 } };
  cache.applyProviders([claimed]);
  // A refresh whose read began before the claim: the same provider, one generation behind.
  cache.applyProviders([before]);
  t.is(cache.all()[0]?.provider.generation, claimed.generation);
  t.is(cache.all()[0]?.provider.usages['MEMORY_MB'], claimed.usages.MEMORY_MB);
  // The provider made again (a new row, so a new id) replaces it whatever its generation.
  cache.applyProviders([{ ...before, id: before.id + 1000, generation: 0 }]);
  t.is(cache.all()[0]?.provider.generation, 0);
  // And the database's row, once read again, replaces that one in turn.
  await cache.fullRefresh();
  t.deepEqual(cache.all()[0]?.provider, before);
});
