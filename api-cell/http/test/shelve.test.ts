import test from 'ava';
import { TestDeployment } from '../../../ops/testing/index.js';

let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({ cells: [{ name: 'one', pools: [{ prefix: 's', hosts: 3 }] }], zones: { empty: [] } });
  await d.quota('p1', { instances: -1, cores: -1, ram: -1 });
});
test.after.always(() => d?.stop());

const v = (version: string) => ({ 'openstack-api-version': `compute ${version}` });
const admin = { roles: 'admin' };
const act = (id: string, body: unknown, caller = {}, headers = {}) => d.request('POST', `/v2.1/servers/${id}/action`, body, caller, headers);

async function active(name: string): Promise<string> {
  const id = (await d.boot({ name })).body.server.id;
  await d.waitForStatus(id, ['ACTIVE']);
  return id;
}

const settle = (id: string, status: string) => d.settle(id, status);

async function shelvedImage(name: string): Promise<Record<string, unknown> | undefined> {
  const images = await d.request<{ images: Record<string, unknown>[] }>('GET', '/image/v2/images');
  return images.body.images.find((i) => i['name'] === `${name}-shelved`);
}

test.serial('shelve - with shelved_offload_time -1 the server stays SHELVED on its host; an admin offloads it; unshelve in place', async (t) => {
  d.config.compute.shelved_offload_time = -1;
  try {
    const id = await active('stays');
    const host = (await d.show(id)).body.server['OS-EXT-SRV-ATTR:host'];
    t.is((await act(id, { shelve: null })).status, 202);
    const shelved = await settle(id, 'SHELVED');
    t.is(shelved['OS-EXT-SRV-ATTR:host'], host, 'a shelved server keeps its host');
    t.is(shelved['OS-EXT-STS:power_state'], 4);
    t.true((await d.allocations(id)).length > 0, 'and its allocation');
    t.is((await act(id, { unshelve: null })).status, 202);
    t.is((await settle(id, 'ACTIVE'))['OS-EXT-SRV-ATTR:host'], host);
    t.is(await shelvedImage('stays'), undefined, 'unshelved, its shelved image is deleted');

    t.is((await act(id, { shelve: null })).status, 202);
    await settle(id, 'SHELVED');
    t.is((await act(id, { shelveOffload: null })).status, 403, 'offloading is for admins');
    t.is((await act(id, { shelveOffload: null }, admin)).status, 202);
    const offloaded = await settle(id, 'SHELVED_OFFLOADED');
    t.is(offloaded['OS-EXT-SRV-ATTR:host'], null);
    t.deepEqual(await d.allocations(id), []);
  } finally {
    d.config.compute.shelved_offload_time = 0;
  }
});

test('shelve - offloads at once: no host, no allocation, a private image; unshelve schedules it again and spawns from that image', async (t) => {
  const id = await active('sleeper');
  t.is((await act(id, { shelve: null })).status, 202);
  const offloaded = await settle(id, 'SHELVED_OFFLOADED');
  t.is(offloaded['OS-EXT-SRV-ATTR:host'], null);
  t.is(offloaded['OS-EXT-STS:power_state'], 4);
  t.deepEqual(await d.allocations(id), [], 'an offloaded server holds nothing on any host');
  const image = await shelvedImage('sleeper');
  t.like(image, { status: 'active', visibility: 'private', owner: 'p1', instance_uuid: id, image_type: 'snapshot' });
  t.is(await d.usage('p1').then((u) => u['instances'] ?? 0) > 0, true, 'it still counts against the quota');

  t.is((await act(id, { unshelve: null })).status, 202);
  const back = await settle(id, 'ACTIVE');
  t.truthy(back['OS-EXT-SRV-ATTR:host']);
  t.true((await d.allocations(id)).length > 0, 'the new host is claimed');
  const log = await d.request<{ output: string }>('POST', `/v2.1/servers/${id}/action`, { 'os-getConsoleOutput': {} });
  t.regex(log.body.output, new RegExp(`booting image ${String(image?.['id'])}`), 'the guest booted from the shelved image');
  t.is(await shelvedImage('sleeper'), undefined);
  const actions = await d.request<{ instanceActions: { action: string }[] }>('GET', `/v2.1/servers/${id}/os-instance-actions`);
  t.deepEqual(actions.body.instanceActions.map((a) => a.action), ['unshelve', 'shelve', 'create']);
});

