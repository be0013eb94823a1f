import test from 'ava';
import { COMPUTE_BINARY } from '../../../child-cell/db/index.js';
import { execute, select } from '../../../ops/runtime-db/index.js';
import { fault, TestDeployment } from '../../../ops/testing/index.js';

let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({
    cells: [
      { name: 'one', pools: [{ prefix: 'h', hosts: 2 }] },
      { name: 'two', pools: [{ prefix: 'k', hosts: 3 }] },
    ],
    zones: { west: ['k-3'] },
  });
});
test.after.always(() => d?.stop());

const admin = { roles: 'admin' };
const at = (version: string) => ({ 'openstack-api-version': `compute ${version}` });

type Service = { id: number | string; binary: string; host: string; zone: string; status: string; state: string; updated_at: string | null; disabled_reason: string | null; forced_down?: boolean };

const list = async (query = '', version = '2.1') => {
  const res = await d.request<{ services: Service[] }>('GET', `/v2.1/os-services${query}`, undefined, admin, at(version));
  return res.body.services;
};
const service = async (host: string, version = '2.53') => (await list(`?host=${host}`, version))[0] as Service;
const put = (path: string, body: unknown, version = '2.53') => d.request<{ service: Service }>('PUT', `/v2.1/os-services/${path}`, body, admin, at(version));

test.serial('services - a member gets 403', async (t) => {
  const id = (await service('h-1')).id;
  fault(t, await d.request('GET', '/v2.1/os-services'), 403, /os-services:list/);
  fault(t, await d.request('PUT', `/v2.1/os-services/${id}`, { status: 'disabled' }, {}, at('2.53')), 403);
  fault(t, await d.request('PUT', '/v2.1/os-services/disable', { host: 'h-1', binary: COMPUTE_BINARY }, {}), 403);
  fault(t, await d.request('DELETE', `/v2.1/os-services/${id}`, undefined, {}, at('2.53')), 403);
  t.is((await service('h-1')).status, 'enabled');
});

