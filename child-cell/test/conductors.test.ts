import test from 'ava';
import { connectBus, type NatsConnection, type Registry } from '../../ops/runtime/index.js';
import { select } from '../../ops/runtime-db/index.js';
import { TestDeployment } from '../../ops/testing/index.js';
import { COMPUTE_BINARY } from '../bus/index.js';
import { ConductorClient } from '../conductor/index.js';

let d: TestDeployment;
let nc: NatsConnection;
let conductor: ConductorClient;
test.before(async () => {
  d = await TestDeployment.start({
    cells: [{ name: 'cell1', pools: [{ prefix: 'h', hosts: 10 }] }],
    config: { compute: { report_interval: 0.5 } },
  });
  await d.addConductor('cell1');
  await d.quota('p1', { instances: -1, cores: -1, ram: -1 });
  nc = await connectBus(d.cell('cell1').mapping.transportUrl, { name: 'conductors test' });
  conductor = d.conductorClient('cell1', nc);
});
test.after.always(async () => {
  await nc?.close();
  await d?.stop();
});

async function handled(registry: Registry): Promise<number> {
  const metric = await registry.getSingleMetric('cellstack_conductor_messages_total')?.get();
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

const rows = <T extends object>(sql: string, values: unknown[] = []) => select<T>(d.cellDb('cell1'), sql, values);

test.serial('two conductors in one cell share its messages: both handle some, every boot ends ACTIVE', async (t) => {
  const [first, second] = d.cell('cell1').conductorMetrics;
  if (!first || !second) throw new Error('expected two conductors');
  const before = [await handled(first), await handled(second)];
  const ids = await Promise.all(Array.from({ length: 20 }, async (_, i) => (await d.boot({ name: `shared-${i}` })).body.server.id));
  for (const id of ids) t.is((await d.waitForStatus(id, ['ACTIVE', 'ERROR']))['status'], 'ACTIVE');
  const after = [await handled(first), await handled(second)];
  t.true((after[0] ?? 0) > (before[0] ?? 0), `the first conductor handled ${(after[0] ?? 0) - (before[0] ?? 0)}`);
  t.true((after[1] ?? 0) > (before[1] ?? 0), `the second conductor handled ${(after[1] ?? 0) - (before[1] ?? 0)}`);
});

test.serial('a host registering twice has one service record and one compute node', async (t) => {
  const args = {
    host: 'twice-1',
    binary: COMPUTE_BINARY,
    topic: 'compute',
    version: 1,
    node: { uuid: '5b9f2d3e-1111-4aaa-8bbb-000000000001', hypervisor_hostname: 'twice-1', hypervisor_type: 'fake', vcpus: 8, memory_mb: 8192, local_gb: 100, cpu_allocation_ratio: 4, ram_allocation_ratio: 1, disk_allocation_ratio: 1 },
  };
  const once = await conductor.registerHost(args);
  const again = await conductor.registerHost(args);
  t.deepEqual(again, once);
  t.is((await rows('SELECT id FROM services WHERE host = ? AND deleted = 0', ['twice-1'])).length, 1);
  t.is((await rows('SELECT id FROM compute_nodes WHERE host = ? AND deleted = 0', ['twice-1'])).length, 1);
});

test.serial('an instance update delivered twice is applied once: the second finds it already holds and changes nothing', async (t) => {
  const id = (await d.boot({ name: 'stop-twice' })).body.server.id;
  await d.waitForStatus(id, ['ACTIVE']);
  const [instance] = await rows<{ host: string }>('SELECT host FROM instances WHERE uuid = ?', [id]);
  // As if a stop were under way on the host; the host then reports it done, and the report arrives twice.
  await d.cellDb('cell1').sequelize.query("UPDATE instances SET task_state = 'powering-off' WHERE uuid = ?", { replacements: [id] });
  const update = {
    uuid: id,
    host: instance?.host ?? '',
    updates: { vm_state: 'stopped', power_state: 4, task_state: null },
    expected_task_state: ['powering-off'],
    event: { action: 'stop', event: 'compute_stop_instance', result: 'Success' as const },
  };
  await conductor.instanceUpdate(update, 'req-stop-twice');
  const snapshot = async () => ({
    instance: await rows('SELECT vm_state, task_state, power_state, updated_at FROM instances WHERE uuid = ?', [id]),
    events: await rows('SELECT e.event, e.result FROM instance_actions_events e JOIN instance_actions a ON a.id = e.action_id WHERE a.instance_uuid = ?', [id]),
  });
  const once = await snapshot();
  await conductor.instanceUpdate(update, 'req-stop-twice');
  t.deepEqual(await snapshot(), once);
  t.is((await d.show(id)).body.server['status'], 'SHUTOFF');
});

test.serial('a destroy delivered twice deletes once and records one event', async (t) => {
  const id = (await d.boot({ name: 'destroy-twice' })).body.server.id;
  await d.waitForStatus(id, ['ACTIVE']);
  const [instance] = await rows<{ host: string }>('SELECT host FROM instances WHERE uuid = ?', [id]);
  const first = await conductor.instanceDestroy({ uuid: id, host: instance?.host ?? '' }, 'req-destroy-twice');
  const second = await conductor.instanceDestroy({ uuid: id, host: instance?.host ?? '' }, 'req-destroy-twice');
  t.true(first.deleted);
  t.false(second.deleted);
  const events = await rows('SELECT e.id FROM instance_actions_events e JOIN instance_actions a ON a.id = e.action_id WHERE a.instance_uuid = ? AND e.event = ?', [id, 'compute_terminate_instance']);
  t.is(events.length, 1);
});

test.serial('heartbeats and hosts_down delivered twice leave the same state', async (t) => {
  conductor.heartbeat({ host: 'h-1', binary: COMPUTE_BINARY });
  conductor.heartbeat({ host: 'h-1', binary: COMPUTE_BINARY });
  const down = { hosts: ['twice-1'], binary: COMPUTE_BINARY };
  t.is((await conductor.hostsDown(down)).marked, 1);
  await conductor.hostsDown(down);
  const [service] = await rows<{ last_seen_up: Date | null }>('SELECT last_seen_up FROM services WHERE host = ?', ['twice-1']);
  t.is(service?.last_seen_up, null);
});

async function handledOf(method: string): Promise<number> {
  let sum = 0;
  for (const registry of d.cell('cell1').conductorMetrics) {
    const metric = await registry.getSingleMetric('cellstack_conductor_messages_total')?.get();
    sum += (metric?.values ?? []).filter((v) => v.labels['method'] === method).reduce((s, v) => s + v.value, 0);
  }
  return sum;
}

test.serial("a pool's instance updates travel together, each with its own result: a refused one fails alone", async (t) => {
  const ids = await Promise.all(['together-1', 'together-2', 'together-3'].map(async (name) => (await d.boot({ name })).body.server.id));
  for (const id of ids) await d.waitForStatus(id, ['ACTIVE']);
  await d.cellDb('cell1').sequelize.query("UPDATE instances SET task_state = 'powering-off' WHERE uuid IN (?)", { replacements: [ids] });
  const hosts = await rows<{ uuid: string; host: string }>('SELECT uuid, host FROM instances WHERE uuid IN (?)', [ids]);
  const hostOf = new Map(hosts.map((h) => [h.uuid, h.host]));
  const batching = new ConductorClient(nc, d.cell('cell1').mapping.uuid, { batchUpdates: true });
  const stop = (uuid: string, expected: string) => ({
    uuid,
    host: hostOf.get(uuid) ?? '',
    updates: { vm_state: 'stopped', power_state: 4, task_state: null },
    expected_task_state: [expected],
    event: { action: 'stop', event: 'compute_stop_instance', result: 'Success' as const },
  });
  const before = await handledOf('instance_updates');
  const [a, b, c] = ids as [string, string, string];
  // Many at once, as a pool's hosts send them in a burst: the first goes alone, the rest together.
  const burst = [stop(a, 'powering-off'), stop(b, 'rebooting'), stop(c, 'powering-off'), ...Array.from({ length: 12 }, () => stop(a, 'powering-off'))];
  const outcomes = await Promise.allSettled(burst.map((u, i) => batching.instanceUpdate(u, `req-together-${i % 3}`)));
  t.is(outcomes[0]?.status, 'fulfilled');
  t.is(outcomes[2]?.status, 'fulfilled');
  const refused = outcomes[1];
  t.is(refused?.status, 'rejected', 'the update expecting another task is refused');
  // The same error a host would get from instance_update alone: a state conflict it knows how to handle.
  t.is(((refused as PromiseRejectedResult).reason as { code?: string }).code, 'unexpected_state');
  t.true(outcomes.slice(3).every((o) => o.status === 'fulfilled'), 'the same update again is harmless');
  const messages = (await handledOf('instance_updates')) - before;
  t.true(messages >= 1 && messages < burst.length, `${burst.length} updates took ${messages} messages`);
  t.is((await d.show(a)).body.server['status'], 'SHUTOFF');
  t.is((await d.show(c)).body.server['status'], 'SHUTOFF');
  t.is((await rows<{ task_state: string }>('SELECT task_state FROM instances WHERE uuid = ?', [b]))[0]?.task_state, 'powering-off');
});
