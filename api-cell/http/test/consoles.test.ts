import test from 'ava';
import { select } from '../../../ops/runtime-db/index.js';
import { assertShape, TestDeployment, waitFor } from '../../../ops/testing/index.js';
import { diagnosticsResponse } from '../responses/index.js';

let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({ cells: [{ name: 'one', pools: [{ prefix: 'v', hosts: 2 }] }] });
  await d.quota('p1', { instances: -1, cores: -1, ram: -1 });
});
test.after.always(() => d?.stop());

const v = (version: string) => ({ 'openstack-api-version': `compute ${version}` });
const admin = { roles: 'admin' };

async function active(name: string): Promise<string> {
  const id = (await d.boot({ name })).body.server.id;
  await d.waitForStatus(id, ['ACTIVE']);
  return id;
}

const remote = (id: string, protocol: string, type: string, version = '2.6', caller = {}) =>
  d.request<{ remote_console: { protocol: string; type: string; url: string } }>('POST', `/v2.1/servers/${id}/remote-consoles`, { remote_console: { protocol, type } }, caller, v(version));

test('consoles - a noVNC console URL opens a page showing the guest, and its token is known to admins', async (t) => {
  const id = await active('screen');
  const res = await remote(id, 'vnc', 'novnc');
  t.is(res.status, 200, JSON.stringify(res.body));
  t.like(res.body.remote_console, { protocol: 'vnc', type: 'novnc' });
  const url = new URL(res.body.remote_console.url);
  const page = await fetch(url);
  t.is(page.status, 200);
  t.regex(page.headers.get('content-type') ?? '', /text\/html/);
  t.regex(await page.text(), /screen login:/, 'the page shows what the guest printed');

  const token = url.searchParams.get('token') ?? '';
  const shown = await d.request<{ console: Record<string, unknown> }>('GET', `/v2.1/os-console-auth-tokens/${token}`, undefined, admin, v('2.31'));
  t.is(shown.status, 200);
  t.like(shown.body.console, { instance_uuid: id, port: 5900, internal_access_path: null });
  t.regex(String(shown.body.console['host']), /^v-/);
  t.is((await d.request('GET', `/v2.1/os-console-auth-tokens/${token}`, undefined, admin, v('2.30'))).status, 401, 'before 2.31 only RDP tokens are shown');
  t.is((await d.request('GET', `/v2.1/os-console-auth-tokens/${token}`, undefined, {}, v('2.31'))).status, 403);
  t.is((await d.request('GET', '/v2.1/os-console-auth-tokens/not-a-token', undefined, admin, v('2.31'))).status, 404);

  t.is((await d.request('DELETE', `/v2.1/servers/${id}`)).status, 204);
  await waitFor(async () => (await d.show(id)).status === 404, 20_000, 'the server to be gone');
  const after = await fetch(url);
  t.regex(await after.text(), /no longer there|invalid or has expired/);
  t.is((await d.request('GET', `/v2.1/os-console-auth-tokens/${token}`, undefined, admin, v('2.31'))).status, 404, 'its token went with it');
  const left = await select(d.cellDb('one'), 'SELECT 1 FROM console_auth_tokens WHERE instance_uuid = ?', [id]);
  t.deepEqual(left, [], 'no console token outlives its server');
});

test('consoles - the legacy os-getVNCConsole action before 2.6, and bad requests', async (t) => {
  const id = await active('old-style');
  const legacy = await d.request<{ console: { type: string; url: string } }>('POST', `/v2.1/servers/${id}/action`, { 'os-getVNCConsole': { type: 'novnc' } });
  t.is(legacy.status, 200, JSON.stringify(legacy.body));
  t.is(legacy.body.console.type, 'novnc');
  t.regex(legacy.body.console.url, /\/console\/\?token=/);
  t.is((await d.request('POST', `/v2.1/servers/${id}/action`, { 'os-getVNCConsole': { type: 'novnc' } }, {}, v('2.6'))).status, 400, 'gone from 2.6');
  t.is((await d.request('POST', `/v2.1/servers/${id}/action`, { 'os-getVNCConsole': { type: 'spice-html5' } })).status, 400);

  t.is((await remote(id, 'vnc', 'novnc', '2.5')).status, 404, 'remote-consoles arrives at 2.6');
  const spice = await remote(id, 'spice', 'spice-html5');
  t.is(spice.status, 400);
  t.regex(JSON.stringify(spice.body), /Unavailable console type spice-html5/);
  t.is((await remote(id, 'vnc', 'spice-html5')).status, 400);
  t.is((await remote(id, 'mks', 'webmks', '2.6')).status, 400, 'mks arrives at 2.8');
  t.is((await remote(id, 'mks', 'webmks', '2.8')).status, 400, 'and the fake hypervisor has none');
  t.is((await remote(id, 'vnc', 'novnc', '2.6', { roles: 'reader' })).status, 403);
  t.is((await remote(id, 'vnc', 'novnc', '2.6', { project: 'p2' })).status, 404);

  t.is((await d.request('POST', `/v2.1/servers/${id}/action`, { 'os-stop': null })).status, 202);
  await d.waitForStatus(id, ['SHUTOFF']);
  t.is((await remote(id, 'vnc', 'novnc')).status, 409, 'a stopped server has no console');
  const bad = await fetch(`${d.apiUrl}/console/?token=nothing`);
  t.is(bad.status, 404);
});

test('diagnostics - admins read the 2.48 shape or the older flat one; a stopped server has none; members get 403', async (t) => {
  const id = await active('diag');
  const now = await d.request<Record<string, unknown>>('GET', `/v2.1/servers/${id}/diagnostics`, undefined, admin, v('2.48'));
  t.is(now.status, 200, JSON.stringify(now.body));
  assertShape(t, diagnosticsResponse, now.body, 'diagnostics at 2.48');
  t.like(now.body, { state: 'running', driver: 'libvirt', hypervisor: 'fake', num_cpus: 1, num_nics: 0, num_disks: 1, config_drive: false, nic_details: [] });
  t.true(Number(now.body['uptime']) >= 0);
  t.is((now.body['cpu_details'] as unknown[]).length, 1);
  t.like(now.body['memory_details'], { maximum: 512 });
  const old = await d.request<Record<string, number>>('GET', `/v2.1/servers/${id}/diagnostics`, undefined, admin, v('2.47'));
  t.is(old.body['memory'], 512 * 1024);
  t.true('cpu0_time' in old.body && 'vda_read' in old.body);
  t.is((await d.request('GET', `/v2.1/servers/${id}/diagnostics`)).status, 403);

  t.is((await d.request('POST', `/v2.1/servers/${id}/action`, { 'os-stop': null })).status, 202);
  await d.waitForStatus(id, ['SHUTOFF']);
  t.is((await d.request('GET', `/v2.1/servers/${id}/diagnostics`, undefined, admin, v('2.48'))).status, 409);
});
