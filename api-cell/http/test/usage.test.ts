import test from 'ava';
import { execute, select } from '../../../ops/runtime-db/index.js';
import { fault, TestDeployment, waitFor, type Caller } from '../../../ops/testing/index.js';

let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({ cells: [{ name: 'one', pools: [{ prefix: 'h', hosts: 2 }] }, { name: 'two', pools: [{ prefix: 'k', hosts: 2 }] }] });
});
test.after.always(() => d?.stop());

const v = (version: string) => ({ 'openstack-api-version': `compute ${version}` });
const admin: Caller = { user: 'admin', project: 'admin', roles: 'admin' };
type Usage = Record<string, unknown> & { server_usages?: Record<string, unknown>[] };

/** The project's instances in every cell (deleted ones too), with their cell. */
async function instancesOf(project: string): Promise<{ uuid: string; vm_state: string; deleted: number; cell: string }[]> {
  const rows = await Promise.all(
    ['one', 'two'].map(async (cell) =>
      (await select<{ uuid: string; vm_state: string; deleted: number }>(d.cellDb(cell), 'SELECT uuid, vm_state, deleted FROM instances WHERE project_id = ?', [project])).map((r) => ({ ...r, cell })),
    ),
  );
  return rows.flat();
}

/** Boots `count` servers for the project and waits until they are ACTIVE; their uuids, sorted. */
async function bootActive(project: string, count: number): Promise<string[]> {
  const res = await d.boot({ name: `vm-${project}`, min_count: count }, { project });
  if (res.status !== 202) throw new Error(JSON.stringify(res.body));
  await waitFor(async () => (await instancesOf(project)).filter((i) => i.vm_state === 'active').length === count, 20_000, `${count} active in ${project}`);
  return (await instancesOf(project)).map((i) => i.uuid).sort();
}

/** Pins when an instance ran, wherever it is. */
async function ran(uuid: string, launched: string, terminated: string | null = null): Promise<void> {
  for (const cell of ['one', 'two']) {
    await execute(d.cellDb(cell), 'UPDATE instances SET launched_at = ?, terminated_at = ? WHERE uuid = ?', [launched, terminated, uuid]);
  }
}

const usage = (path: string, caller: Caller, version = '2.1') =>
  d.request<{ tenant_usage: Usage; tenant_usages: Usage[]; tenant_usage_links?: { rel: string; href: string }[]; tenant_usages_links?: { rel: string; href: string }[] }>(
    'GET',
    path,
    undefined,
    caller,
    v(version),
  );

test.serial('usage - hours, totals and server details of a server that ran in the window', async (t) => {
  const [id] = await bootActive('p-hours', 1);
  await ran(id ?? '', '2024-01-01 10:00:00');
  const res = await usage('/v2.1/os-simple-tenant-usage/p-hours?start=2024-01-01T09:00:00&end=2024-01-01T12:30:00', { project: 'p-hours', roles: 'reader' });
  t.is(res.status, 200, JSON.stringify(res.body));
  const { server_usages: servers, ...totals } = res.body.tenant_usage;
  t.deepEqual(totals, {
    tenant_id: 'p-hours',
    total_hours: 2.5,
    total_vcpus_usage: 2.5,
    total_memory_mb_usage: 1280,
    total_local_gb_usage: 2.5,
    start: '2024-01-01T09:00:00',
    stop: '2024-01-01T12:30:00',
  });
  t.is(servers?.length, 1);
  const { uptime, ...server } = servers?.[0] ?? {};
  t.deepEqual(server, {
    instance_id: id,
    name: 'vm-p-hours',
    hours: 2.5,
    memory_mb: 512,
    local_gb: 1,
    vcpus: 1,
    tenant_id: 'p-hours',
    flavor: 'm1.tiny',
    started_at: '2024-01-01T10:00:00',
    ended_at: null,
    state: 'active',
  });
  t.true(Number(uptime) > 3600 * 24, 'still running: up since 2024');
  const before = await usage('/v2.1/os-simple-tenant-usage/p-hours?start=2024-01-01T08:00:00&end=2024-01-01T09:59:59', { project: 'p-hours' });
  t.deepEqual(before.body.tenant_usage, {}, 'a window before it launched holds nothing');
  const fractions = await usage('/v2.1/os-simple-tenant-usage/p-hours?start=2024-01-01+09%3A00%3A00.000000&end=2024-01-01T10:30:00.5', { project: 'p-hours' });
  t.is(fractions.status, 200, JSON.stringify(fractions.body));
  t.like(fractions.body.tenant_usage, { stop: '2024-01-01T10:30:00.500000' });
  t.true(Math.abs(Number(fractions.body.tenant_usage['total_hours']) - (1800.5 / 3600)) < 1e-9);
});

test.serial('usage - a deleted server counts until it was terminated, as terminated', async (t) => {
  const [id = ''] = await bootActive('p-gone', 1);
  t.is((await d.request('DELETE', `/v2.1/servers/${id}`, undefined, { project: 'p-gone' })).status, 204);
  await waitFor(async () => (await instancesOf('p-gone')).every((i) => i.deleted !== 0), 20_000, 'the delete');
  await ran(id, '2024-01-01 10:00:00', '2024-01-01 11:00:00');
  const res = await usage('/v2.1/os-simple-tenant-usage/p-gone?start=2024-01-01T09:00:00&end=2024-01-01T12:30:00', admin);
  t.is(res.status, 200, JSON.stringify(res.body));
  t.like(res.body.tenant_usage, { total_hours: 1, total_memory_mb_usage: 512 });
  t.like(res.body.tenant_usage.server_usages?.[0], { instance_id: id, hours: 1, state: 'terminated', ended_at: '2024-01-01T11:00:00', uptime: 3600 });
  const after = await usage('/v2.1/os-simple-tenant-usage/p-gone?start=2024-01-01T11:00:00&end=2024-01-01T12:30:00', admin);
  t.deepEqual(after.body.tenant_usage, {}, 'terminated when the window starts: nothing');
});

