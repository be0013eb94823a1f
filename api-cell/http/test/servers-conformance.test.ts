import test from 'ava';
import { assertShape, TestDeployment } from '../../../ops/testing/index.js';
import type { Microversion } from '../microversion.js';
import { instanceActionResponse, instanceActionsResponse, serverCreateResponse, serverDetailListResponse, serverListResponse, serverRebuildResponse, serverShowResponse, serverUpdateResponse, versionResponse, versionsResponse } from '../responses/index.js';

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
      const basic = await d.request('GET', '/v2.1/servers?limit=1', undefined, caller, v(version));
      assertShape(t, serverListResponse(), basic.body, `list at ${version}`);
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
  const listed = await d.request<{ servers: Server[] }>('GET', '/v2.1/servers/detail');
  t.is(listed.body.servers.find((s) => s['id'] === id)?.['OS-DCF:diskConfig'], 'AUTO', 'the list shows it too');
  const booted = await d.boot({ name: 'auto', 'OS-DCF:diskConfig': 'AUTO' });
  t.is((await d.show(booted.body.server.id)).body.server['OS-DCF:diskConfig'], 'AUTO', 'a create asking for AUTO keeps it');
  t.is((await d.waitForStatus(booted.body.server.id, ['ACTIVE']))['OS-DCF:diskConfig'], 'AUTO', 'from its build request to its cell');
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

test('versions - GET / answers 200 with the version list; /v2 and /v2.1 describe themselves', async (t) => {
  const root = await fetch(`${d.apiUrl}/`);
  t.is(root.status, 200);
  const list = (await root.json()) as { versions: { id: string; links: { href: string }[] }[] };
  assertShape(t, versionsResponse, list, 'GET /');
  t.deepEqual(list.versions.map((x) => x.id), ['v2.0', 'v2.1']);
  for (const version of list.versions) {
    const self = await fetch(String(version.links[0]?.href));
    t.is(self.status, 200, `${version.id} answers at its self link`);
    assertShape(t, versionResponse, await self.json(), `GET ${version.id}`);
  }
  t.is((await fetch(`${d.apiUrl}/v2`)).status, 200);
});

test('list - changes-since must be ISO 8601; changes-before the time a server shows includes it', async (t) => {
  for (const bad of ['2011/01/01', 'yesterday', '2011-13']) {
    t.is((await d.request('GET', `/v2.1/servers?changes-since=${encodeURIComponent(bad)}`)).status, 400, bad);
    t.is((await d.request('GET', `/v2.1/servers/detail?changes-before=${encodeURIComponent(bad)}`, undefined, {}, v('2.66'))).status, 400, bad);
  }
  t.is((await d.request('GET', '/v2.1/servers?changes-since=2011-01-01')).status, 200);
  t.is((await d.request('GET', '/v2.1/servers?changes-since=2011-01-01T00:00:00Z')).status, 200);
  const id = await active({ name: 'before' });
  const updated = String((await d.show(id)).body.server['updated']);
  const listed = await d.request<{ servers: Server[] }>('GET', `/v2.1/servers/detail?changes-before=${encodeURIComponent(updated)}`, undefined, {}, v('2.66'));
  t.is(listed.status, 200);
  assertShape(t, serverDetailListResponse(mv('2.66')), listed.body);
  t.true(listed.body.servers.some((s) => s['id'] === id), `a server updated at ${updated} is changed before ${updated}`);
  const since = await d.request<{ servers: Server[] }>('GET', `/v2.1/servers?changes-since=${encodeURIComponent(updated)}`);
  t.true(since.body.servers.some((s) => s['id'] === id));
});

test('list - an admin\'s tenant_id or project_id without all_tenants is ignored: the own project is listed', async (t) => {
  const theirs = (await d.boot({ name: 'theirs' }, { project: 'p-other', user: 'u-other' })).body.server.id;
  const ours = (await d.boot({ name: 'ours' }, { project: 'p-admin', roles: 'admin' })).body.server.id;
  for (const filter of ['tenant_id=p-other', 'project_id=p-other']) {
    const res = await d.request<{ servers: Server[] }>('GET', `/v2.1/servers?${filter}`, undefined, { project: 'p-admin', roles: 'admin' });
    t.is(res.status, 200);
    t.deepEqual(res.body.servers.map((s) => s['id']), [ours], filter);
  }
  const all = await d.request<{ servers: Server[] }>('GET', '/v2.1/servers?all_tenants=1&tenant_id=p-other', undefined, { project: 'p-admin', roles: 'admin' });
  t.deepEqual(all.body.servers.map((s) => s['id']), [theirs], 'with all_tenants the filter applies');
});

