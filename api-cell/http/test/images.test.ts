import { createHash, randomBytes } from 'node:crypto';
import test from 'ava';
import { TestDeployment } from '../../../ops/testing/index.js';

let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({ cells: [{ name: 'one', pools: [{ prefix: 'h', hosts: 1 }] }], config: { api: { max_image_bytes: 65536 } } });
});
test.after.always(() => d?.stop());

type Image = Record<string, unknown> & { id: string; status: string; name: string | null; tags: string[] };
interface Caller {
  user?: string;
  project?: string;
  roles?: string;
}
const p2: Caller = { user: 'u2', project: 'p2' };
const admin: Caller = { user: 'ua', project: 'pa', roles: 'admin' };
const PATCH = { 'content-type': 'application/openstack-images-v2.1-json-patch' };

const create = (body: Record<string, unknown>, caller: Caller = {}) => d.request<Image>('POST', '/image/v2/images', body, caller);
const patch = (id: string, ops: unknown, caller: Caller = {}, headers: Record<string, string> = PATCH) =>
  d.request<Image>('PATCH', `/image/v2/images/${id}`, JSON.stringify(ops), caller, headers);
const list = (query: string, caller: Caller = {}) => d.request<{ images: Image[]; next?: string; first: string; schema: string }>('GET', `/image/v2/images${query}`, undefined, caller);
const headersOf = (caller: Caller) => ({ 'x-user-id': caller.user ?? 'u1', 'x-project-id': caller.project ?? 'p1', 'x-roles': caller.roles ?? 'member' });
const upload = (id: string, data: Buffer, caller: Caller = {}, type = 'application/octet-stream') =>
  fetch(`${d.apiUrl}/image/v2/images/${id}/file`, { method: 'PUT', headers: { ...headersOf(caller), 'content-type': type }, body: data });

test('images - version discovery at /image answers 300 with the v2 endpoint; the API needs a caller', async (t) => {
  const root = await d.request<{ versions: { id: string; status: string; links: { href: string }[] }[] }>('GET', '/image');
  t.is(root.status, 300);
  const current = root.body.versions.find((v) => v.status === 'CURRENT');
  t.truthy(current);
  t.true(current!.links[0]!.href.endsWith('/image/v2/'));
  const anonymous = await fetch(`${d.apiUrl}/image/v2/images`);
  t.is(anonymous.status, 401);
  const schema = await d.request<{ name: string; properties: Record<string, unknown> }>('GET', '/image/v2/schemas/image');
  t.is(schema.body.name, 'image');
  t.truthy(schema.body.properties['disk_format']);
});

test('images - create is queued; uploaded bytes make it active with checksum and size; download returns them; a server boots from it', async (t) => {
  const created = await create({ name: 'ubuntu', disk_format: 'qcow2', container_format: 'bare', os_distro: 'ubuntu', tags: ['lts'] });
  t.is(created.status, 201);
  t.like(created.body, { name: 'ubuntu', status: 'queued', visibility: 'shared', owner: 'p1', size: null, checksum: null, os_distro: 'ubuntu', tags: ['lts'] });
  t.is(created.body.file, `/v2/images/${created.body.id}/file`);
  const id = created.body.id;
  const early = await d.boot({ imageRef: id });
  t.is(early.status, 400);
  t.regex(JSON.stringify(early.body), /is not active/);
  const empty = await fetch(`${d.apiUrl}/image/v2/images/${id}/file`, { headers: headersOf({}) });
  t.is(empty.status, 204);

  const data = randomBytes(40_000);
  t.is((await upload(id, data)).status, 204);
  const shown = await d.request<Image>('GET', `/image/v2/images/${id}`);
  t.like(shown.body, { status: 'active', size: data.length, checksum: createHash('md5').update(data).digest('hex'), os_hash_algo: 'sha512' });
  t.is(shown.body['os_hash_value'], createHash('sha512').update(data).digest('hex'));
  const again = await upload(id, data);
  t.is(again.status, 409, 'an active image takes no more data');

  const download = await fetch(`${d.apiUrl}/image/v2/images/${id}/file`, { headers: headersOf({}) });
  t.is(download.status, 200);
  t.is(download.headers.get('content-md5'), shown.body['checksum'] as string);
  t.true(Buffer.from(await download.arrayBuffer()).equals(data));

  const boot = await d.boot({ imageRef: id });
  t.is(boot.status, 202);
  const server = await d.waitForStatus(boot.body.server.id, ['ACTIVE', 'ERROR']);
  t.is(server['status'], 'ACTIVE');
  t.is((server['image'] as { id: string }).id, id);
});

