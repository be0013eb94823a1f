import test, { type ExecutionContext } from 'ava';
import { TestDeployment, type ApiResponse, type Caller } from '../../../ops/testing/index.js';

let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({
    cells: [
      { name: 'one', pools: [{ prefix: 'h', hosts: 2 }] },
      { name: 'two', pools: [{ prefix: 'k', hosts: 1 }] },
    ],
  });
});
test.after.always(() => d?.stop());

const admin: Caller = { user: 'admin', project: 'admin', roles: 'admin' };
const at = (version: string) => ({ 'openstack-api-version': `compute ${version}` });
const get = <T = Record<string, unknown>>(path: string, version = '2.1', caller: Caller = admin) =>
  d.request<T>('GET', `/v2.1${path}`, undefined, caller, at(version));

function fault(t: ExecutionContext, res: ApiResponse<unknown>, status: number, message?: RegExp): void {
  t.is(res.status, status, JSON.stringify(res.body));
  const body = Object.values(res.body as Record<string, { code: number; message: string }>)[0];
  t.is(body?.code, status);
  if (message) t.regex(body?.message ?? '', message);
}

type Host = { host_name: string; service: string; zone: string };

test.serial('os-hosts - lists enabled services by zone, shows a host’s resources, is gone at 2.43', async (t) => {
  const list = await get<{ hosts: Host[] }>('/os-hosts');
  t.is(list.status, 200, JSON.stringify(list.body));
  const computes = list.body.hosts.filter((h) => h.service === 'compute');
  t.deepEqual(computes.map((h) => h.host_name).sort(), ['h-1', 'h-2', 'k-1']);
  t.true(computes.every((h) => h.zone === 'nova'));
  await d.zone('az-hosts', ['h-2']);
  const zoned = await get<{ hosts: Host[] }>('/os-hosts?zone=az-hosts');
  t.deepEqual(zoned.body.hosts, [{ host_name: 'h-2', service: 'compute', zone: 'az-hosts' }]);
  const disabled = await d.request('PUT', '/v2.1/os-services/disable', { host: 'k-1', binary: 'nova-compute' }, admin);
  t.is(disabled.status, 200, JSON.stringify(disabled.body));
  t.false((await get<{ hosts: Host[] }>('/os-hosts')).body.hosts.some((h) => h.host_name === 'k-1'), 'disabled services are left out');

  const boot = await d.boot({ flavorRef: '2' }, { project: 'p-host' }, {}, at('2.74'));
  t.is(boot.status, 202, JSON.stringify(boot.body));
  const server = await d.waitForStatus(boot.body.server.id, ['ACTIVE']);
  const host = String(server['OS-EXT-SRV-ATTR:host']);
  const shown = await get<{ host: { resource: Record<string, unknown> }[] }>(`/os-hosts/${host}`);
  t.is(shown.status, 200, JSON.stringify(shown.body));
  const [total, now, max, project] = shown.body.host.map((r) => r.resource);
  t.like(total, { host, project: '(total)' });
  t.true(Number(total?.['cpu']) > 0);
  t.like(now, { host, project: '(used_now)', cpu: 1, memory_mb: 2048 });
  t.like(max, { host, project: '(used_max)', cpu: 1, memory_mb: 2048 });
  t.deepEqual(project, { host, project: 'p-host', cpu: 1, memory_mb: 2048, disk_gb: Number(max?.['disk_gb']) });

  fault(t, await get('/os-hosts/nowhere'), 404, /Compute host nowhere could not be found/);
  fault(t, await get('/os-hosts', '2.1', {}), 403, /os-hosts:list/);
  fault(t, await get('/os-hosts', '2.43'), 404);
  fault(t, await get(`/os-hosts/${host}`, '2.43'), 404);
});

test('os-hosts - update and power actions are not supported, after the body and the host are checked', async (t) => {
  const put = (host: string, body: unknown) => d.request('PUT', `/v2.1/os-hosts/${host}`, body, admin);
  fault(t, await put('h-1', { status: 'enable' }), 501, /not supported/);
  fault(t, await put('h-1', { maintenance_mode: 'disable' }), 501);
  fault(t, await put('h-1', {}), 400);
  fault(t, await put('h-1', { status: 'on' }), 400, /status/);
  fault(t, await put('h-1', { status: 'enable', other: 1 }), 400, /'other' was unexpected/);
  fault(t, await put('nowhere', { status: 'enable' }), 404);
  for (const action of ['startup', 'shutdown', 'reboot']) {
    fault(t, await get(`/os-hosts/h-1/${action}`), 501);
    fault(t, await get(`/os-hosts/nowhere/${action}`), 404);
  }
});