test('shelve - wrong states are 409, a reader is 403, a zone needs 2.77 and must exist', async (t) => {
  const id = await active('picky');
  t.is((await act(id, { unshelve: null })).status, 409, 'an ACTIVE server cannot be unshelved');
  t.is((await act(id, { shelve: null }, { roles: 'reader' })).status, 403);
  t.is((await act(id, { shelve: { now: true } })).status, 400);
  t.is((await act(id, { shelve: null })).status, 202);
  await settle(id, 'SHELVED_OFFLOADED');
  t.is((await act(id, { shelve: null })).status, 409, 'a shelved server cannot be shelved again');
  t.is((await act(id, { 'os-start': null })).status, 409);
  t.is((await act(id, { unshelve: { availability_zone: 'nova' } }, {}, v('2.76'))).status, 400, 'a zone only from 2.77');
  t.is((await act(id, { unshelve: { availability_zone: 'atlantis' } }, {}, v('2.77'))).status, 400, 'an unknown zone');
  t.is((await d.show(id)).body.server['status'], 'SHELVED_OFFLOADED', 'nothing happened to the server');
});

test('shelve - unshelve into a zone with no hosts leaves it shelved with a fault; delete of an offloaded server frees its quota', async (t) => {
  const id = await active('homeless');
  t.is((await act(id, { shelve: null })).status, 202);
  await settle(id, 'SHELVED_OFFLOADED');
  t.is((await act(id, { unshelve: { availability_zone: 'empty' } }, {}, v('2.77'))).status, 202);
  await settle(id, 'SHELVED_OFFLOADED');
  const actions = await d.request<{ instanceActions: { action: string; request_id: string }[] }>('GET', `/v2.1/servers/${id}/os-instance-actions`);
  const unshelve = actions.body.instanceActions.find((a) => a.action === 'unshelve');
  const detail = await d.request<{ instanceAction: { events: { result: string; traceback?: string | null }[] } }>(
    'GET', `/v2.1/servers/${id}/os-instance-actions/${unshelve?.request_id}`, undefined, admin, v('2.51'));
  t.is(detail.body.instanceAction.events[0]?.result, 'Error', 'the unshelve action says it failed');
  t.deepEqual(await d.allocations(id), []);

  const before = (await d.usage('p1'))['instances'] ?? 0;
  t.is((await d.request('DELETE', `/v2.1/servers/${id}`)).status, 204);
  t.is((await d.show(id)).status, 404);
  t.is((await d.usage('p1'))['instances'], before - 1);
});

test('shelve - from 2.91 an admin unshelves onto a host, and a null zone lets it go to any zone', async (t) => {
  const id = await active('hosted');
  t.is((await act(id, { shelve: null })).status, 202);
  await settle(id, 'SHELVED_OFFLOADED');
  t.is((await act(id, { unshelve: {} }, {}, v('2.90'))).status, 400, 'before 2.91 the body names a zone');
  t.is((await act(id, { unshelve: { host: 's-2' } }, {}, v('2.90'))).status, 400, 'and no host');
  t.is((await act(id, { unshelve: { host: 's-2' } }, {}, v('2.91'))).status, 403, 'a host is for admins');
  t.is((await act(id, { unshelve: { host: 'nowhere-9' } }, admin, v('2.91'))).status, 400);
  const elsewhere = await act(id, { unshelve: { host: 's-2', availability_zone: 'empty' } }, admin, v('2.91'));
  t.is(elsewhere.status, 400, 'the host must be in the zone named with it');
  t.regex(JSON.stringify(elsewhere.body), /not in availability zone empty/);
  t.is((await act(id, { unshelve: { host: 's-2' } }, admin, v('2.91'))).status, 202);
  t.is((await settle(id, 'ACTIVE'))['OS-EXT-SRV-ATTR:host'], 's-2');

  t.is((await act(id, { shelve: null })).status, 202);
  await settle(id, 'SHELVED_OFFLOADED');
  t.is((await act(id, { unshelve: { availability_zone: null } }, {}, v('2.91'))).status, 202);
  await settle(id, 'ACTIVE');
});
