import test from 'ava';
import { select } from '../../ops/runtime-db/index.js';
import { TestDeployment, waitFor } from '../../ops/testing/index.js';

// Hosts that die keep their last heartbeat for service_down_time (60 s): the scheduler must not
// wait for that. Casts time out fast and the watchdog looks often, so faults show quickly.
const pool = (prefix: string) => ({ prefix, hosts: 3 });
let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({
    cells: [{ name: 'a', pools: [pool('a')] }, { name: 'b', pools: [pool('b')] }],
    config: {
      super_conductor: { cast_timeout_ms: 1500, build_watch_interval_ms: 500, build_stall_ms: 2000 },
      scheduler: { shuffle_best_same_weighed_hosts: true, unreachable_host_ms: 4000 },
    },
  });
  await d.quota('p1', { instances: -1, cores: -1, ram: -1 });
  await d.quota('admin', { instances: -1, cores: -1, ram: -1 });
});
test.after.always(() => d?.stop());

const bootMany = async (n: number, name: string) =>
  Promise.all(Array.from({ length: n }, async (_, i) => (await d.boot({ name: `${name}-${i}` })).body.server.id as string));

async function settleAll(ids: string[]) {
  return Promise.all(ids.map((id) => d.waitForStatus(id, ['ACTIVE', 'ERROR'], 90_000)));
}

async function allocatedHosts(ids: string[]): Promise<string[]> {
  const rows = await select<{ host: string }>(
    d.api,
    `SELECT rp.host FROM allocations a JOIN resource_providers rp ON rp.id = a.resource_provider_id
      WHERE a.resource_class = 'VCPU' AND a.consumer_id IN (${ids.map(() => '?').join(', ')})`,
    ids,
  );
  return rows.map((r) => r.host);
}

test.serial('faults - builds cast to a killed pool end ACTIVE on live hosts, none in ERROR, one allocation each', async (t) => {
  const [dead] = d.cell('a').pools;
  if (!dead) throw new Error('cell a has no pool');
  await d.stopPool('a', dead, false); // Its hosts still look up: their last heartbeat is fresh.
  const ids = await bootMany(12, 'dead-pool');
  const servers = await settleAll(ids);
  t.deepEqual(servers.map((s) => s['status']), ids.map(() => 'ACTIVE'), 'no server failed for a host that never started it');
  const hosts = servers.map((s) => String(s['OS-EXT-SRV-ATTR:host']));
  t.true(hosts.every((h) => h.startsWith('b-')), `every server is on a live host: ${hosts.join(' ')}`);
  const allocated = await allocatedHosts(ids);
  t.is(allocated.length, ids.length, 'one allocation per server');
  t.deepEqual([...allocated].sort(), [...hosts].sort(), 'each on the host it runs on');
  const rows = await select<{ n: number }>(d.cellDb('a'), 'SELECT COUNT(*) AS n FROM instances WHERE deleted = 0');
  t.is(Number(rows[0]?.n), 0, 'no row is left behind in the dead pool\'s cell');
  await d.addPool('a', pool('a'));
});

test.serial('faults - builds cast while their cell\'s bus is down wait for it and end ACTIVE once it is back', async (t) => {
  // Asked for on cell a's hosts (2.74), so only that cell's bus can carry them.
  const [host] = (await select<{ host: string }>(d.cellDb('a'), "SELECT host FROM services WHERE deleted = 0 AND `binary` = 'nova-compute' ORDER BY host LIMIT 1")).map((r) => r.host);
  if (!host) throw new Error('cell a has no host');
  const admin = { user: 'admin', project: 'admin', roles: 'admin' };
  const nats = d.cell('a').nats;
  await nats.stop('SIGKILL');
  const ids = await Promise.all(
    Array.from({ length: 4 }, async (_, i) => {
      const server = { name: `bus-down-${i}`, flavorRef: '1', imageRef: d.image.uuid, networks: 'none', host };
      const res = await d.request<{ server: { id: string } }>('POST', '/v2.1/servers', { server }, admin, { 'openstack-api-version': 'compute 2.74' });
      t.is(res.status, 202, JSON.stringify(res.body));
      return res.body.server.id;
    }),
  );
  // The bus comes back only once a build was written into the cell, cast, not taken, and handed back.
  const inCell = async () => Number((await select<{ n: number }>(d.cellDb('a'), `SELECT COUNT(*) AS n FROM instances WHERE uuid IN (${ids.map(() => '?').join(', ')})`, ids))[0]?.n);
  await waitFor(async () => (await inCell()) > 0, 60_000, 'a build to be written into the cell and cast');
  await waitFor(async () => (await inCell()) === 0, 60_000, 'the builds no host took to be handed back');
  await nats.start();
  const servers = await settleAll(ids);
  t.deepEqual(servers.map((s) => s['status']), ids.map(() => 'ACTIVE'), 'no server failed for a bus that was only away');
  t.true(servers.every((s) => s['OS-EXT-SRV-ATTR:host'] === host));
  t.is((await allocatedHosts(ids)).length, ids.length, 'one allocation per server');
});
