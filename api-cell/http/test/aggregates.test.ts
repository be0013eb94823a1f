import test from 'ava';
import { fault, TestDeployment } from '../../../ops/testing/index.js';

let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({
    cells: [
      { name: 'one', pools: [{ prefix: 'a', hosts: 2 }] },
      { name: 'two', pools: [{ prefix: 'b', hosts: 2 }] },
    ],
    // No periodic refresh within a test: a boot must not need one to see a zone just made.
    config: { scheduler: { host_state_refresh_ms: 600_000 } },
  });
});
test.after.always(() => d?.stop());

const admin = { roles: 'admin' };
const at = (version: string) => ({ 'openstack-api-version': `compute ${version}` });

type Aggregate = { id: number; uuid?: string; name: string; availability_zone: string | null; hosts?: string[]; metadata?: Record<string, string> };
type Zone = { zoneName: string; zoneState: { available: boolean }; hosts: Record<string, Record<string, { available: boolean; active: boolean; updated_at: string | null }>> | null };

const call = <T = { aggregate: Aggregate }>(method: string, path: string, body?: unknown, version = '2.1') =>
  d.request<T>(method, `/v2.1/os-aggregates${path}`, body, admin, at(version));
const create = (name: string, zone?: string) => call('POST', '', { aggregate: { name, ...(zone ? { availability_zone: zone } : {}) } });
const action = (id: number, body: unknown, version = '2.1') => call('POST', `/${id}/action`, body, version);