test.serial('services - list every cell: integer ids, forced_down from 2.11, uuids from 2.53, zones, filters', async (t) => {
  const old = await list();
  t.deepEqual(old.map((s) => s.host).sort(), ['h-1', 'h-2', 'k-1', 'k-2', 'k-3']);
  const first = old[0] as Service;
  t.deepEqual(Object.keys(first).sort(), ['binary', 'disabled_reason', 'host', 'id', 'state', 'status', 'updated_at', 'zone']);
  t.like(first, { binary: COMPUTE_BINARY, status: 'enabled', state: 'up', disabled_reason: null });
  t.is(typeof first.id, 'number');
  t.regex(first.updated_at ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  t.is((await list('', '2.11'))[0]?.forced_down, false);
  t.regex(String((await list('', '2.53'))[0]?.id), /^[0-9a-f-]{36}$/);

  t.is((await service('k-3')).zone, 'west');
  t.is((await service('k-1')).zone, 'nova');
  t.deepEqual((await list('?host=k-2')).map((s) => s.host), ['k-2']);
  t.is((await list(`?binary=${COMPUTE_BINARY}`)).length, 5);
  t.is((await list('?binary=nova-scheduler')).length, 0);
  t.is((await list('?host=h-1&host=k-1')).length, 1, 'a repeated filter takes the last value, as Nova does');
  t.is((await list('?other=1', '2.74')).length, 5);
  fault(t, await d.request('GET', '/v2.1/os-services?other=1', undefined, admin, at('2.75')), 400, /other/);
});

test.serial('services - disabling a host through the API stops builds on it; enabling lets them back', async (t) => {
  for (const host of ['h-1', 'h-2', 'k-1', 'k-3']) {
    const s = await service(host);
    const res = await put(String(s.id), { status: 'disabled', disabled_reason: 'maintenance' });
    t.is(res.status, 200, JSON.stringify(res.body));
    t.like(res.body.service, { host, status: 'disabled', disabled_reason: 'maintenance', state: 'up', forced_down: false });
  }
  // The scheduler reads services changed since its last look at its next refresh.
  await d.schedulerRefreshed();
  const booted = await Promise.all([1, 2, 3].map(() => d.boot()));
  const hosts = await Promise.all(booted.map(async (b) => (await d.waitForStatus(b.body.server.id, ['ACTIVE']))['OS-EXT-SRV-ATTR:host']));
  t.deepEqual(hosts, ['k-2', 'k-2', 'k-2']);

  const zones = await d.request<{ availabilityZoneInfo: { zoneName: string; zoneState: { available: boolean } }[] }>('GET', '/v2.1/os-availability-zone');
  t.deepEqual(zones.body.availabilityZoneInfo.map((z) => [z.zoneName, z.zoneState.available]), [['nova', true], ['west', false]], "a zone whose services are all disabled is not available");
  const hypervisor = await d.request<{ hypervisors: { hypervisor_hostname: string; status: string }[] }>('GET', '/v2.1/os-hypervisors?hypervisor_hostname_pattern=h-1', undefined, admin, at('2.53'));
  t.is(hypervisor.body.hypervisors[0]?.status, 'disabled');

  for (const host of ['h-1', 'h-2', 'k-1', 'k-3']) {
    const res = await put(String((await service(host)).id), { status: 'enabled' });
    t.like(res.body.service, { status: 'enabled', disabled_reason: null });
  }
  for (const b of booted) await d.request('DELETE', `/v2.1/servers/${b.body.server.id}`, undefined, admin);
  for (const b of booted) await d.waitForStatus(b.body.server.id, ['DELETED']);
});

test.serial('services - forced_down makes a service down at once, and up again when lifted', async (t) => {
  const s = await service('k-1');
  const down = await put(String(s.id), { forced_down: true });
  t.like(down.body.service, { host: 'k-1', state: 'down', forced_down: true, status: 'enabled' });
  t.is((await service('k-1')).state, 'down');
  const hyp = await d.request<{ hypervisors: { id: string; state: string }[] }>('GET', '/v2.1/os-hypervisors?hypervisor_hostname_pattern=k-1', undefined, admin, at('2.53'));
  t.is(hyp.body.hypervisors[0]?.state, 'down');
  const id = hyp.body.hypervisors[0]?.id ?? '';
  fault(t, await d.request('GET', `/v2.1/os-hypervisors/${id}/uptime`, undefined, admin, at('2.53')), 400, /^Compute service of k-1 is unavailable at this time\.$/);
  const shown = await d.request<{ hypervisor: { uptime: string | null } }>('GET', `/v2.1/os-hypervisors/${id}`, undefined, admin, at('2.88'));
  t.is(shown.body.hypervisor.uptime, null, 'a host that is down is not asked');
  const up = await put(String(s.id), { forced_down: 'false' });
  t.like(up.body.service, { state: 'up', forced_down: false });
});

test.serial('services - 2.53 updates are checked', async (t) => {
  const s = await service('h-2');
  fault(t, await put(String(s.id), { status: 'enabled', disabled_reason: 'why' }), 400, /Specifying 'disabled_reason' with status 'enabled' is invalid/);
  fault(t, await put(String(s.id), {}), 400, /No updates were requested/);
  fault(t, await put(String(s.id), { disabled_reason: 'only' }), 400, /No updates were requested/);
  fault(t, await put(String(s.id), { status: 'broken' }), 400, /status/);
  fault(t, await put('6f0b3c39-0a5c-4f36-9d2a-5a8fb2e4b1a7', { status: 'disabled' }), 404, /could not be found/);
  fault(t, await put('42', { status: 'disabled' }), 400, /^Invalid uuid 42$/);
  // The old action routes are gone at 2.53: the path is a service id.
  fault(t, await put('disable', { status: 'disabled' }), 400, /^Invalid uuid disable$/);
});

test.serial('services - the actions before 2.53: enable, disable, disable-log-reason, force-down from 2.11', async (t) => {
  const target = { host: 'h-2', binary: COMPUTE_BINARY };
  const disabled = await put('disable-log-reason', { ...target, disabled_reason: 'patching' }, '2.1');
  t.deepEqual(disabled.body, { service: { ...target, status: 'disabled', disabled_reason: 'patching' } });
  t.like(await service('h-2', '2.1'), { status: 'disabled', disabled_reason: 'patching' });
  t.deepEqual((await put('enable', target, '2.1')).body, { service: { ...target, status: 'enabled' } });
  t.deepEqual((await put('disable', target, '2.1')).body, { service: { ...target, status: 'disabled' } });
  t.deepEqual((await put('enable', target, '2.1')).body, { service: { ...target, status: 'enabled' } });
  fault(t, await put('disable-log-reason', target, '2.1'), 400, /Missing disabled reason field/);

  fault(t, await put('force-down', { ...target, forced_down: true }, '2.10'), 400, /forced_down/);
  fault(t, await put('force-down', target, '2.10'), 404, /Unknown action/);
  t.deepEqual((await put('force-down', { ...target, forced_down: true }, '2.11')).body, { service: { ...target, forced_down: true } });
  t.like(await service('h-2', '2.11'), { state: 'down', forced_down: true });
  t.deepEqual((await put('force-down', { ...target, forced_down: false }, '2.11')).body, { service: { ...target, forced_down: false } });
  fault(t, await put('force-down', target, '2.11'), 400, /Missing forced_down field/);

  fault(t, await put('disable', { host: 'h-2', binary: 'nova-scheduler' }, '2.1'), 400, /Updating a nova-scheduler service is not supported/);
  fault(t, await put('disable', { host: 'ghost', binary: COMPUTE_BINARY }, '2.1'), 404, /^Host 'ghost' is not mapped to any cell$/);
  fault(t, await put('reboot', target, '2.1'), 404, /Unknown action/);
});

test.serial('services - delete is refused while the host has instances; then takes the node, provider, mapping and memberships', async (t) => {
  const boot = await d.boot({ availability_zone: 'west' });
  const server = await d.waitForStatus(boot.body.server.id, ['ACTIVE']);
  t.is(server['OS-EXT-SRV-ATTR:host'], 'k-3');
  const s = await service('k-3');
  fault(t, await d.request('DELETE', `/v2.1/os-services/${s.id}`, undefined, admin, at('2.53')), 409, /^Unable to delete compute service that is hosting instances/);

  await d.request('DELETE', `/v2.1/servers/${boot.body.server.id}`, undefined, admin);
  await d.waitForStatus(boot.body.server.id, ['DELETED']);
  const node = (await d.request<{ hypervisors: { id: string }[] }>('GET', '/v2.1/os-hypervisors?hypervisor_hostname_pattern=k-3', undefined, admin, at('2.53'))).body.hypervisors[0];
  const gone = await d.request('DELETE', `/v2.1/os-services/${s.id}`, undefined, admin, at('2.53'));
  t.is(gone.status, 204, JSON.stringify(gone.body));
  t.deepEqual((await list()).map((x) => x.host).sort(), ['h-1', 'h-2', 'k-1', 'k-2']);
  t.deepEqual(await select(d.api, "SELECT host FROM host_mappings WHERE host = 'k-3'"), []);
  t.deepEqual(await select(d.api, "SELECT host FROM aggregate_hosts WHERE host = 'k-3'"), []);
  t.deepEqual(await select(d.api, 'SELECT id FROM resource_providers WHERE uuid = ?', [node?.id]), []);
  t.is((await d.request('GET', `/v2.1/os-hypervisors/${node?.id}`, undefined, admin, at('2.53'))).status, 404);
  fault(t, await d.request('DELETE', `/v2.1/os-services/${s.id}`, undefined, admin, at('2.53')), 404, /not found/);
  fault(t, await d.request('DELETE', '/v2.1/os-services/abc', undefined, admin, at('2.53')), 400, /Invalid uuid/);
  fault(t, await d.request('DELETE', '/v2.1/os-services/abc', undefined, admin), 400, /must be an integer/);

  // A host still running registers again (as a restarted nova-compute would); discovery maps it back.
  await d.cell('two').pools[0]?.hosts.find((h) => h.host === 'k-3')?.report();
  await d.discover();
  const back = await d.request<{ hypervisors: { id: string; state: string }[] }>('GET', '/v2.1/os-hypervisors?hypervisor_hostname_pattern=k-3', undefined, admin, at('2.53'));
  t.deepEqual(back.body.hypervisors.map((h) => h.id), [node?.id], 'the compute node comes back with its uuid');
  t.not((await service('k-3')).id, s.id, 'as a new service');
});

test.serial('services - integer ids repeat across cells: an ambiguous one is refused below 2.53', async (t) => {
  const [one, two] = await Promise.all(['one', 'two'].map((name) => select<{ id: number }>(d.cellDb(name), 'SELECT id FROM services WHERE deleted = 0')));
  const shared = one?.map((r) => Number(r.id)).find((id) => two?.some((r) => Number(r.id) === id));
  t.truthy(shared, 'both cells number their services from 1');
  fault(t, await d.request('DELETE', `/v2.1/os-services/${shared}`, undefined, admin), 400, new RegExp(`^Service id ${shared} refers to multiple services\\.$`));
  fault(t, await d.request('DELETE', '/v2.1/os-services/99999', undefined, admin), 404, /^Service 99999 not found\.$/);
});

test.serial('services - a cell whose database is down: left out below 2.69, its mapped hosts UNKNOWN from 2.69', async (t) => {
  const cell = (await d.registry.list()).find((c) => c.name === 'one');
  await execute(d.api, "UPDATE cell_mappings SET database_url = 'mysql://root@127.0.0.1:1/gone' WHERE name = 'one'");
  try {
    const before = await list('', '2.68');
    t.deepEqual(before.map((s) => s.host).sort(), ['k-1', 'k-2', 'k-3']);
    const after = await list('', '2.69');
    t.deepEqual(after.filter((s) => s.status === 'UNKNOWN').sort((a, b) => a.host.localeCompare(b.host)), [
      { binary: COMPUTE_BINARY, host: 'h-1', status: 'UNKNOWN' },
      { binary: COMPUTE_BINARY, host: 'h-2', status: 'UNKNOWN' },
    ]);
    t.is(after.length, 5);
    t.deepEqual((await list('?host=h-1', '2.69')).map((s) => s.status), ['UNKNOWN']);
    const zones = await d.request('GET', '/v2.1/os-availability-zone/detail', undefined, admin);
    t.is(zones.status, 200);
  } finally {
    await execute(d.api, 'UPDATE cell_mappings SET database_url = ? WHERE name = ?', [cell?.databaseUrl, 'one']);
  }
  t.is((await list('', '2.69')).length, 5);
});
