import { randomUUID } from 'node:crypto';
import test from 'ava';
import { execute, openDatabase } from '../../../ops/runtime-db/index.js';
import { fault, TestDeployment } from '../../../ops/testing/index.js';
import { toFault } from '../errors.js';

let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({ cells: [{ name: 'one', pools: [{ prefix: 'h', hosts: 1 }] }] });
});
test.after.always(() => d?.stop());

const server = () => ({ name: 'vm', flavorRef: '1', imageRef: d.image.uuid, networks: 'none' });

test.serial('input - a database failure while looking an image up is a server error, not "image not found"', async (t) => {
  await execute(d.api, 'RENAME TABLE images TO images_away');
  try {
    fault(t, await d.boot({ imageRef: randomUUID() }), 500, 'computeFault');
  } finally {
    await execute(d.api, 'RENAME TABLE images_away TO images');
  }
  t.is((await d.boot({ imageRef: randomUUID() })).status, 400);
});

test('input - an API database that does not answer is a 503', async (t) => {
  const gone = openDatabase('mysql://root@127.0.0.1:1/gone', { poolMax: 1 });
  const err = await gone.query('SELECT 1').catch((e: unknown) => e);
  await gone.close();
  t.like(toFault(err), { status: 503, name: 'serviceUnavailable' });
});

test('input - malformed JSON is a 400, not a 500', async (t) => {
  fault(t, await d.request('POST', '/v2.1/servers', '{"server": {'), 400, 'badRequest', /^Malformed request body$/);
});

test('input - a body that breaks the schema is a 400 naming the field', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{}, /'server' is a required property/],
    [{ server: { ...server(), name: 'x'.repeat(256) } }, /field\/attribute server\/name.*is too long/],
    [{ server: { ...server(), name: ' padded ' } }, /server\/name/],
    [{ server: { ...server(), bogus: 1 } }, /Additional properties are not allowed \('bogus' was unexpected\)/],
    [{ server: { ...server(), min_count: 0 } }, /server\/min_count/],
    [{ server: { ...server(), max_count: 'many' } }, /server\/max_count/],
    [{ server: { ...server(), metadata: { k: 5 } } }, /server\/metadata\/k/],
    [{ server: { ...server(), accessIPv4: '999.1.1.1' } }, /server\/accessIPv4/],
    [{ server: server(), 'os:scheduler_hints': { group: 'not-a-uuid' } }, /scheduler_hints\/group/],
    [[1, 2, 3], /body/],
  ];
  for (const [body, message] of cases) fault(t, await d.request('POST', '/v2.1/servers', body), 400, 'badRequest', message);
});

test('input - unknown flavor, unknown image, and max_count below min_count are 400s', async (t) => {
  fault(t, await d.boot({ flavorRef: '999' }), 400, 'badRequest', /Flavor 999 could not be found/);
  fault(t, await d.boot({ imageRef: '6f0b3c39-0a5c-4f36-9d2a-5a8fb2e4b1a7' }), 400, 'badRequest', /Image .* could not be found/);
  fault(t, await d.boot({ min_count: 3, max_count: 2 }), 400, 'badRequest', /min_count \(3\) must be <= max_count \(2\)/);
  fault(t, await d.boot({ networks: [{ uuid: '6f0b3c39-0a5c-4f36-9d2a-5a8fb2e4b1a7' }] }), 400, 'badRequest', /Network .* could not be found/);
  fault(t, await d.boot({ key_name: 'nope' }), 400, 'badRequest', /Invalid key_name provided/);
  fault(t, await d.boot({ availability_zone: 'atlantis' }), 400, 'badRequest', /availability zone is not available/);
});

test('input - over quota is a 403 and charges nothing', async (t) => {
  await d.quota('pq', { instances: 1 });
  const first = await d.boot({}, { project: 'pq' });
  t.is(first.status, 202);
  fault(t, await d.boot({}, { project: 'pq' }), 403, 'forbidden', /^Quota exceeded for instances: Requested 1, but already used 1 of 1 instances$/);
  // m1.xlarge has 8 vCPUs: three of them are 24 cores, over the default 20.
  fault(t, await d.boot({ flavorRef: '5', min_count: 3 }, { project: 'pq2' }), 403, 'forbidden', /^Quota exceeded for cores: Requested 24, but already used 0 of 20 cores$/);
  t.deepEqual(await d.usage('pq'), { instances: 1, cores: 1, ram: 512 });
});

test('input - wrong content type is a 415, too large a body a 413', async (t) => {
  fault(t, await d.request('POST', '/v2.1/servers', JSON.stringify({ server: server() }), {}, { 'content-type': 'text/plain' }), 415, 'badMediaType');
  const big = JSON.stringify({ server: { ...server(), user_data: 'A'.repeat(200_000) } });
  fault(t, await d.request('POST', '/v2.1/servers', big), 413, 'overLimit', /too large/);
});

