import test from 'ava';
import { execute } from '../../../ops/runtime-db/index.js';
import { fault, TestDeployment } from '../../../ops/testing/index.js';

let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({
    cells: [
      { name: 'one', pools: [{ prefix: 'h', hosts: 2 }] },
      { name: 'two', pools: [{ prefix: 'k', hosts: 2 }] },
    ],
  });
});
test.after.always(() => d?.stop());

const admin = { roles: 'admin' };
const at = (version: string) => ({ 'openstack-api-version': `compute ${version}` });

type Hyp = Record<string, unknown> & { id: number | string; hypervisor_hostname: string; state: string; status: string };
type List = { hypervisors: Hyp[]; hypervisors_links?: { rel: string; href: string }[] };

const get = <T = List>(path: string, version = '2.1') => d.request<T>('GET', `/v2.1/os-hypervisors${path}`, undefined, admin, at(version));
const names = (list: Hyp[]) => list.map((h) => h.hypervisor_hostname);

const resourceFields = [
  'vcpus', 'memory_mb', 'local_gb', 'vcpus_used', 'memory_mb_used', 'local_gb_used', 'free_ram_mb', 'free_disk_gb',
  'current_workload', 'running_vms', 'disk_available_least', 'cpu_info',
];

test.serial('hypervisors - a member gets 403', async (t) => {
  const { body } = await get('', '2.53');
  const id = String(body.hypervisors[0]?.id);
  for (const path of ['', '/detail', '/statistics', `/${id}`, `/${id}/uptime`]) {
    fault(t, await d.request('GET', `/v2.1/os-hypervisors${path}`, undefined, {}, at('2.53')), 403, /os-hypervisors/);
  }
  fault(t, await d.request('GET', '/v2.1/os-hypervisors/h/search', undefined, {}), 403);
});

test.serial('hypervisors - list and detail across cells: integer ids before 2.53, cpu_info an object from 2.28', async (t) => {
  const list = await get('');
  t.is(list.status, 200);
  const ids = list.body.hypervisors.map((h) => Number(h.id));
  t.deepEqual(names(list.body.hypervisors).map((n) => n[0]), ['h', 'h', 'k', 'k'], 'cells in mapping order');
  t.true(ids[0]! < ids[1]! && ids[2]! < ids[3]!, 'nodes by id within a cell');
  t.deepEqual(names(list.body.hypervisors).sort(), ['h-1', 'h-2', 'k-1', 'k-2']);
  t.deepEqual(Object.keys(list.body.hypervisors[0] ?? {}).sort(), ['hypervisor_hostname', 'id', 'state', 'status']);
  t.true(list.body.hypervisors.every((h) => typeof h.id === 'number' && h.state === 'up' && h.status === 'enabled'));
  t.false('hypervisors_links' in list.body);

  const detail = await get('/detail');
  const h = detail.body.hypervisors[0] ?? ({} as Hyp);
  t.like(h, { hypervisor_type: 'fake', vcpus: 16, memory_mb: 65536, local_gb: 1000, vcpus_used: 0, running_vms: 0, free_ram_mb: 65536, cpu_info: '{}' });
  t.like(h['service'] as object, { host: h.hypervisor_hostname, disabled_reason: null });
  t.is(typeof (h['service'] as { id: unknown }).id, 'number');
  t.deepEqual((await get('/detail', '2.28')).body.hypervisors[0]?.['cpu_info'], {});
});

test.serial('hypervisors - from 2.53 ids are node uuids; show takes a uuid (400 otherwise) and an integer below', async (t) => {
  const list = await get('/detail', '2.53');
  const first = list.body.hypervisors[0] ?? ({} as Hyp);
  t.regex(String(first.id), /^[0-9a-f-]{36}$/);
  t.regex(String((first['service'] as { id: unknown }).id), /^[0-9a-f-]{36}$/);
  const shown = await get<{ hypervisor: Hyp }>(`/${first.id}`, '2.53');
  t.like(shown.body.hypervisor, { id: first.id, hypervisor_hostname: first.hypervisor_hostname });
  fault(t, await get('/1', '2.53'), 400, /^Invalid uuid 1$/);
  fault(t, await get(`/${first.id}`, '2.52'), 404, /Hypervisor with ID '.*' could not be found/);
  fault(t, await get('/6f0b3c39-0a5c-4f36-9d2a-5a8fb2e4b1a7', '2.53'), 404);
  // Integer ids repeat across cells (Nova's problem too, which 2.53 solved): the first cell's wins.
  const old = (await get('')).body.hypervisors[0] ?? ({} as Hyp);
  const byId = await get<{ hypervisor: Hyp }>(`/${old.id}`);
  t.like(byId.body.hypervisor, { id: old.id, hypervisor_hostname: old.hypervisor_hostname });
  fault(t, await get('/nope'), 404);
});

