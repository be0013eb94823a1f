import test from 'ava';
import { TestDeployment } from '../../../ops/testing/index.js';
import { execute } from '../../../ops/runtime-db/index.js';

let d: TestDeployment;
const byProject: Record<string, string[]> = { p1: [], p2: [] };
test.before(async () => {
  d = await TestDeployment.start({
    cells: [
      { name: 'one', pools: [{ prefix: 'one', hosts: 2 }] },
      { name: 'two', pools: [{ prefix: 'two', hosts: 2 }] },
    ],
  });
  await d.flavor('huge', 1, 10_000_000);
  for (const p of ['p1', 'p2']) await d.quota(p, { instances: -1, ram: -1 });
  for (let i = 0; i < 7; i += 1) {
    const res = await d.boot({ name: `web-${i}`, tags: i % 2 === 0 ? ['even'] : ['odd'], metadata: { n: String(i) } }, { project: 'p1' }, {}, v('2.52'));
    byProject['p1']?.push(res.body.server.id);
  }
  for (let i = 0; i < 3; i += 1) byProject['p2']?.push((await d.boot({ name: `db-${i}` }, { project: 'p2', user: 'u2' })).body.server.id);
  byProject['p1']?.push((await d.boot({ name: 'nowhere', flavorRef: 'huge' }, { project: 'p1' })).body.server.id);
  await Promise.all([...(byProject['p1'] ?? []), ...(byProject['p2'] ?? [])].map((id) => d.waitForStatus(id, ['ACTIVE', 'ERROR'])));
});
test.after.always(() => d?.stop());

type Server = Record<string, unknown> & { id: string };
const v = (version: string) => ({ 'openstack-api-version': `compute ${version}` });

async function page(path: string, caller = {}, headers = {}) {
  return d.request<{ servers: Server[]; servers_links?: { rel: string; href: string }[] }>('GET', path, undefined, caller, headers);
}

/** Follows servers_links to the end and returns every id seen, in order. */
async function walk(path: string, caller = {}, headers = {}): Promise<string[]> {
  const seen: string[] = [];
  let next: string | undefined = path;
  for (let i = 0; next && i < 50; i += 1) {
    const res = await page(next, caller, headers);
    seen.push(...res.body.servers.map((s) => s.id));
    const href = res.body.servers_links?.find((l) => l.rel === 'next')?.href;
    next = href ? href.slice(d.apiUrl.length) : undefined;
  }
  return seen;
}

test.serial('list - a member sees its project only, newest first, with both cells merged', async (t) => {
  const res = await page('/v2.1/servers/detail', { project: 'p1' });
  t.is(res.status, 200);
  const ids = res.body.servers.map((s) => s.id);
  t.deepEqual([...ids].sort(), [...(byProject['p1'] ?? [])].sort());
  const created = res.body.servers.map((s) => String(s['created']));
  t.deepEqual(created, [...created].sort().reverse(), 'created_at descending');
  t.true(res.body.servers.every((s) => s['tenant_id'] === 'p1'));
  const hosts = new Set(res.body.servers.map((s) => String(s['hostId'])));
  t.true(hosts.size > 1);
});

test.serial('list - detail shows each server its own tags, metadata, flavor and fault, and hostId per project', async (t) => {
  const res = await page('/v2.1/servers/detail?all_tenants=1', { roles: 'admin' }, v('2.47'));
  t.is(res.status, 200);
  const byName = new Map(res.body.servers.map((s) => [String(s['name']), s]));
  for (let i = 0; i < 7; i += 1) {
    const s = byName.get(`web-${i}`);
    t.deepEqual(s?.['tags'], [i % 2 === 0 ? 'even' : 'odd'], `web-${i} tags`);
    t.deepEqual(s?.['metadata'], { n: String(i) }, `web-${i} metadata`);
    t.is((s?.['flavor'] as { vcpus?: number } | undefined)?.vcpus, 1, `web-${i} flavor`);
  }
  const nowhere = byName.get('nowhere');
  t.is(nowhere?.['status'], 'ERROR');
  t.is((nowhere?.['flavor'] as { original_name?: string } | undefined)?.original_name, 'test.huge');
  t.is((nowhere?.['fault'] as { code?: number } | undefined)?.code, 500);
  // hostId hashes the host with the project: one host shows one id per project, never the same across projects.
  const hostOf = (s: Server) => s['OS-EXT-SRV-ATTR:host'] as string | null;
  const ids = (project: string) => new Map(res.body.servers.filter((s) => s['tenant_id'] === project && hostOf(s)).map((s) => [hostOf(s), s['hostId']]));
  const p1 = ids('p1');
  const p2 = ids('p2');
  for (const [host, id] of p2) if (p1.has(host)) t.not(p1.get(host), id, `hostId of ${host ?? ''} differs between projects`);
  for (const s of res.body.servers) if (s['tenant_id'] === 'p1' && hostOf(s)) t.is(s['hostId'], p1.get(hostOf(s)));
});

