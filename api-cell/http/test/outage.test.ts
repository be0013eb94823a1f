import test from 'ava';
import { TcpProxy, TestDeployment, waitFor } from '../../../ops/testing/index.js';

// The API database is reached through a relay this file can cut: the shared MariaDB stays up.
const relay = new TcpProxy('127.0.0.1', 3306);
let d: TestDeployment;
test.before(async () => {
  await relay.start();
  d = await TestDeployment.start({
    cells: [{ name: 'one', pools: [{ prefix: 'o', hosts: 2 }] }],
    apiDbServer: `mysql://root@127.0.0.1:${relay.port}`,
    config: { database: { connect_timeout_ms: 1000 } },
  });
  await d.quota('p1', { instances: -1, cores: -1, ram: -1 });
});
test.after.always(async () => {
  await relay.start().catch(() => undefined);
  await d?.stop();
  await relay.cut();
});

test.serial('outage - with the API database away, reads and writes answer 503 with Retry-After, and nothing is half-written', async (t) => {
  const first = (await d.boot({ name: 'before' })).body.server.id;
  await d.waitForStatus(first, ['ACTIVE']);

  await relay.cut();
  for (const [method, path, body] of [
    ['GET', '/v2.1/servers/detail', undefined],
    ['GET', `/v2.1/servers/${first}`, undefined],
    ['GET', '/v2.1/flavors', undefined],
    ['POST', '/v2.1/servers', { server: { name: 'during', flavorRef: '1', imageRef: d.image.uuid, networks: 'none' } }],
  ] as const) {
    const res = await d.request(method, path, body, {}, {});
    t.is(res.status, 503, `${method} ${path}: ${JSON.stringify(res.body)}`);
    t.deepEqual(Object.keys(res.body), ['serviceUnavailable'], 'in Nova\'s error shape');
    t.like(res.body['serviceUnavailable'], { code: 503 });
  }
  const raw = await fetch(`${d.apiUrl}/v2.1/flavors`, { headers: { 'x-user-id': 'u1', 'x-project-id': 'p1', 'x-roles': 'member' } });
  t.is(raw.headers.get('retry-after'), '5');

  await relay.start();
  await waitFor(async () => (await d.request('GET', '/v2.1/servers')).status === 200, 30_000, 'the API to answer again');
  const list = await d.request<{ servers: { id: string; name: string }[] }>('GET', '/v2.1/servers');
  t.deepEqual(list.body.servers.map((s) => s.name), ['before'], 'the refused create left nothing behind');
  const after = (await d.boot({ name: 'after' })).body.server.id;
  t.is((await d.waitForStatus(after, ['ACTIVE', 'ERROR']))['status'], 'ACTIVE');
});