test.serial('aggregates - a member gets 403 on every endpoint', async (t) => {
  const { body } = await create('guarded');
  const id = body.aggregate.id;
  const member = {};
  const calls: [string, string, unknown?][] = [
    ['GET', '/v2.1/os-aggregates'],
    ['POST', '/v2.1/os-aggregates', { aggregate: { name: 'mine' } }],
    ['GET', `/v2.1/os-aggregates/${id}`],
    ['PUT', `/v2.1/os-aggregates/${id}`, { aggregate: { name: 'mine' } }],
    ['DELETE', `/v2.1/os-aggregates/${id}`],
    ['POST', `/v2.1/os-aggregates/${id}/action`, { add_host: { host: 'a-1' } }],
    ['POST', `/v2.1/os-aggregates/${id}/action`, { set_metadata: { metadata: { k: 'v' } } }],
    ['GET', '/v2.1/os-availability-zone/detail'],
  ];
  for (const [method, path, payload] of calls) fault(t, await d.request(method, path, payload, member), 403, /Policy doesn't allow/);
  fault(t, await d.request('GET', '/v2.1/os-aggregates', undefined, { roles: 'reader' }), 403);
  t.is((await call('GET', `/${id}`)).status, 200, 'nothing changed');
});

test.serial('aggregates - create, show, list, update and delete; uuid from 2.41', async (t) => {
  const made = await create('rack-1', 'london');
  t.is(made.status, 200);
  const a = made.body.aggregate;
  t.like(a, { name: 'rack-1', availability_zone: 'london', deleted: false, deleted_at: null, updated_at: null } as object);
  t.false('hosts' in a || 'metadata' in a || 'uuid' in a, 'creation answers without hosts, metadata, or (before 2.41) uuid');
  t.regex(String((a as unknown as { created_at: string }).created_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

  const shown = await call('GET', `/${a.id}`, undefined, '2.41');
  t.like(shown.body.aggregate, { id: a.id, name: 'rack-1', availability_zone: 'london', hosts: [], metadata: { availability_zone: 'london' } });
  t.regex(shown.body.aggregate.uuid ?? '', /^[0-9a-f-]{36}$/);
  t.false('uuid' in (await call('GET', `/${a.id}`)).body.aggregate);

  const list = await call<{ aggregates: Aggregate[] }>('GET', '', undefined, '2.41');
  t.true(list.body.aggregates.some((x) => x.id === a.id && x.uuid === shown.body.aggregate.uuid));

  fault(t, await create('rack-1'), 409, /^Aggregate rack-1 already exists\.$/);
  const renamed = await call('PUT', `/${a.id}`, { aggregate: { name: '  rack-2 ', availability_zone: 'paris' } });
  t.like(renamed.body.aggregate, { name: 'rack-2', availability_zone: 'paris', metadata: { availability_zone: 'paris' } });
  t.truthy((renamed.body.aggregate as unknown as { updated_at: string | null }).updated_at);
  fault(t, await call('PUT', `/${a.id}`, { aggregate: {} }), 400);
  fault(t, await call('PUT', `/${a.id}`, { aggregate: { availability_zone: null } }), 400, /does not support empty named availability zone/);

  const deleted = await call('DELETE', `/${a.id}`);
  t.is(deleted.status, 200);
  fault(t, await call('GET', `/${a.id}`), 404, new RegExp(`^Aggregate ${a.id} could not be found\\.$`));
  fault(t, await call('DELETE', `/${a.id}`), 404);
  fault(t, await call('GET', '/abc'), 400, /id must be an integer/);
});

test.serial('aggregates - add_host needs a mapped host; a host is in one zone only; remove_host of an absent host is 404', async (t) => {
  const east = (await create('east', 'east')).body.aggregate;
  const west = (await create('west', 'west')).body.aggregate;
  const plain = (await create('ssd')).body.aggregate;

  fault(t, await action(east.id, { add_host: { host: 'nowhere-1' } }), 404, /^Host 'nowhere-1' is not mapped to any cell$/);
  fault(t, await action(9999, { add_host: { host: 'a-1' } }), 404, /Aggregate 9999 could not be found/);
  const added = await action(east.id, { add_host: { host: 'a-1' } });
  t.is(added.status, 200);
  t.deepEqual(added.body.aggregate.hosts, ['a-1']);
  fault(t, await action(east.id, { add_host: { host: 'a-1' } }), 409, /already has host a-1/);
  fault(t, await action(west.id, { add_host: { host: 'a-1' } }), 409, /^Cannot add host to aggregate \d+\. Reason: One or more hosts already in availability zone\(s\) \['east'\]\.$/);
  t.is((await action(plain.id, { add_host: { host: 'a-1' } })).status, 200, 'an aggregate without a zone may share the host');
  fault(t, await action(plain.id, { set_metadata: { metadata: { availability_zone: 'west' } } }), 400, /already in availability zone\(s\) \['east'\]/);
  fault(t, await call('PUT', `/${plain.id}`, { aggregate: { availability_zone: 'west' } }), 400, /^Cannot update aggregate/);

  fault(t, await call('DELETE', `/${east.id}`), 400, /Host aggregate is not empty/);
  fault(t, await action(east.id, { remove_host: { host: 'b-1' } }), 404, new RegExp(`^Cannot remove host b-1 in aggregate ${east.id}$`));
  fault(t, await action(east.id, { remove_host: { host: 'nowhere-1' } }), 404, /not mapped to any cell/);
  t.deepEqual((await action(east.id, { remove_host: { host: 'a-1' } })).body.aggregate.hosts, []);
  t.deepEqual((await action(plain.id, { remove_host: { host: 'a-1' } })).body.aggregate.hosts, []);
  for (const a of [east, west, plain]) t.is((await call('DELETE', `/${a.id}`)).status, 200);
});

test.serial('aggregates - set_metadata sets and removes keys; bodies are checked', async (t) => {
  const a = (await create('meta')).body.aggregate;
  const set = await action(a.id, { set_metadata: { metadata: { ssd: 'true', speed: 'fast', availability_zone: 'meta-zone' } } }, '2.41');
  t.deepEqual(set.body.aggregate.metadata, { ssd: 'true', speed: 'fast', availability_zone: 'meta-zone' });
  t.is(set.body.aggregate.availability_zone, 'meta-zone');
  const removed = await action(a.id, { set_metadata: { metadata: { speed: null, gone: null } } });
  t.deepEqual(removed.body.aggregate.metadata, { ssd: 'true', availability_zone: 'meta-zone' });
  fault(t, await action(a.id, { set_metadata: { metadata: { availability_zone: null } } }), 400, /^Cannot update metadata of aggregate \d+\. Reason: Aggregate meta does not support empty named availability zone\.$/);

  fault(t, await action(a.id, { explode: {} }), 400, /^There is no such action: explode$/);
  fault(t, await action(a.id, { add_host: { host: 'a-1' }, remove_host: { host: 'a-1' } }), 400, /^Malformed request body$/);
  fault(t, await action(a.id, { add_host: { host: 'bad host!' } }), 400, /add_host\/host/);
  fault(t, await action(a.id, { set_metadata: { metadata: { 'bad/key': 'v' } } }), 400);
  fault(t, await call('POST', '', { aggregate: { name: 'x', availability_zone: 'a:b' } }), 400, /availability_zone/);
  fault(t, await call('POST', '', { aggregate: { name: ' padded' } }), 400, /aggregate\/name/);
  fault(t, await call('POST', '', { aggregate: { name: 'x', extra: 1 } }), 400, /Additional properties are not allowed/);
  t.is((await call('DELETE', `/${a.id}`)).status, 200);
});

test.serial('aggregates - images are pre-cached from 2.81 on: unknown images and duplicates are 400s', async (t) => {
  const a = (await create('cache')).body.aggregate;
  const body = { cache: [{ id: d.image.uuid }] };
  fault(t, await call('POST', `/${a.id}/images`, body, '2.80'), 404);
  t.is((await call('POST', `/${a.id}/images`, body, '2.81')).status, 202);
  fault(t, await call('POST', `/${a.id}/images`, { cache: [{ id: d.image.uuid }, { id: d.image.uuid }] }, '2.81'), 400, /Duplicate images/);
  fault(t, await call('POST', `/${a.id}/images`, { cache: [{ id: '6f0b3c39-0a5c-4f36-9d2a-5a8fb2e4b1a7' }] }, '2.81'), 400, /Image .* could not be found/);
  fault(t, await call('POST', `/9999/images`, body, '2.81'), 404);
  fault(t, await call('POST', `/${a.id}/images`, { cache: [] }, '2.81'), 400);
  t.is((await call('DELETE', `/${a.id}`)).status, 200);
});

test.serial('availability zones - a zone made through os-aggregates is listed; hosts in no zone are in "nova"', async (t) => {
  const a = (await create('zone-z', 'zone-z')).body.aggregate;
  const empty = await d.request<{ availabilityZoneInfo: Zone[] }>('GET', '/v2.1/os-availability-zone');
  t.deepEqual(empty.body.availabilityZoneInfo, [{ zoneName: 'nova', zoneState: { available: true }, hosts: null }], 'a zone without hosts is no zone yet');
  await action(a.id, { add_host: { host: 'b-1' } });
  const zones = await d.request<{ availabilityZoneInfo: Zone[] }>('GET', '/v2.1/os-availability-zone', undefined, { roles: 'reader' });
  t.deepEqual(zones.body.availabilityZoneInfo.map((z) => [z.zoneName, z.zoneState.available, z.hosts]), [['nova', true, null], ['zone-z', true, null]]);

  const detail = await d.request<{ availabilityZoneInfo: Zone[] }>('GET', '/v2.1/os-availability-zone/detail', undefined, admin);
  t.is(detail.status, 200);
  const byName = new Map(detail.body.availabilityZoneInfo.map((z) => [z.zoneName, z]));
  t.deepEqual(Object.keys(byName.get('zone-z')?.hosts ?? {}), ['b-1']);
  t.deepEqual(Object.keys(byName.get('nova')?.hosts ?? {}).sort(), ['a-1', 'a-2', 'b-2']);
  const service = Object.values(byName.get('zone-z')?.hosts?.['b-1'] ?? {})[0];
  t.like(service, { available: true, active: true });
  t.regex(service?.updated_at ?? '', /Z$/);
  await action(a.id, { remove_host: { host: 'b-1' } });
  await call('DELETE', `/${a.id}`);
});

test.serial('availability zones - a boot into a zone made through the API lands there at once; the host cannot then leave the zone', async (t) => {
  const a = (await create('fast-zone', 'fast-zone')).body.aggregate;
  t.is((await action(a.id, { add_host: { host: 'b-2' } })).status, 200);
  // At once, before the scheduler's periodic refresh (Tempest's test_aggregate_add_host_create_server_with_az).
  const boot = await d.boot({ availability_zone: 'fast-zone' });
  t.is(boot.status, 202, JSON.stringify(boot.body));
  const server = await d.waitForStatus(boot.body.server.id, ['ACTIVE', 'ERROR'], 10_000);
  t.is(server['status'], 'ACTIVE', JSON.stringify(server));
  t.is(server['OS-EXT-SRV-ATTR:host'], 'b-2');
  t.is(server['OS-EXT-AZ:availability_zone'], 'fast-zone');

  fault(t, await action(a.id, { remove_host: { host: 'b-2' } }), 409, /would change from 'fast-zone' to 'None' but the host already has 1 instance\(s\)/);
  const other = (await create('other-zone', 'other-zone')).body.aggregate;
  fault(t, await action(other.id, { add_host: { host: 'b-2' } }), 409, /already in availability zone\(s\) \['fast-zone'\]/);
  fault(t, await call('PUT', `/${a.id}`, { aggregate: { availability_zone: 'renamed' } }), 400, /One or more hosts contain instances in this zone/);

  t.is((await d.request('DELETE', `/v2.1/servers/${boot.body.server.id}`, undefined, admin)).status, 204);
  await d.waitForStatus(boot.body.server.id, ['DELETED']);
  t.is((await action(a.id, { remove_host: { host: 'b-2' } })).status, 200);
  for (const x of [a, other]) await call('DELETE', `/${x.id}`);
});
