import test from 'ava';
import { assertShape, TestDeployment } from '../../../ops/testing/index.js';
import type { Microversion } from '../microversion.js';
import { instanceActionResponse, instanceActionsResponse, serverCreateResponse, serverDetailListResponse, serverRebuildResponse, serverShowResponse, serverUpdateResponse } from '../responses/index.js';

// What Tempest sends to the servers API, and the answer's status and shape by microversion.

let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({ cells: [{ name: 'one', pools: [{ prefix: 'c', hosts: 2 }] }, { name: 'two', pools: [{ prefix: 'o', hosts: 1 }] }] });
  await d.quota('p1', { instances: -1, cores: -1, ram: -1 });
});
test.after.always(() => d?.stop());

type Server = Record<string, unknown>;
const v = (version: string) => ({ 'openstack-api-version': `compute ${version}` });
const mv = (version: string): Microversion => ({ major: 2, minor: Number(version.split('.')[1]) });
const admin = { roles: 'admin' };
const act = (id: string, body: unknown, caller = {}, headers = {}) => d.request<{ server: Server }>('POST', `/v2.1/servers/${id}/action`, body, caller, headers);
const update = (id: string, server: Record<string, unknown>, caller = {}, headers = {}) => d.request<{ server: Server }>('PUT', `/v2.1/servers/${id}`, { server }, caller, headers);

async function active(extra: Record<string, unknown> = {}): Promise<string> {
  const res = await d.boot({ name: 'conf', ...extra });
  if (res.status !== 202) throw new Error(`boot answered ${res.status}: ${JSON.stringify(res.body)}`);
  await d.waitForStatus(res.body.server.id, ['ACTIVE']);
  return res.body.server.id;
}

test('servers - create, show and list detail answer the shapes of 2.1, 2.47, 2.75 and 2.96', async (t) => {
  const created = await d.boot({ name: 'shapes' });
  t.is(created.status, 202);
  assertShape(t, serverCreateResponse(), created.body, 'create answer');
  await d.waitForStatus(created.body.server.id, ['ACTIVE']);
  for (const version of ['2.1', '2.47', '2.75', '2.96']) {
    for (const caller of [{}, admin]) {
      const shown = await d.request('GET', `/v2.1/servers/${created.body.server.id}`, undefined, caller, v(version));
      t.is(shown.status, 200);
      assertShape(t, serverShowResponse(mv(version)), shown.body, `show at ${version}`);
      const listed = await d.request('GET', '/v2.1/servers/detail', undefined, caller, v(version));
      t.is(listed.status, 200);
      assertShape(t, serverDetailListResponse(mv(version)), listed.body, `detail at ${version}`);
    }
  }
});

test('servers - PUT with OS-DCF:diskConfig sets it (no 500); the answer has the update shape', async (t) => {
  const id = await active();
  const res = await update(id, { 'OS-DCF:diskConfig': 'AUTO' });
  t.is(res.status, 200, JSON.stringify(res.body));
  assertShape(t, serverUpdateResponse(mv('2.1')), res.body, 'update answer at 2.1');
  t.is(res.body.server['OS-DCF:diskConfig'], 'AUTO');
  t.is((await d.show(id)).body.server['OS-DCF:diskConfig'], 'AUTO');
  const back = await update(id, { 'OS-DCF:diskConfig': 'MANUAL' }, admin);
  t.is(back.body.server['OS-DCF:diskConfig'], 'MANUAL');
  t.false('OS-EXT-SRV-ATTR:host' in back.body.server, 'an admin gets the small shape too before 2.75');
});