type Extension = { alias: string; name: string; description: string; links: unknown[]; namespace: string; updated: string };

test('extensions - anyone lists them, shows one by alias; unknown aliases are 404', async (t) => {
  const list = await get<{ extensions: Extension[] }>('/extensions', '2.1', {});
  t.is(list.status, 200);
  const aliases = list.body.extensions.map((e) => e.alias);
  t.true(aliases.includes('os-hosts') && aliases.includes('os-server-external-events') && aliases.includes('OS-EXT-SRV-ATTR'));
  t.deepEqual(aliases, [...aliases].sort());
  const shown = await get<{ extension: Extension }>('/extensions/os-quota-class-sets', '2.1', {});
  t.is(shown.status, 200);
  t.like(shown.body.extension, { alias: 'os-quota-class-sets', name: 'QuotaClasses', links: [], updated: '2014-12-03T00:00:00Z' });
  fault(t, await get('/extensions/os-nothing'), 404);
});

const current = { instances: 10, cores: 20, ram: 51200, metadata_items: 128, key_pairs: 100, server_groups: 10, server_group_members: 10 };
const injected = { injected_files: 5, injected_file_content_bytes: 10240, injected_file_path_bytes: 255 };
const network = { fixed_ips: -1, floating_ips: -1, security_groups: -1, security_group_rules: -1 };
const { server_groups: _g, server_group_members: _m, ...v21 } = current;

test.serial('os-quota-class-sets - show and update per microversion; the default class is what projects get', async (t) => {
  const show = (name: string, version: string) => get<{ quota_class_set: Record<string, unknown> }>(`/os-quota-class-sets/${name}`, version);
  t.deepEqual((await show('gold', '2.1')).body.quota_class_set, { id: 'gold', ...v21, ...injected, ...network });
  t.deepEqual((await show('gold', '2.50')).body.quota_class_set, { id: 'gold', ...current, ...injected });
  t.deepEqual((await show('gold', '2.57')).body.quota_class_set, { id: 'gold', ...current });
  fault(t, await get('/os-quota-class-sets/gold', '2.1', {}), 403, /os-quota-class-sets:show/);

  const put = (name: string, set: Record<string, unknown>, version = '2.57') =>
    d.request<{ quota_class_set: Record<string, unknown> }>('PUT', `/v2.1/os-quota-class-sets/${name}`, { quota_class_set: set }, admin, at(version));
  const gold = await put('gold', { cores: 40, ram: '4096' });
  t.is(gold.status, 200, JSON.stringify(gold.body));
  t.deepEqual(gold.body.quota_class_set, { ...current, cores: 40, ram: 4096 });
  t.is((await show('gold', '2.57')).body.quota_class_set['cores'], 40);
  t.is((await get<{ quota_set: Record<string, unknown> }>('/os-quota-sets/p-gold', '2.57')).body.quota_set['cores'], 20, 'only the default class counts');
  fault(t, await put('gold', { floating_ips: 1 }, '2.50'), 400, /'floating_ips' was unexpected/);
  t.is((await put('gold', { floating_ips: 1 }, '2.49')).status, 200);
  fault(t, await put('gold', { injected_files: 1 }, '2.57'), 400, /'injected_files' was unexpected/);
  fault(t, await put('gold', { cores: -2 }), 400, /cores/);
  fault(t, await d.request('PUT', '/v2.1/os-quota-class-sets/gold', { cores: 1 }, admin), 400, /'quota_class_set' is a required property/);
  fault(t, await d.request('PUT', '/v2.1/os-quota-class-sets/gold', { quota_class_set: { cores: 1 } }), 403);

  t.is((await put('default', { instances: 1 })).status, 200);
  try {
    t.is((await get<{ quota_set: Record<string, unknown> }>('/os-quota-sets/p-class', '2.57')).body.quota_set['instances'], 1);
    t.is((await d.boot({}, { project: 'p-class' })).status, 202);
    fault(t, await d.boot({}, { project: 'p-class' }), 403, /Quota exceeded for instances/);
  } finally {
    t.is((await put('default', { instances: 10 })).status, 200);
  }
});