test('images - uploads over the size limit are a 413, and only octet-stream is taken', async (t) => {
  const { body } = await create({ name: 'big', disk_format: 'raw', container_format: 'bare' });
  const tooBig = await upload(body.id, randomBytes(65537));
  t.is(tooBig.status, 413);
  t.like(await tooBig.json(), { title: 'Request Entity Too Large' });
  t.is((await upload(body.id, Buffer.from('{}'), {}, 'application/json')).status, 415);
  const still = await d.request<Image>('GET', `/image/v2/images/${body.id}`);
  t.is(still.body.status, 'queued');
});

test('images - visibility: private and shared images are their owner’s; public ones everyone’s; community ones only when asked', async (t) => {
  const own = await create({ name: 'vis-private', visibility: 'private' });
  const community = await create({ name: 'vis-community', visibility: 'community' });
  const pub = await create({ name: 'vis-public', visibility: 'public' }, admin);
  t.is(pub.status, 201);
  t.is((await create({ name: 'vis-member-public', visibility: 'public' })).status, 403, 'members may not publish');

  const names = async (query: string, caller: Caller) => (await list(query, caller)).body.images.map((i) => i.name).filter((n) => n?.startsWith('vis-'));
  t.deepEqual(await names('?sort=name:asc', {}), ['vis-private', 'vis-public']);
  t.deepEqual(await names('?sort=name:asc', p2), ['vis-public']);
  t.deepEqual(await names('?visibility=community', p2), ['vis-community']);
  t.is((await d.request('GET', `/image/v2/images/${own.body.id}`, undefined, p2)).status, 404);
  t.is((await d.request('GET', `/image/v2/images/${community.body.id}`, undefined, p2)).status, 200);
  t.is((await d.request('GET', `/image/v2/images/${own.body.id}`, undefined, admin)).status, 200);
});

test('images - filters: name (also in:), tag, status, property; sort and page with next until every image came once', async (t) => {
  const made: string[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await create({ name: `page-${i}`, tags: i % 2 ? ['odd'] : ['even'], flavour: i === 3 ? 'three' : 'other' }, { project: 'pp', user: 'up' });
    made.push(res.body.id);
  }
  const caller = { project: 'pp', user: 'up' };
  t.deepEqual((await list('?name=page-2', caller)).body.images.map((i) => i.name), ['page-2']);
  t.deepEqual((await list('?name=in:page-1,"page-4"&sort=name:asc', caller)).body.images.map((i) => i.name), ['page-1', 'page-4']);
  t.deepEqual((await list('?tag=odd&sort=name:asc', caller)).body.images.map((i) => i.name), ['page-1', 'page-3']);
  t.deepEqual((await list('?flavour=three', caller)).body.images.map((i) => i.name), ['page-3']);
  t.is((await list('?status=active', caller)).body.images.filter((i) => i.name?.startsWith('page-')).length, 0);

  const seen: string[] = [];
  let next: string | undefined = '/v2/images?limit=2&sort_key=name&sort_dir=desc';
  while (next) {
    const page: Awaited<ReturnType<typeof list>> = await list(next.replace('/v2/images', ''), caller);
    t.is(page.status, 200);
    t.true(page.body.images.length <= 2);
    seen.push(...page.body.images.map((i) => i.name ?? ''));
    next = page.body.next;
  }
  const pageNames = seen.filter((n) => n.startsWith('page-'));
  t.deepEqual(pageNames, ['page-4', 'page-3', 'page-2', 'page-1', 'page-0']);
  t.is(new Set(seen).size, seen.length, 'no image twice');
  t.is((await list('?sort_key=flavour', caller)).status, 400);
  t.is((await list('?marker=00000000-0000-0000-0000-000000000000', caller)).status, 404);
});