test.serial('usage - the list is for admins, covers every project, and shows servers only when detailed', async (t) => {
  const [a = ''] = await bootActive('p-list-a', 1);
  const [b = ''] = await bootActive('p-list-b', 1);
  await ran(a, '2024-03-01 10:00:00', '2024-03-01 11:00:00');
  await ran(b, '2024-03-01 10:00:00');
  const window = '?start=2024-03-01T00:00:00&end=2024-03-02T00:00:00';
  fault(t, await usage(`/v2.1/os-simple-tenant-usage${window}`, { project: 'p-list-a' }), 403, /os-simple-tenant-usage:list/);
  const plain = await usage(`/v2.1/os-simple-tenant-usage${window}`, admin);
  t.is(plain.status, 200, JSON.stringify(plain.body));
  // Servers of the other tests that are still running count in this window too.
  const ours = (list: Usage[]) => list.filter((u) => String(u['tenant_id']).startsWith('p-list'));
  t.deepEqual(ours(plain.body.tenant_usages).map((u) => [u['tenant_id'], u['total_hours']]), [['p-list-a', 1], ['p-list-b', 14]]);
  t.false(plain.body.tenant_usages.some((u) => 'server_usages' in u));
  const detailed = await usage(`/v2.1/os-simple-tenant-usage${window}&detailed=1`, admin);
  t.deepEqual(ours(detailed.body.tenant_usages).map((u) => u.server_usages?.map((s) => s['instance_id'])), [[a], [b]]);
  fault(t, await usage(`/v2.1/os-simple-tenant-usage/p-list-b${window}`, { project: 'p-list-a' }), 403, /os-simple-tenant-usage:show/);
});

test.serial('usage - from 2.40 pages by limit and marker with next links; before it limit is ignored', async (t) => {
  const ids = await bootActive('p-page', 3);
  for (const id of ids) await ran(id, '2024-04-01 10:00:00');
  const window = 'start=2024-04-01T00:00:00&end=2024-04-02T00:00:00';
  const caller = { project: 'p-page' };
  const first = await usage(`/v2.1/os-simple-tenant-usage/p-page?${window}&limit=2`, caller, '2.40');
  t.deepEqual(first.body.tenant_usage.server_usages?.map((s) => s['instance_id']), ids.slice(0, 2));
  const link = first.body.tenant_usage_links?.[0];
  t.is(link?.rel, 'next');
  const next = new URL(link?.href ?? 'http://x/');
  t.is(next.pathname, '/v2.1/os-simple-tenant-usage/p-page');
  t.is(next.searchParams.get('marker'), ids[1] ?? '');
  const second = await usage(`${next.pathname}${next.search}`, caller, '2.40');
  t.deepEqual(second.body.tenant_usage.server_usages?.map((s) => s['instance_id']), ids.slice(2));
  t.is(second.body.tenant_usage_links, undefined, 'the last page has no next link');
  const old = await usage(`/v2.1/os-simple-tenant-usage/p-page?${window}&limit=1`, caller, '2.39');
  t.is(old.body.tenant_usage.server_usages?.length, 3);
  t.is(old.body.tenant_usage_links, undefined);
  const all = await usage(`/v2.1/os-simple-tenant-usage?${window}&limit=1&detailed=1`, admin, '2.40');
  t.deepEqual(all.body.tenant_usages.map((u) => u.server_usages?.length), [1]);
  t.regex(all.body.tenant_usages_links?.[0]?.href ?? '', /\/v2\.1\/os-simple-tenant-usage\?.*marker=/);
  fault(t, await usage(`/v2.1/os-simple-tenant-usage/p-page?${window}&marker=00000000-0000-4000-8000-000000000000`, caller, '2.40'), 400, /Marker .* could not be found/);
});

test('usage - dates as Nova takes them, and the window must run forwards', async (t) => {
  const caller = { project: 'p-dates' };
  const path = (query: string) => `/v2.1/os-simple-tenant-usage/p-dates?${query}`;
  for (const bad of ['start=2024-01-01 09:00:00', 'start=yesterday', 'start=2024-02-30T00:00:00', 'end=2024-01-01T09:00:00Z']) {
    fault(t, await usage(path(bad), caller), 400, /Invalid datetime string/);
  }
  fault(t, await usage(path('start=2024-01-02T00:00:00&end=2024-01-01T00:00:00'), caller), 400, /^Invalid start time\. The start time cannot occur after the end time\.$/);
  const future = await usage(path('start=2024-01-01T00:00:00&end=2999-01-01T00:00:00'), caller);
  t.is(future.status, 200);
  t.deepEqual(future.body.tenant_usage, {});
  t.is((await usage(path('bogus=1'), caller, '2.74')).status, 200);
  fault(t, await usage(path('bogus=1'), caller, '2.75'), 400);
});