type Event = { name: string; server_uuid: string; status: string; code: number; tag?: string };

test.serial('os-server-external-events - each event answered on its own: 200 on a host, 404 unknown server, 422 no host, 207 if any failed', async (t) => {
  const boot = await d.boot({}, { project: 'p-ev' });
  await d.waitForStatus(boot.body.server.id, ['ACTIVE']);
  const id = boot.body.server.id;
  const send = (events: unknown[], version = '2.1', caller: Caller = { roles: 'service', project: 'service' }) =>
    d.request<{ events: Event[] }>('POST', '/v2.1/os-server-external-events', { events }, caller, at(version));
  const ok = await send([{ name: 'network-changed', server_uuid: id }]);
  t.is(ok.status, 200, JSON.stringify(ok.body));
  t.deepEqual(ok.body.events, [{ name: 'network-changed', server_uuid: id, status: 'completed', code: 200 }]);

  const unknown = '0b1c9f5a-31c4-4d3e-9c7e-9d5d8f7a1b2c';
  const mixed = await send([
    { name: 'network-vif-plugged', server_uuid: id, tag: 'port-1', status: 'completed' },
    { name: 'network-vif-plugged', server_uuid: unknown, tag: 'port-2' },
    { name: 'power-update', server_uuid: id },
  ], '2.76', admin);
  t.is(mixed.status, 207, JSON.stringify(mixed.body));
  t.deepEqual(mixed.body.events.map((e) => [e.status, e.code]), [['completed', 200], ['failed', 404], ['failed', 400]]);

  // A server no cell has taken has no host to tell.
  await d.quota('p-nohost', { instances: 10 });
  await d.stopSuperConductors();
  try {
    const waiting = await d.boot({}, { project: 'p-nohost' });
    const none = await send([{ name: 'network-changed', server_uuid: waiting.body.server.id }]);
    t.is(none.status, 207);
    t.like(none.body.events[0], { status: 'failed', code: 422 });
  } finally {
    await d.startSuperConductor();
  }

  fault(t, await send([{ name: 'power-update', server_uuid: id, tag: 'POWER_ON' }], '2.75'), 400, /name/);
  fault(t, await send([]), 400);
  fault(t, await send([{ name: 'network-changed', server_uuid: 'nope' }]), 400, /server_uuid/);
  fault(t, await send([{ name: 'network-changed', server_uuid: id, extra: 1 }]), 400, /'extra' was unexpected/);
  fault(t, await send([{ name: 'network-changed', server_uuid: id }], '2.1', {}), 403);
});

test('os-instance_usage_audit_log - the last month’s report lists every compute host as not run', async (t) => {
  const list = await get<{ instance_usage_audit_logs: Record<string, unknown> }>('/os-instance_usage_audit_log');
  t.is(list.status, 200, JSON.stringify(list.body));
  const log = list.body.instance_usage_audit_logs;
  t.like(log, { num_hosts: 3, num_hosts_done: 0, num_hosts_running: 0, num_hosts_not_run: 3, total_instances: 0, total_errors: 0, log: {} });
  t.is(log['overall_status'], '0 of 3 hosts done. 0 errors.');
  t.deepEqual([...(log['hosts_not_run'] as string[])].sort(), ['h-1', 'h-2', 'k-1']);
  const shown = await get<{ instance_usage_audit_log: Record<string, unknown> }>('/os-instance_usage_audit_log/2026-03-15%2010:00:00.5');
  t.is(shown.status, 200, JSON.stringify(shown.body));
  t.like(shown.body.instance_usage_audit_log, { period_beginning: '2026-02-01 00:00:00', period_ending: '2026-03-01 00:00:00' });
  const january = await get<{ instance_usage_audit_log: Record<string, unknown> }>('/os-instance_usage_audit_log/2026-01-01%2000:00:00');
  t.like(january.body.instance_usage_audit_log, { period_beginning: '2025-12-01 00:00:00', period_ending: '2026-01-01 00:00:00' });
  fault(t, await get('/os-instance_usage_audit_log/yesterday'), 400, /Invalid timestamp for date yesterday/);
  fault(t, await get('/os-instance_usage_audit_log/2026-02-30%2000:00:00'), 400);
  fault(t, await get('/os-instance_usage_audit_log', '2.1', {}), 403);
});
