import test from 'ava';
import { select } from '../../ops/runtime-db/index.js';
import { TestDeployment } from '../../ops/testing/deployment.js';
import { waitFor } from '../../ops/testing/index.js';

// Hosts heartbeat every half second and count as down after 3 s without one; the super-conductor
// maps new hosts every second, as `discover_hosts_in_cells_interval` would in production.
let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({
    cells: [{ name: 'cell1', pools: [{ prefix: 'small', hosts: 2, driver: { memory_mb: 4096 } }] }],
    config: { compute: { report_interval: 0.5, service_down_time: 3 }, scheduler: { discover_hosts_in_cells_interval: 1 } },
  });
  await d.flavor('big', 2, 16384);
});
test.after.always(() => d?.stop());

const admin = { roles: 'admin' };
const at = { 'OpenStack-API-Version': 'compute 2.53' };

interface Service {
  host: string;
  state: string;
  status: string;
}

async function services(prefix: string): Promise<Service[]> {
  const res = await d.request<{ services: Service[] }>('GET', '/v2.1/os-services?binary=nova-compute', undefined, admin, at);
  return res.body.services.filter((s) => s.host.startsWith(`${prefix}-`));
}

async function hypervisorCount(): Promise<number> {
  const res = await d.request<{ hypervisors: unknown[] }>('GET', '/v2.1/os-hypervisors', undefined, admin, at);
  return res.body.hypervisors.length;
}

test.serial('a pool of 200 hosts is discovered, schedulable and kept up; killed, its hosts go down after service_down_time and are not picked', async (t) => {
  const pool = await d.addPool('cell1', { prefix: 'big', hosts: 200 });
  // Nobody runs `cellctl host discover`: the super-conductor maps the new hosts by itself.
  await waitFor(async () => (await hypervisorCount()) === 202, 20_000, 'the 200 new hosts to be mapped');
  await d.schedulerKnows(202); // the scheduler takes in new hosts once their providers exist

  const fits = await d.boot({ flavorRef: 'big' });
  const placed = await d.waitForStatus(fits.body.server.id, ['ACTIVE', 'ERROR']);
  t.is(placed['status'], 'ACTIVE', JSON.stringify(placed['fault']));
  t.regex(String(placed['OS-EXT-SRV-ATTR:host']), /^big-/, 'only the new hosts have room for the big flavor');

  // Each host heartbeated more than service_down_time after it registered: only heartbeats keep it up.
  await waitFor(
    async () => {
      const [row] = await select<{ n: number }>(
        d.cellDb('cell1'),
        "SELECT COUNT(*) AS n FROM services WHERE host LIKE 'big-%' AND deleted = 0 AND last_seen_up > created_at + INTERVAL 3 SECOND",
      );
      return Number(row?.n) === 200;
    },
    15_000,
    'every new host to outlive service_down_time on its heartbeats',
  );
  const alive = await services('big');
  t.is(alive.length, 200);
  t.true(alive.every((s) => s.state === 'up'));

  await d.stopPool('cell1', pool, false);
  t.true((await services('big')).some((s) => s.state === 'up'), 'a killed pool says nothing: its hosts stay up for a while');
  await waitFor(async () => (await services('big')).every((s) => s.state === 'down'), 15_000, 'the killed hosts to go down');
  t.true((await services('small')).every((s) => s.state === 'up'), 'the live pool stays up');
  await d.schedulerRefreshed();

  const nowhere = await d.boot({ flavorRef: 'big' });
  const buried = await d.waitForStatus(nowhere.body.server.id, ['ACTIVE', 'ERROR']);
  t.is(buried['status'], 'ERROR', 'the big flavor fits only hosts that are down now');
  t.regex(String((buried['fault'] as { message: string }).message), /No valid host/);
  const tiny = await d.boot({ flavorRef: '1' });
  const onSmall = await d.waitForStatus(tiny.body.server.id, ['ACTIVE', 'ERROR']);
  t.is(onSmall['status'], 'ACTIVE');
  t.regex(String(onSmall['OS-EXT-SRV-ATTR:host']), /^small-/);
});

test.serial('a pool stopped gracefully marks its hosts down at once', async (t) => {
  const pool = await d.addPool('cell1', { prefix: 'brief', hosts: 20 });
  await waitFor(async () => (await services('brief')).filter((s) => s.state === 'up').length === 20, 20_000, 'the 20 hosts to be up');
  await d.stopPool('cell1', pool, true);
  const after = await services('brief');
  t.is(after.length, 20);
  t.true(after.every((s) => s.state === 'down'), 'down on the first look, well inside service_down_time');
});

test.serial('a heartbeat sent just before a clean stop does not mark the host up again', async (t) => {
  const pool = await d.addPool('cell1', { prefix: 'late', hosts: 2 });
  await waitFor(async () => (await services('late')).filter((s) => s.state === 'up').length === 2, 20_000, 'the 2 hosts to be up');
  // Stopped silently; the test sends the messages a host sends last: a heartbeat, then hosts_down.
  await d.stopPool('cell1', pool, false);
  const [bus] = d.cell('cell1').busses;
  if (!bus) throw new Error('the cell has no bus left');
  const conductor = d.conductorClient('cell1', bus);
  const reports = async (host: string): Promise<{ report_count: number; last_seen_up: Date | null } | undefined> =>
    (await select<{ report_count: number; last_seen_up: Date | null }>(d.cellDb('cell1'), 'SELECT report_count, last_seen_up FROM services WHERE host = ?', [host]))[0];
  conductor.heartbeat({ host: 'late-1', binary: 'nova-compute' });
  await conductor.hostsDown({ hosts: ['late-1'], binary: 'nova-compute' });
  // Another host's heartbeat, written by a flush after the stop: the first one would be written by now too.
  const before = Number((await reports('late-2'))?.report_count);
  conductor.heartbeat({ host: 'late-2', binary: 'nova-compute' });
  await waitFor(async () => Number((await reports('late-2'))?.report_count) > before, 10_000, 'the heartbeats to be written');
  t.is((await reports('late-1'))?.last_seen_up, null, 'late-1 stays down');
  t.true((await services('late')).some((s) => s.host === 'late-1' && s.state === 'down'));
});