test('input - unknown routes are 404, wrong methods 405, missing identity 401', async (t) => {
  fault(t, await d.request('GET', '/v2.1/nothing-here'), 404, 'itemNotFound');
  fault(t, await d.request('PATCH', '/v2.1/servers/6f0b3c39-0a5c-4f36-9d2a-5a8fb2e4b1a7', {}), 405, 'badMethod');
  fault(t, await d.request('GET', '/v2.1/servers/not-a-uuid'), 404, 'itemNotFound', /Instance not-a-uuid could not be found/);
  const anonymous = await fetch(`${d.apiUrl}/v2.1/servers/x`);
  t.is(anonymous.status, 401);
  t.deepEqual(Object.keys((await anonymous.json()) as object), ['unauthorized']);
});

test('input - microversions: headers echo the version; unsupported is 406, malformed 400', async (t) => {
  const res = await d.request('GET', '/v2.1/servers/6f0b3c39-0a5c-4f36-9d2a-5a8fb2e4b1a7', undefined, {}, { 'openstack-api-version': 'compute 2.1' });
  t.is(res.headers.get('openstack-api-version'), 'compute 2.1');
  t.is(res.headers.get('x-openstack-nova-api-version'), '2.1');
  t.regex(res.headers.get('vary') ?? '', /OpenStack-API-Version/);
  t.regex(res.headers.get('x-openstack-request-id') ?? '', /^req-[0-9a-f-]{36}$/);
  t.is(res.headers.get('x-compute-request-id'), res.headers.get('x-openstack-request-id'));
  fault(t, await d.request('GET', '/v2.1/servers/x', undefined, {}, { 'openstack-api-version': 'compute 9.99' }), 406, 'computeFault', /not supported by the API/);
  fault(t, await d.request('GET', '/v2.1/servers/x', undefined, {}, { 'x-openstack-nova-api-version': 'two' }), 400, 'badRequest', /invalid format/);
});

test('input - a burst of random and malformed requests never gets a 5xx', async (t) => {
  const bodies: unknown[] = [
    null, 0, 'x', [], {}, { server: null }, { server: [] }, { server: { name: null } },
    { server: { ...server(), flavorRef: {} } }, { server: { ...server(), metadata: [] } },
    { server: { ...server(), min_count: -1 } }, { server: { ...server(), tags: ['a/b'] } },
    { server: { ...server(), user_data: '%%%' } }, { server: { ...server(), security_groups: 'x' } },
    { server: { ...server(), flavorRef: 'x'.repeat(300) } }, { server: { ...server(), imageRef: 5 } },
  ];
  const paths = ['/v2.1/servers', '/v2.1/servers/', '/v2.1/servers/%00', '/v2.1//servers', '/v2.1/servers/..%2f', '/placement/allocations/x'];
  const statuses = new Set<number>();
  const requests: Promise<{ status: number }>[] = [];
  for (let i = 0; i < 400; i += 1) {
    const body = bodies[i % bodies.length];
    const path = paths[i % paths.length] ?? '/';
    const method = ['POST', 'GET', 'DELETE', 'PUT'][i % 4] ?? 'GET';
    requests.push(d.request(method, path, method === 'GET' || method === 'DELETE' ? undefined : JSON.stringify(body)).catch(() => ({ status: 0 })));
  }
  for (const res of await Promise.all(requests)) statuses.add(res.status);
  t.false([...statuses].some((s) => s >= 500 || s === 0), `statuses seen: ${[...statuses].join(', ')}`);
  t.is((await fetch(`${d.apiUrl}/healthcheck`)).status, 200, 'the API is still healthy');
});

test('input - create fields arrive with their microversions: description 2.19, tags 2.52, hostname 2.90', async (t) => {
  const at = (version: string) => ({ 'openstack-api-version': `compute ${version}` });
  const cases: [Record<string, unknown>, string][] = [
    [{ description: 'about' }, '2.19'],
    [{ tags: ['blue'] }, '2.52'],
    [{ hostname: 'web-1' }, '2.90'],
  ];
  for (const [extra, since] of cases) {
    const [field] = Object.keys(extra);
    const [major, minor] = since.split('.').map(Number);
    const before = `${major}.${(minor ?? 0) - 1}`;
    fault(t, await d.request('POST', '/v2.1/servers', { server: { ...server(), ...extra } }, {}, at(before)), 400, 'badRequest', new RegExp(`\\('${field}' was unexpected\\)`));
    t.is((await d.request('POST', '/v2.1/servers', { server: { ...server(), ...extra } }, {}, at(since))).status, 202, `${field} at ${since}`);
  }
  const named = await d.request<{ server: { id: string } }>('POST', '/v2.1/servers', { server: { ...server(), name: 'Display Name', hostname: 'web-1' } }, {}, at('2.90'));
  const shown = await d.request<{ server: Record<string, unknown> }>('GET', `/v2.1/servers/${named.body.server.id}`, undefined, {}, at('2.90'));
  t.is(shown.body.server['OS-EXT-SRV-ATTR:hostname'], 'web-1', 'the hostname given, not one made from the name');
});