test.serial('list - paging with limit and marker returns every server exactly once, in order, across cells', async (t) => {
  const all = (await page('/v2.1/servers?all_tenants=1', { roles: 'admin' })).body.servers.map((s) => s.id);
  t.is(all.length, 11);
  for (const limit of [1, 2, 3, 4]) {
    const walked = await walk(`/v2.1/servers?all_tenants=1&limit=${limit}`, { roles: 'admin' });
    t.deepEqual(walked, all, `limit ${limit}`);
  }
  const byName = await walk('/v2.1/servers/detail?all_tenants=1&limit=3&sort_key=display_name&sort_dir=asc', { roles: 'admin' });
  const names = (await page('/v2.1/servers/detail?all_tenants=1&sort_key=display_name&sort_dir=asc', { roles: 'admin' })).body.servers;
  t.deepEqual(byName, names.map((s) => s.id));
  t.deepEqual(names.map((s) => String(s['name'])), names.map((s) => String(s['name'])).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
});

test.serial('list - the index view is id, name and links; a bad marker or sort key is a 400', async (t) => {
  const res = await page('/v2.1/servers?limit=1', { project: 'p2', user: 'u2' });
  t.deepEqual(Object.keys(res.body.servers[0] ?? {}).sort(), ['id', 'links', 'name']);
  t.regex(res.body.servers_links?.[0]?.href ?? '', /\/v2\.1\/servers\?limit=1&marker=/);
  t.is((await page('/v2.1/servers?marker=00000000-0000-4000-8000-000000000000')).status, 400);
  t.is((await page('/v2.1/servers?sort_key=bogus')).status, 400);
  t.is((await page('/v2.1/servers?limit=-1')).status, 400);
});

test.serial('list - filters: name regex, status, flavor, reservation, tags, changes-since', async (t) => {
  const names = async (q: string, headers = {}) => (await page(`/v2.1/servers/detail?${q}`, { project: 'p1' }, headers)).body.servers.map((s) => String(s['name'])).sort();
  t.deepEqual(await names('name=web-[35]'), ['web-3', 'web-5']);
  t.deepEqual(await names('status=ERROR'), ['nowhere']);
  t.is((await names('status=ACTIVE')).length, 7);
  t.deepEqual(await names('flavor=huge'), ['nowhere']);
  t.deepEqual(await names('flavor=nope'), []);
  t.deepEqual(await names('tags=odd', v('2.26')), ['web-1', 'web-3', 'web-5']);
  t.deepEqual(await names('not-tags-any=odd,even', v('2.26')), ['nowhere']);
  t.is((await names('changes-since=2000-01-01T00:00:00Z')).length, 8);
  t.deepEqual(await names('changes-since=2999-01-01T00:00:00Z'), []);
  t.is((await page('/v2.1/servers?changes-since=yesterday', { project: 'p1' })).status, 400);
  t.deepEqual(await names('status=NOSUCH'), [], 'below 2.38 an unknown status matches nothing');
  t.is((await page('/v2.1/servers?status=NOSUCH', { project: 'p1' }, v('2.38'))).status, 400);
  t.deepEqual(await names('host=one-1'), (await names('')).length > 0 ? await names('') : [], 'host is an admin filter: ignored for members');
});

test.serial('list - all_tenants is for admins; admins narrow by project', async (t) => {
  t.is((await page('/v2.1/servers?all_tenants=1', { project: 'p1' })).status, 403);
  const p2 = (await page('/v2.1/servers?all_tenants=1&project_id=p2', { roles: 'admin' })).body.servers.map((s) => s.id);
  t.deepEqual(p2.sort(), [...(byProject['p2'] ?? [])].sort());
  const own = (await page('/v2.1/servers', { project: 'p2', roles: 'admin' })).body.servers;
  t.is(own.length, 3, 'an admin without all_tenants sees its own project');
});

test.serial('list - servers still waiting for a cell are listed as BUILD', async (t) => {
  await d.stopSuperConductors();
  try {
    const id = (await d.boot({ name: 'queued' }, { project: 'p3' })).body.server.id;
    const res = await page('/v2.1/servers/detail', { project: 'p3' });
    t.deepEqual(res.body.servers.map((s) => [s.id, s['status']]), [[id, 'BUILD']]);
    t.is((await d.request('DELETE', `/v2.1/servers/${id}`, undefined, { project: 'p3' })).status, 204);
  } finally {
    await d.startSuperConductor();
  }
});

test.serial('list - a cell that does not answer: left out below 2.69, partial UNKNOWN records from 2.69', async (t) => {
  const cell = await d.registry.find('two');
  const inTwo: string[] = [];
  for (const id of byProject['p1'] ?? []) if ((await d.mappedCell(id)) === 'two') inTwo.push(id);
  t.true(inTwo.length > 0);
  await execute(d.api, "UPDATE cell_mappings SET database_url = 'mysql://root@127.0.0.1:1/gone' WHERE id = ?", [cell.id]);
  try {
    const old = await page('/v2.1/servers/detail', { project: 'p1' }, v('2.68'));
    t.is(old.status, 200);
    t.false(old.body.servers.some((s) => inTwo.includes(s.id)));
    const partial = await page('/v2.1/servers/detail', { project: 'p1' }, v('2.69'));
    const unknown = partial.body.servers.filter((s) => s['status'] === 'UNKNOWN');
    t.deepEqual(unknown.map((s) => s.id).sort(), [...inTwo].sort());
    t.deepEqual(Object.keys(unknown[0] ?? {}).sort(), ['created', 'id', 'links', 'status', 'tenant_id']);
    const shown = await d.request<{ server: Server }>('GET', `/v2.1/servers/${inTwo[0]}`, undefined, { project: 'p1' }, v('2.69'));
    t.is(shown.body.server['status'], 'UNKNOWN');
    t.is(shown.body.server['user_id'], 'u1');
    t.deepEqual((shown.body.server['flavor'] as Record<string, unknown>)['original_name'], 'm1.tiny');
    const refused = await d.request('GET', `/v2.1/servers/${inTwo[0]}`, undefined, { project: 'p1' }, v('2.68'));
    t.is(refused.status, 503);
    const write = await d.request('DELETE', `/v2.1/servers/${inTwo[0]}`, undefined, { project: 'p1' });
    t.is(write.status, 503);
    t.truthy((write.body as Record<string, unknown>)['serviceUnavailable']);
  } finally {
    await execute(d.api, 'UPDATE cell_mappings SET database_url = ? WHERE id = ?', [d.dbs.url('two'), cell.id]);
  }
});