test.serial('hypervisors - paging with limit and marker walks across cells from 2.33', async (t) => {
  const all = names((await get('', '2.53')).body.hypervisors);
  const seen: string[] = [];
  let path = '?limit=3';
  for (let page = 0; page < 3 && path; page += 1) {
    const res = await get(path, '2.53');
    t.is(res.status, 200, JSON.stringify(res.body));
    seen.push(...names(res.body.hypervisors));
    const next = res.body.hypervisors_links?.[0]?.href;
    path = next ? next.slice(next.indexOf('?')) : '';
  }
  t.deepEqual(seen, all);
  const integers = (await get('')).body.hypervisors;
  const old = await get(`?limit=2&marker=${integers[0]?.id}`, '2.33');
  t.deepEqual(names(old.body.hypervisors), all.slice(1, 3), 'an integer marker is found in the first cell that has it');
  t.regex(old.body.hypervisors_links?.[0]?.href ?? '', new RegExp(`/v2\\.1/os-hypervisors\\?limit=2&marker=${integers[2]?.id}$`));
  fault(t, await get('?marker=6f0b3c39-0a5c-4f36-9d2a-5a8fb2e4b1a7', '2.53'), 400, /marker \[.*\] not found/);
  fault(t, await get('?limit=-1', '2.53'), 400);
  fault(t, await get('?bogus=1', '2.53'), 400, /bogus/);
  t.is((await get('?bogus=1', '2.33')).status, 200, 'unknown parameters are ignored before 2.53');
  t.is((await get('?limit=1', '2.1')).body.hypervisors.length, 4, 'no paging before 2.33');
});

test.serial('hypervisors - usage comes from placement and instance counts from the cells; statistics sum them', async (t) => {
  await d.flavor('hyp', 2, 1024, 10);
  const boot = await d.boot({ flavorRef: 'hyp' });
  const server = await d.waitForStatus(boot.body.server.id, ['ACTIVE']);
  const host = String(server['OS-EXT-SRV-ATTR:host']);
  const detail = await get('/detail', '2.87');
  const node = detail.body.hypervisors.find((h) => h.hypervisor_hostname === host) ?? ({} as Hyp);
  t.like(node, { vcpus_used: 2, memory_mb_used: 1024, local_gb_used: 10, free_ram_mb: 65536 - 1024, free_disk_gb: 990, running_vms: 1 });
  const stats = await get<{ hypervisor_statistics: Record<string, number> }>('/statistics', '2.87');
  t.deepEqual(stats.body.hypervisor_statistics, {
    count: 4, vcpus: 64, memory_mb: 4 * 65536, local_gb: 4000, vcpus_used: 2, memory_mb_used: 1024, local_gb_used: 10,
    free_ram_mb: 4 * 65536 - 1024, free_disk_gb: 3990, current_workload: 0, running_vms: 1, disk_available_least: 3990,
  });

  const withServers = await get(`?with_servers=true&hypervisor_hostname_pattern=${host}`, '2.53');
  t.deepEqual(withServers.body.hypervisors[0]?.['servers'], [{ name: 'vm', uuid: boot.body.server.id }]);
  const servers = await get(`/${host}/servers`, '2.52');
  t.deepEqual(servers.body.hypervisors[0]?.['servers'], [{ name: 'vm', uuid: boot.body.server.id }]);
  const shown = await get<{ hypervisor: Hyp }>(`/${String(node.id)}?with_servers=1`, '2.53');
  t.is((shown.body.hypervisor['servers'] as unknown[]).length, 1);
  await d.request('DELETE', `/v2.1/servers/${boot.body.server.id}`, undefined, admin);
  await d.waitForStatus(boot.body.server.id, ['DELETED']);
});