test('usage - os-simple-tenant-usage/ with an empty tenant is 404', async (t) => {
  const res = await d.request('GET', '/v2.1/os-simple-tenant-usage/?start=2020-01-01T00:00:00&end=2020-01-02T00:00:00', undefined, admin);
  t.is(res.status, 404);
  t.is((await d.request('GET', '/v2.1/os-simple-tenant-usage?start=2020-01-01T00:00:00&end=2020-01-02T00:00:00', undefined, admin)).status, 200);
});

test('servers - a create naming a security group that does not exist is 400; "default" is taken', async (t) => {
  const res = await d.boot({ name: 'sg', security_groups: [{ name: 'nonexistent-sg' }] });
  t.is(res.status, 400);
  t.regex(JSON.stringify(res.body), /badRequest.*nonexistent-sg/);
  const ok = await d.boot({ name: 'sg', security_groups: [{ name: 'default' }] });
  t.is(ok.status, 202);
  assertShape(t, serverCreateResponse(), ok.body);
});

test('actions - resize of a stopped server: it stays off, and confirming or reverting leaves it SHUTOFF', async (t) => {
  const id = await active();
  t.is((await act(id, { 'os-stop': null })).status, 202);
  await d.settle(id, 'SHUTOFF');
  t.is((await act(id, { resize: { flavorRef: '2' } })).status, 202);
  const resized = await d.settle(id, 'VERIFY_RESIZE');
  t.is(resized['OS-EXT-STS:power_state'], 4, 'the guest was not started on the new host');
  t.is((await act(id, { confirmResize: null })).status, 204);
  const confirmed = await d.settle(id, 'SHUTOFF');
  t.is(confirmed['OS-EXT-STS:vm_state'], 'stopped');
  assertShape(t, serverShowResponse(mv('2.1')), { server: confirmed });
  t.is((await act(id, { resize: { flavorRef: '1' } })).status, 202);
  await d.settle(id, 'VERIFY_RESIZE');
  t.is((await act(id, { revertResize: null })).status, 202);
  const reverted = await d.settle(id, 'SHUTOFF');
  t.is(reverted['OS-EXT-STS:power_state'], 4, 'a revert leaves it off too');
  t.is((reverted['flavor'] as Record<string, unknown>)['id'], '2');
});

test('shelve - unshelve (2.91) onto a host of another cell is refused at the API, the server left as it was', async (t) => {
  const id = await active();
  t.is((await act(id, { shelve: null })).status, 202);
  // Offloaded at once: shelved_offload_time is 0 by default.
  await d.settle(id, 'SHELVED_OFFLOADED');
  const cell = String(await d.mappedCell(id));
  const elsewhere = cell === 'one' ? 'two' : 'one';
  const host = d.cell(elsewhere).pools[0]?.hosts[0]?.host ?? '';
  const res = await act(id, { unshelve: { host } }, admin, v('2.91'));
  t.is(res.status, 400, JSON.stringify(res.body));
  t.regex(JSON.stringify(res.body), new RegExp(host));
  const after = await d.show(id);
  t.is(after.body.server['status'], 'SHELVED_OFFLOADED');
  t.is(after.body.server['OS-EXT-STS:task_state'], null);
  const home = d.cell(cell).pools[0]?.hosts[0]?.host ?? '';
  t.is((await act(id, { unshelve: { host: home } }, admin, v('2.91'))).status, 202);
  t.is((await d.settle(id, 'ACTIVE'))['OS-EXT-SRV-ATTR:host'], home);
});

test('servers - same_host and different_host hints place a server with or away from the servers named', async (t) => {
  const first = await active({ name: 'anchor' });
  const hostOf = async (id: string) => String((await d.waitForStatus(id, ['ACTIVE']))['OS-EXT-SRV-ATTR:host']);
  const anchorHost = await hostOf(first);
  const hinted = async (hints: Record<string, unknown>) => {
    const res = await d.boot({ name: 'hinted' }, {}, { 'os:scheduler_hints': hints });
    t.is(res.status, 202, JSON.stringify(res.body));
    return hostOf(res.body.server.id);
  };
  for (let i = 0; i < 2; i += 1) t.is(await hinted({ same_host: first }), anchorHost, 'same host each time');
  const away = await hinted({ different_host: [first] });
  t.not(away, anchorHost);
  t.not(await hinted({ different_host: first }), anchorHost, 'one uuid as a string too');
  const bad = await d.boot({ name: 'bad' }, {}, { 'os:scheduler_hints': { same_host: 'not-a-uuid' } });
  t.is(bad.status, 400);
  t.regex(JSON.stringify(bad.body), /badRequest/);
});
