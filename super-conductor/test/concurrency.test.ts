import test from 'ava';
import { select } from '../../ops/runtime-db/index.js';
import { TestDeployment } from '../../ops/testing/index.js';

let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({
    cells: [
      { name: 'one', pools: [{ prefix: 'one', hosts: 25, driver: { vcpus: 4 } }] },
      { name: 'two', pools: [{ prefix: 'two', hosts: 25, driver: { vcpus: 4 } }] },
    ],
    // 4 vCPUs and no overcommit: each host fits exactly four m1.tiny servers.
    config: { compute: { cpu_allocation_ratio: 1 } },
    superConductors: 2,
  });
  await d.quota('p1', { instances: -1, cores: -1, ram: -1 });
});
test.after.always(() => d?.stop());

test('concurrency - 300 concurrent boots on 50 hosts that fit 4 each: 200 ACTIVE, 100 no valid host, none over capacity', async (t) => {
  const responses = await Promise.all(Array.from({ length: 300 }, (_, i) => d.boot({ name: `rush-${i}` })));
  t.deepEqual([...new Set(responses.map((r) => r.status))], [202]);
  const ids = responses.map((r) => r.body.server.id);
  const servers = await Promise.all(ids.map((id) => d.waitForStatus(id, ['ACTIVE', 'ERROR'], 120_000)));
  const byStatus = servers.reduce<Record<string, number>>((acc, s) => ({ ...acc, [String(s['status'])]: (acc[String(s['status'])] ?? 0) + 1 }), {});
  t.deepEqual(byStatus, { ACTIVE: 200, ERROR: 100 });
  for (const s of servers.filter((x) => x['status'] === 'ERROR')) {
    t.is((s['fault'] as Record<string, unknown>)['message'], 'No valid host was found. There are not enough hosts available.');
  }
  const perHost = new Map<string, number>();
  for (const cell of ['one', 'two']) {
    const rows = await select<{ host: string; n: number }>(d.cellDb(cell), "SELECT host, COUNT(*) AS n FROM instances WHERE deleted = 0 AND vm_state = 'active' GROUP BY host");
    for (const r of rows) perHost.set(r.host, Number(r.n));
  }
  t.is(perHost.size, 50, 'every host got servers');
  t.true([...perHost.values()].every((n) => n === 4), `no host holds more than 4: ${JSON.stringify(Object.fromEntries(perHost))}`);
  const claims = await select<{ host: string; vcpus: number }>(
    d.api,
    "SELECT rp.host, SUM(a.used) AS vcpus FROM allocations a JOIN resource_providers rp ON rp.id = a.resource_provider_id WHERE a.resource_class = 'VCPU' GROUP BY rp.host",
  );
  t.is(claims.length, 50);
  t.true(claims.every((c) => Number(c.vcpus) === 4), 'placement agrees: 4 vCPUs claimed on every host');
});