test.serial('hypervisors - search by hostname pattern: routes before 2.53, query parameters from 2.53', async (t) => {
  t.deepEqual(names((await get('/k/search')).body.hypervisors).sort(), ['k-1', 'k-2']);
  fault(t, await get('/zzz/search'), 404, /^No hypervisor matching 'zzz' could be found\.$/);
  t.false('servers' in ((await get('/k-1/servers')).body.hypervisors[0] ?? {}), 'servers only when the host has some');
  fault(t, await get('/k/search', '2.53'), 404);
  fault(t, await get('/k/servers', '2.53'), 404);

  t.deepEqual(names((await get('?hypervisor_hostname_pattern=h-', '2.53')).body.hypervisors).sort(), ['h-1', 'h-2']);
  fault(t, await get('?hypervisor_hostname_pattern=zzz', '2.53'), 404);
  fault(t, await get('?hypervisor_hostname_pattern=h&limit=1', '2.53'), 400, /Paging over hypervisors/);
  const empty = await get('/detail?hypervisor_hostname_pattern=k-2&with_servers=true', '2.75');
  t.deepEqual(empty.body.hypervisors[0]?.['servers'], [], 'from 2.75 servers is there, empty, when asked for');
  t.false('servers' in ((await get('?hypervisor_hostname_pattern=k-2&with_servers=true', '2.74')).body.hypervisors[0] ?? {}));
  fault(t, await get('?with_servers=maybe', '2.53'), 400, /with_servers/);
});

test.serial('hypervisors - 2.88 drops the resource fields and statistics and puts uptime in the detail view', async (t) => {
  const detail = await get('/detail', '2.88');
  const h = detail.body.hypervisors[0] ?? ({} as Hyp);
  for (const field of resourceFields) t.false(field in h, `${field} is gone at 2.88`);
  t.regex(String(h['uptime']), /up .*load average/);
  t.like(h, { hypervisor_type: 'fake', host_ip: null });
  const shown = await get<{ hypervisor: Hyp }>(`/${String(h.id)}`, '2.88');
  t.regex(String(shown.body.hypervisor['uptime']), /up /);
  fault(t, await get('/statistics', '2.88'), 404);
  fault(t, await get(`/${String(h.id)}/uptime`, '2.88'), 404);

  const uptime = await get<{ hypervisor: Hyp }>(`/${String(h.id)}/uptime`, '2.87');
  t.deepEqual(Object.keys(uptime.body.hypervisor).sort(), ['hypervisor_hostname', 'id', 'state', 'status', 'uptime']);
  t.regex(String(uptime.body.hypervisor['uptime']), /^ \d\d:\d\d:\d\d up \d+:\d\d, {2}0 users, {2}load average/);
  t.is((await get('/statistics', '2.87')).status, 200);
});

test.serial('hypervisors - a cell whose database is down is left out, the other cells still listed', async (t) => {
  const [two] = await d.registry.list().then((cells) => cells.filter((c) => c.name === 'two'));
  await execute(d.api, "UPDATE cell_mappings SET database_url = 'mysql://root@127.0.0.1:1/gone' WHERE name = 'two'");
  try {
    const list = await get('/detail', '2.53');
    t.is(list.status, 200, JSON.stringify(list.body));
    t.deepEqual(names(list.body.hypervisors).sort(), ['h-1', 'h-2']);
    const stats = await get<{ hypervisor_statistics: { count: number } }>('/statistics', '2.53');
    t.is(stats.body.hypervisor_statistics.count, 2);
    t.is((await d.request('GET', '/v2.1/os-availability-zone', undefined, admin)).status, 200);
  } finally {
    await execute(d.api, 'UPDATE cell_mappings SET database_url = ? WHERE name = ?', [two?.databaseUrl, 'two']);
  }
  t.deepEqual(names((await get('', '2.53')).body.hypervisors).sort(), ['h-1', 'h-2', 'k-1', 'k-2']);
});