test('servers - PUT answers the small shape before 2.75 and the show shape from 2.75; accessIPv6 comes back canonical', async (t) => {
  const id = await active({ accessIPv6: '0000:0000:0000:0000:0000:babe:220.12.22.2' });
  t.is((await d.show(id)).body.server['accessIPv6'], '::babe:dc0c:1602', 'stored as Nova stores it (RFC 5952)');
  for (const version of ['2.1', '2.19', '2.71', '2.74', '2.75', '2.96']) {
    const res = await update(id, { name: `renamed-${version}`, accessIPv4: '4.5.6.7', accessIPv6: '0000:0000:0000:0000:0000:babe:220.12.22.3' }, {}, v(version));
    t.is(res.status, 200);
    assertShape(t, serverUpdateResponse(mv(version)), res.body, `update answer at ${version}`);
    t.is(res.body.server['accessIPv6'], '::babe:dc0c:1603');
    t.is(res.body.server['name'], `renamed-${version}`);
  }
  const modern = await update(id, { name: 'modern' }, admin, v('2.75'));
  assertShape(t, serverUpdateResponse(mv('2.75')), modern.body, 'admin update answer at 2.75');
  t.truthy(modern.body.server['OS-EXT-SRV-ATTR:host'], 'from 2.75 the answer is the show view');
});

test('servers - rebuild answers the small shape, key_name at 2.54, user_data at 2.57 and the show shape at 2.75', async (t) => {
  const id = await active({ user_data: Buffer.from('#!/bin/sh\necho hi\n').toString('base64') });
  const cases: [string, Record<string, unknown>][] = [
    ['2.1', {}],
    ['2.54', {}],
    ['2.57', { user_data: Buffer.from('echo again').toString('base64') }],
    ['2.75', {}],
    ['2.96', {}],
  ];
  for (const [version, extra] of cases) {
    const res = await act(id, { rebuild: { imageRef: d.image.uuid, accessIPv6: '0000:0000:0000:0000:0000:babe:220.12.22.4', 'OS-DCF:diskConfig': 'AUTO', ...extra } }, admin, v(version));
    t.is(res.status, 202, JSON.stringify(res.body));
    assertShape(t, serverRebuildResponse(mv(version)), res.body, `rebuild answer at ${version}`);
    t.is(res.body.server['accessIPv6'], '::babe:dc0c:1604');
    t.is(res.body.server['OS-DCF:diskConfig'], 'AUTO', 'the disk config asked for is taken');
    if (version === '2.57') t.is(res.body.server['user_data'], Buffer.from('echo again').toString('base64'));
    if (version === '2.75') t.is(typeof res.body.server['user_data'], 'string');
    await d.settle(id, 'ACTIVE');
  }
});

test('servers - resize takes OS-DCF:diskConfig', async (t) => {
  const id = await active();
  t.is((await act(id, { resize: { flavorRef: '2', 'OS-DCF:diskConfig': 'AUTO' } })).status, 202);
  const resized = await d.settle(id, 'VERIFY_RESIZE');
  t.is(resized['OS-DCF:diskConfig'], 'AUTO');
  t.is((await act(id, { confirmResize: null })).status, 204);
  t.is((await d.settle(id, 'ACTIVE'))['OS-DCF:diskConfig'], 'AUTO');
});

test('servers - a deleted server keeps its actions at 2.21, each naming who started it; before 2.21 it is 404', async (t) => {
  const id = await active();
  t.is((await d.request('DELETE', `/v2.1/servers/${id}`)).status, 204);
  await d.waitForStatus(id, ['DELETED']);
  for (const version of ['2.21', '2.58', '2.96']) {
    const list = await d.request<{ instanceActions: Record<string, unknown>[] }>('GET', `/v2.1/servers/${id}/os-instance-actions`, undefined, {}, v(version));
    t.is(list.status, 200);
    assertShape(t, instanceActionsResponse(mv(version)), list.body, `actions at ${version}`);
    t.deepEqual(list.body.instanceActions.map((a) => [a['action'], a['user_id'], a['project_id']]), [['delete', 'u1', 'p1'], ['create', 'u1', 'p1']]);
    const requestId = String(list.body.instanceActions[0]?.['request_id']);
    const one = await d.request('GET', `/v2.1/servers/${id}/os-instance-actions/${requestId}`, undefined, admin, v(version));
    t.is(one.status, 200);
    assertShape(t, instanceActionResponse(mv(version)), one.body, `action at ${version}`);
  }
  t.is((await d.request('GET', `/v2.1/servers/${id}/os-instance-actions`, undefined, {}, v('2.20'))).status, 404);
});