test('images - PATCH changes attributes and properties in Glance’s json-patch; refusals are 403, 409 and 415', async (t) => {
  const { body } = await create({ name: 'patch-me', color: 'red' });
  const ok = await patch(body.id, [
    { op: 'replace', path: '/name', value: 'patched' },
    { op: 'add', path: '/os_distro', value: 'debian' },
    { op: 'remove', path: '/color' },
    { op: 'replace', path: '/tags', value: ['a', 'b'] },
    { op: 'replace', path: '/min_ram', value: 512 },
  ]);
  t.is(ok.status, 200);
  t.like(ok.body, { name: 'patched', os_distro: 'debian', tags: ['a', 'b'], min_ram: 512 });
  t.false('color' in ok.body);

  t.is((await patch(body.id, [{ op: 'replace', path: '/status', value: 'active' }])).status, 403);
  t.is((await patch(body.id, [{ op: 'remove', path: '/nothing' }])).status, 409);
  t.is((await patch(body.id, [{ op: 'add', path: '/os_distro', value: 'again' }])).status, 409);
  t.is((await patch(body.id, [{ op: 'replace', path: '/min_ram', value: -1 }])).status, 400);
  t.is((await patch(body.id, [{ op: 'replace', path: '/visibility', value: 'public' }])).status, 403);
  t.is((await patch(body.id, [{ op: 'replace', path: '/name', value: 'x' }], {}, { 'content-type': 'application/json' })).status, 415);
  // The older media type names each operation by its key (what Tempest's image client sends).
  const old = await patch(body.id, [{ add: '/hw_rescue_bus', value: 'scsi' }, { replace: '/name', value: 'old-form' }], {}, { 'content-type': 'application/openstack-images-v2.0-json-patch' });
  t.is(old.status, 200, JSON.stringify(old.body));
  t.like(old.body, { name: 'old-form', hw_rescue_bus: 'scsi' });
  t.is((await patch(body.id, [{ op: 'replace', path: '/name', value: 'x' }], p2)).status, 404, 'another project cannot see it');
  const pub = await create({ name: 'theirs', visibility: 'public' }, admin);
  t.is((await patch(pub.body.id, [{ op: 'replace', path: '/name', value: 'mine' }])).status, 403, 'a public image is its owner’s to change');

  t.is((await d.request('PUT', `/image/v2/images/${body.id}/tags/c`)).status, 204);
  t.is((await d.request('DELETE', `/image/v2/images/${body.id}/tags/a`)).status, 204);
  t.deepEqual((await d.request<Image>('GET', `/image/v2/images/${body.id}`)).body.tags, ['b', 'c']);
  t.is((await d.request('DELETE', `/image/v2/images/${body.id}/tags/zz`)).status, 404);
});

test('images - bad create bodies: read-only attributes are 403, bad values 400, a taken id 409', async (t) => {
  t.is((await create({ name: 'x', status: 'active' })).status, 403);
  const badFormat = await create({ name: 'x', disk_format: 'floppy' });
  t.is(badFormat.status, 400);
  t.like(badFormat.body, { code: '400 Bad Request', title: 'Bad Request' });
  t.is((await create({ name: 'x', min_disk: 'big' })).status, 400);
  t.is((await create({ name: 'x', some_property: 5 })).status, 400, 'properties are strings');
  t.is((await create({ name: 'x', owner: 'someone-else' })).status, 403);
  const id = '7d4b1a2e-0a8b-4a4d-9a55-6f1f3a1f2a10';
  t.is((await create({ id, name: 'fixed' })).status, 201);
  t.is((await create({ id, name: 'fixed' })).status, 409);
  t.is((await d.request('POST', '/image/v2/images', '[1, 2', {}, { 'content-type': 'application/json' })).status, 400);
});

test('images - delete: protected images are refused (403) until unprotected; others’ images are not deletable', async (t) => {
  const { body } = await create({ name: 'keep', protected: true });
  t.is((await d.request('DELETE', `/image/v2/images/${body.id}`)).status, 403);
  t.is((await patch(body.id, [{ op: 'replace', path: '/protected', value: false }])).status, 200);
  const pub = await create({ name: 'admins', visibility: 'public' }, admin);
  t.is((await d.request('DELETE', `/image/v2/images/${pub.body.id}`)).status, 403);
  t.is((await d.request('DELETE', `/image/v2/images/${body.id}`)).status, 204);
  t.is((await d.request('GET', `/image/v2/images/${body.id}`)).status, 404);
  t.is((await d.request('DELETE', `/image/v2/images/${body.id}`)).status, 404);
  const boot = await d.boot({ imageRef: body.id });
  t.is(boot.status, 400);
});
