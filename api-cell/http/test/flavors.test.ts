import test from 'ava';
import { fault, TestDeployment } from '../../../ops/testing/index.js';

let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({ cells: [{ name: 'one', pools: [{ prefix: 'h', hosts: 1 }] }] });
});
test.after.always(() => d?.stop());

type Body = Record<string, unknown>;
type Flavor = Record<string, unknown> & { id: string; name: string };
const admin = { roles: 'admin', project: 'padmin', user: 'uadmin' };
const mv = (version: string) => ({ 'openstack-api-version': `compute ${version}` });
const get = <T = Body>(path: string, caller = {}, version = '2.1') => d.request<T>('GET', path, undefined, caller, mv(version));
const send = <T = Body>(method: string, path: string, body: unknown, caller = {}, version = '2.1') => d.request<T>(method, path, body, caller, mv(version));
const newFlavor = (name: string, extra: Body = {}, version = '2.1') =>
  send<{ flavor: Flavor }>('POST', '/v2.1/flavors', { flavor: { name, ram: 256, vcpus: 1, disk: 1, ...extra } }, admin, version);

test('flavors - the list is id, name and links, with a description from 2.55', async (t) => {
  const res = await get<{ flavors: Flavor[] }>('/v2.1/flavors');
  t.is(res.status, 200);
  const tiny = res.body.flavors.find((f) => f.id === '1');
  t.deepEqual(tiny, {
    id: '1',
    name: 'm1.tiny',
    links: [
      { rel: 'self', href: `${d.apiUrl}/v2.1/flavors/1` },
      { rel: 'bookmark', href: `${d.apiUrl}/flavors/1` },
    ],
  });
  t.deepEqual(res.body.flavors.slice(0, 5).map((f) => f.name), ['m1.tiny', 'm1.small', 'm1.medium', 'm1.large', 'm1.xlarge']);
  t.false('flavors_links' in res.body);
  const v255 = await get<{ flavors: Flavor[] }>('/v2.1/flavors', {}, '2.55');
  t.deepEqual(Object.keys(v255.body.flavors[0] ?? {}).sort(), ['description', 'id', 'links', 'name']);
  t.is(v255.body.flavors[0]?.['description'], null);
});

test('flavors - detail and show change shape at 2.55, 2.61 and 2.75', async (t) => {
  const at21 = await get<{ flavor: Flavor }>('/v2.1/flavors/2');
  t.is(at21.status, 200);
  t.deepEqual(at21.body.flavor, {
    id: '2',
    name: 'm1.small',
    ram: 2048,
    disk: 20,
    swap: '',
    'OS-FLV-EXT-DATA:ephemeral': 0,
    'OS-FLV-DISABLED:disabled': false,
    vcpus: 1,
    'os-flavor-access:is_public': true,
    rxtx_factor: 1,
    links: [
      { rel: 'self', href: `${d.apiUrl}/v2.1/flavors/2` },
      { rel: 'bookmark', href: `${d.apiUrl}/flavors/2` },
    ],
  });
  const at255 = await get<{ flavor: Flavor }>('/v2.1/flavors/2', {}, '2.55');
  t.is(at255.body.flavor['description'], null);
  t.false('extra_specs' in at255.body.flavor);
  const at261 = await get<{ flavor: Flavor }>('/v2.1/flavors/2', {}, '2.61');
  t.deepEqual(at261.body.flavor['extra_specs'], {});
  t.is(at261.body.flavor['swap'], '');
  const at275 = await get<{ flavor: Flavor }>('/v2.1/flavors/2', {}, '2.75');
  t.is(at275.body.flavor['swap'], 0);
  const detail = await get<{ flavors: Flavor[] }>('/v2.1/flavors/detail', {}, '2.75');
  t.is(detail.status, 200);
  t.deepEqual(detail.body.flavors.find((f) => f.id === '2'), at275.body.flavor);
  const detail21 = await get<{ flavors: Flavor[] }>('/v2.1/flavors/detail');
  t.deepEqual(detail21.body.flavors.find((f) => f.id === '2'), at21.body.flavor);
  fault(t, await get('/v2.1/flavors/nope'), 404, 'itemNotFound', /^Flavor nope could not be found\.$/);
});

test('flavors - an admin creates a flavor with every field; the response is the flavor', async (t) => {
  const res = await newFlavor('create.full', { id: 'full-1', ram: 1024, vcpus: 2, disk: 10, 'OS-FLV-EXT-DATA:ephemeral': 5, swap: 512, rxtx_factor: 2.5, 'os-flavor-access:is_public': 'false', description: 'big' }, '2.75');
  t.is(res.status, 200, JSON.stringify(res.body));
  t.like(res.body.flavor, {
    id: 'full-1', name: 'create.full', ram: 1024, vcpus: 2, disk: 10, swap: 512, 'OS-FLV-EXT-DATA:ephemeral': 5,
    'OS-FLV-DISABLED:disabled': false, rxtx_factor: 2.5, 'os-flavor-access:is_public': false, description: 'big', extra_specs: {},
  });
  const shown = await get<{ flavor: Flavor }>('/v2.1/flavors/full-1', admin, '2.75');
  t.deepEqual(shown.body.flavor, res.body.flavor);
});

test('flavors - no id gets a generated uuid, a number id becomes its string, strings of digits count as numbers', async (t) => {
  const generated = await newFlavor('create.uuid');
  t.is(generated.status, 200);
  t.regex(generated.body.flavor.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const nullId = await newFlavor('create.null', { id: null });
  t.regex(nullId.body.flavor.id, /^[0-9a-f-]{36}$/);
  const numbered = await newFlavor('create.number', { id: 4242, ram: '300', vcpus: '2', disk: '0' });
  t.is(numbered.status, 200);
  t.like(numbered.body.flavor, { id: '4242', ram: 300, vcpus: 2, disk: 0, swap: '', rxtx_factor: 1, 'os-flavor-access:is_public': true });
  t.false('description' in numbered.body.flavor);
});

test('flavors - a duplicate name or id is a 409', async (t) => {
  t.is((await newFlavor('dup.name', { id: 'dup-1' })).status, 200);
  fault(t, await newFlavor('dup.name', { id: 'dup-2' }), 409, 'conflictingRequest', /^Flavor with name dup\.name already exists\.$/);
  fault(t, await newFlavor('dup.other', { id: 'dup-1' }), 409, 'conflictingRequest', /^Flavor with ID dup-1 already exists\.$/);
  fault(t, await newFlavor('m1.tiny'), 409, 'conflictingRequest', /m1\.tiny/);
});

test('flavors - bad create bodies are 400s naming the problem', async (t) => {
  const cases: [unknown, RegExp, string?][] = [
    [{}, /'flavor' is a required property/],
    [{ flavor: { name: 'x', vcpus: 1, disk: 1 } }, /'ram' is a required property/],
    [{ flavor: { name: 'bad.ram', ram: 0, vcpus: 1, disk: 1 } }, /ram/],
    [{ flavor: { name: 'bad.ram', ram: '0', vcpus: 1, disk: 1 } }, /ram must be >= 1/],
    [{ flavor: { name: 'bad.ram', ram: 2147483648, vcpus: 1, disk: 1 } }, /ram/],
    [{ flavor: { name: 'bad.ram', ram: '99999999999', vcpus: 1, disk: 1 } }, /ram must be <= 2147483647/],
    [{ flavor: { name: 'bad.vcpus', ram: 1, vcpus: 'two', disk: 1 } }, /vcpus/],
    [{ flavor: { name: 'bad.disk', ram: 1, vcpus: 1, disk: -1 } }, /disk/],
    [{ flavor: { name: 'bad.swap', ram: 1, vcpus: 1, disk: 1, swap: 1.5 } }, /swap/],
    [{ flavor: { name: ' padded', ram: 1, vcpus: 1, disk: 1 } }, /flavor\/name/],
    [{ flavor: { name: 'x'.repeat(256), ram: 1, vcpus: 1, disk: 1 } }, /flavor\/name.*too long/],
    [{ flavor: { name: 'bad.id', id: 'a/b', ram: 1, vcpus: 1, disk: 1 } }, /flavor\/id/],
    [{ flavor: { name: 'bad.id', id: ' lead', ram: 1, vcpus: 1, disk: 1 } }, /flavor\/id/],
    [{ flavor: { name: 'bad.rxtx', ram: 1, vcpus: 1, disk: 1, rxtx_factor: 0 } }, /rxtx_factor/],
    [{ flavor: { name: 'bad.rxtx', ram: 1, vcpus: 1, disk: 1, rxtx_factor: '0' } }, /'rxtx_factor' argument must be a float/],
    [{ flavor: { name: 'bad.public', ram: 1, vcpus: 1, disk: 1, 'os-flavor-access:is_public': 'maybe' } }, /is_public/],
    [{ flavor: { name: 'bad.extra', ram: 1, vcpus: 1, disk: 1, color: 'red' } }, /'color' was unexpected/],
    [{ flavor: { name: 'bad.desc', ram: 1, vcpus: 1, disk: 1, description: 'too early' } }, /'description' was unexpected/, '2.54'],
    [{ flavor: { name: 'bad.desc', ram: 1, vcpus: 1, disk: 1, description: 'x'.repeat(65536) } }, /description/, '2.55'],
    [{ flavor: { name: 'bad.desc', ram: 1, vcpus: 1, disk: 1, description: 'bell\u0007' } }, /description/, '2.55'],
  ];
  for (const [body, message, version] of cases) fault(t, await send('POST', '/v2.1/flavors', body, admin, version), 400, 'badRequest', message);
  const flavors = await get<{ flavors: Flavor[] }>('/v2.1/flavors?is_public=none', admin);
  t.false(flavors.body.flavors.some((f) => f.name.startsWith('bad.')), 'nothing was created');
});

test('flavors - members may not create, update or delete flavors', async (t) => {
  fault(t, await send('POST', '/v2.1/flavors', { flavor: { name: 'member.flavor', ram: 1, vcpus: 1, disk: 1 } }), 403, 'forbidden', /os_compute_api:os-flavor-manage:create/);
  fault(t, await send('PUT', '/v2.1/flavors/1', { flavor: { description: 'mine' } }, {}, '2.55'), 403, 'forbidden', /os-flavor-manage:update/);
  fault(t, await send('DELETE', '/v2.1/flavors/1', undefined), 403, 'forbidden', /os-flavor-manage:delete/);
  t.is((await get('/v2.1/flavors/1')).status, 200);
});

test('flavors - PUT changes only the description, from 2.55', async (t) => {
  const created = await newFlavor('update.me', { id: 'update-me', description: 'before' }, '2.55');
  t.is(created.status, 200);
  fault(t, await send('PUT', '/v2.1/flavors/update-me', { flavor: { description: 'after' } }, admin, '2.54'), 404, 'itemNotFound');
  const updated = await send<{ flavor: Flavor }>('PUT', '/v2.1/flavors/update-me', { flavor: { description: 'after' } }, admin, '2.61');
  t.is(updated.status, 200);
  t.like(updated.body.flavor, { id: 'update-me', name: 'update.me', description: 'after', extra_specs: {} });
  const cleared = await send<{ flavor: Flavor }>('PUT', '/v2.1/flavors/update-me', { flavor: { description: null } }, admin, '2.55');
  t.is(cleared.body.flavor['description'], null);
  fault(t, await send('PUT', '/v2.1/flavors/update-me', { flavor: { name: 'renamed', description: 'x' } }, admin, '2.55'), 400, 'badRequest', /'name' was unexpected/);
  fault(t, await send('PUT', '/v2.1/flavors/update-me', { flavor: {} }, admin, '2.55'), 400, 'badRequest', /'description' is a required property/);
  fault(t, await send('PUT', '/v2.1/flavors/no-such', { flavor: { description: 'x' } }, admin, '2.55'), 404, 'itemNotFound', /Flavor no-such could not be found/);
});

test('flavors - DELETE is a 202 with no body, then the flavor is gone', async (t) => {
  t.is((await newFlavor('delete.me', { id: 'delete-me' })).status, 200);
  const res = await fetch(`${d.apiUrl}/v2.1/flavors/delete-me`, { method: 'DELETE', headers: { 'x-user-id': 'u', 'x-project-id': 'padmin', 'x-roles': 'admin' } });
  t.is(res.status, 202);
  t.is(await res.text(), '');
  fault(t, await get('/v2.1/flavors/delete-me', admin), 404, 'itemNotFound');
  fault(t, await send('DELETE', '/v2.1/flavors/delete-me', undefined, admin), 404, 'itemNotFound', /Flavor delete-me could not be found/);
});

test('flavors - private flavors are seen by admins and by the projects they are shared with', async (t) => {
  t.is((await newFlavor('private.one', { id: 'private-1', ram: 5000, 'os-flavor-access:is_public': false })).status, 200);
  const names = async (path: string, caller: object) => (await get<{ flavors: Flavor[] }>(path, caller)).body.flavors.map((f) => f.name);
  t.false((await names('/v2.1/flavors', { project: 'pshare' })).includes('private.one'));
  t.false((await names('/v2.1/flavors?is_public=false', { project: 'pshare' })).includes('private.one'), "a member's is_public is ignored");
  fault(t, await get('/v2.1/flavors/private-1', { project: 'pshare' }), 404, 'itemNotFound');
  // An admin sees it by asking for all flavors, or for private ones; not among public ones by default.
  t.true((await names('/v2.1/flavors?is_public=none', admin)).includes('private.one'));
  t.true((await names('/v2.1/flavors?is_public=false', admin)).includes('private.one'));
  t.false((await names('/v2.1/flavors?is_public=false', admin)).includes('m1.tiny'));
  t.false((await names('/v2.1/flavors', admin)).includes('private.one'));
  fault(t, await get('/v2.1/flavors?is_public=perhaps', admin), 400, 'badRequest', /Invalid is_public filter \[perhaps\]/);
  t.is((await get('/v2.1/flavors/private-1', admin)).status, 200);

  const shared = await send('POST', '/v2.1/flavors/private-1/action', { addTenantAccess: { tenant: 'pshare' } }, admin);
  t.is(shared.status, 200);
  t.deepEqual(shared.body, { flavor_access: [{ flavor_id: 'private-1', tenant_id: 'pshare' }] });
  t.true((await names('/v2.1/flavors', { project: 'pshare' })).includes('private.one'));
  t.true((await names('/v2.1/flavors/detail', { project: 'pshare' })).includes('private.one'));
  t.is((await get('/v2.1/flavors/private-1', { project: 'pshare' })).status, 200);
  t.false((await names('/v2.1/flavors', { project: 'pother' })).includes('private.one'));
  // The admin's own project, once given access, sees it among the public ones too.
  t.is((await send('POST', '/v2.1/flavors/private-1/action', { addTenantAccess: { tenant: 'padmin' } }, admin)).status, 200);
  t.true((await names('/v2.1/flavors', admin)).includes('private.one'));

  const boot = await d.boot({ flavorRef: 'private-1' }, { project: 'pshare' });
  t.is(boot.status, 202, JSON.stringify(boot.body));
  fault(t, await d.boot({ flavorRef: 'private-1' }, { project: 'pother' }), 400, 'badRequest', /Flavor private-1 could not be found/);
});

test('flavors - the access list: admin only, 404 for public flavors, 409 and 404 on add and remove', async (t) => {
  t.is((await newFlavor('access.one', { id: 'access-1', 'os-flavor-access:is_public': false })).status, 200);
  const list = await get('/v2.1/flavors/access-1/os-flavor-access', admin);
  t.is(list.status, 200);
  t.deepEqual(list.body, { flavor_access: [] });
  fault(t, await get('/v2.1/flavors/access-1/os-flavor-access'), 403, 'forbidden', /os_compute_api:os-flavor-access/);
  fault(t, await get('/v2.1/flavors/1/os-flavor-access', admin), 404, 'itemNotFound', /Access list not available for public flavors/);
  fault(t, await get('/v2.1/flavors/none/os-flavor-access', admin), 404, 'itemNotFound');

  const add = (tenant: string, version = '2.1', flavor = 'access-1') => send('POST', `/v2.1/flavors/${flavor}/action`, { addTenantAccess: { tenant } }, admin, version);
  const remove = (tenant: string) => send('POST', '/v2.1/flavors/access-1/action', { removeTenantAccess: { tenant } }, admin);
  t.is((await add('pa')).status, 200);
  const both = await add('pb');
  t.deepEqual(both.body, { flavor_access: [{ flavor_id: 'access-1', tenant_id: 'pa' }, { flavor_id: 'access-1', tenant_id: 'pb' }] });
  fault(t, await add('pa'), 409, 'conflictingRequest', /Flavor access already exists for flavor access-1 and project pa combination/);
  const removed = await remove('pa');
  t.is(removed.status, 200);
  t.deepEqual(removed.body, { flavor_access: [{ flavor_id: 'access-1', tenant_id: 'pb' }] });
  fault(t, await remove('pa'), 404, 'itemNotFound', /Flavor access not found for access-1 \/ pa combination/);

  // Sharing a public flavor: refused from 2.7, quietly recorded before.
  fault(t, await add('pa', '2.7', '3'), 409, 'conflictingRequest', /Can not add access to a public flavor/);
  t.is((await add('pa', '2.6', '3')).status, 200);

  fault(t, await send('POST', '/v2.1/flavors/access-1/action', { addTenantAccess: { tenant: 'pc' } }), 403, 'forbidden', /add_tenant_access/);
  fault(t, await send('POST', '/v2.1/flavors/access-1/action', { removeTenantAccess: { tenant: 'pb' } }), 403, 'forbidden', /remove_tenant_access/);
  fault(t, await send('POST', '/v2.1/flavors/access-1/action', { addTenantAccess: {} }, admin), 400, 'badRequest', /'tenant' is a required property/);
  fault(t, await send('POST', '/v2.1/flavors/access-1/action', { addTenantAccess: { tenant: '' } }, admin), 400, 'badRequest', /tenant/);
  fault(t, await send('POST', '/v2.1/flavors/access-1/action', { resize: {} }, admin), 400, 'badRequest', /There is no such action: resize/);
  fault(t, await send('POST', '/v2.1/flavors/none/action', { addTenantAccess: { tenant: 'pa' } }, admin), 404, 'itemNotFound');
});

test('flavors - extra specs: admins set, update and delete them; any role reads them', async (t) => {
  t.is((await newFlavor('specs.one', { id: 'specs-1' })).status, 200);
  const base = '/v2.1/flavors/specs-1/os-extra_specs';
  const created = await send('POST', base, { extra_specs: { 'hw:cpu_policy': 'dedicated', 'quota:cpu_shares': 512 } }, admin);
  t.is(created.status, 200);
  t.deepEqual(created.body, { extra_specs: { 'hw:cpu_policy': 'dedicated', 'quota:cpu_shares': 512 } }, 'the body comes back as sent');
  t.deepEqual((await get(base, { roles: 'reader' })).body, { extra_specs: { 'hw:cpu_policy': 'dedicated', 'quota:cpu_shares': '512' } });
  t.deepEqual((await get(`${base}/quota:cpu_shares`)).body, { 'quota:cpu_shares': '512' });
  const shown = await get<{ flavor: Flavor }>('/v2.1/flavors/specs-1', {}, '2.61');
  t.deepEqual(shown.body.flavor['extra_specs'], { 'hw:cpu_policy': 'dedicated', 'quota:cpu_shares': '512' });

  const updated = await send('PUT', `${base}/hw:cpu_policy`, { 'hw:cpu_policy': 'shared' }, admin);
  t.is(updated.status, 200);
  t.deepEqual(updated.body, { 'hw:cpu_policy': 'shared' });
  t.is((await get<Body>(`${base}/hw:cpu_policy`)).body['hw:cpu_policy'], 'shared');
  fault(t, await send('PUT', `${base}/hw:cpu_policy`, { 'hw:mem_page_size': 'large' }, admin), 400, 'badRequest', /Request body and URI mismatch/);
  fault(t, await send('PUT', `${base}/hw:cpu_policy`, { 'hw:cpu_policy': 'shared', other: 'x' }, admin), 400, 'badRequest');
  fault(t, await send('PUT', `${base}/hw:cpu_policy`, {}, admin), 400, 'badRequest');

  const deleted = await fetch(`${d.apiUrl}${base}/quota:cpu_shares`, { method: 'DELETE', headers: { 'x-user-id': 'u', 'x-project-id': 'padmin', 'x-roles': 'admin' } });
  t.is(deleted.status, 200);
  t.is(await deleted.text(), '');
  fault(t, await get(`${base}/quota:cpu_shares`), 404, 'itemNotFound', /Flavor specs-1 has no extra specs with key quota:cpu_shares/);
  fault(t, await send('DELETE', `${base}/quota:cpu_shares`, undefined, admin), 404, 'itemNotFound', /has no extra specs with key/);
  fault(t, await get('/v2.1/flavors/none/os-extra_specs'), 404, 'itemNotFound');

  fault(t, await send('POST', base, { extra_specs: { a: 'b' } }), 403, 'forbidden', /os-flavor-extra-specs:create/);
  fault(t, await send('PUT', `${base}/a`, { a: 'b' }), 403, 'forbidden', /os-flavor-extra-specs:update/);
  fault(t, await send('DELETE', `${base}/hw:cpu_policy`, undefined), 403, 'forbidden', /os-flavor-extra-specs:delete/);
  fault(t, await send('POST', base, { extra_specs: { 'bad/key': 'x' } }, admin), 400, 'badRequest');
  fault(t, await send('POST', base, { extra_specs: { k: 'x'.repeat(256) } }, admin), 400, 'badRequest');
  fault(t, await send('POST', base, { extra_specs: { k: true } }, admin), 400, 'badRequest');
  fault(t, await send('POST', base, { specs: {} }, admin), 400, 'badRequest', /'extra_specs' is a required property/);
});

test('flavors - from 2.86 known extra specs are checked; unknown keys only in known namespaces are refused', async (t) => {
  t.is((await newFlavor('specs.checked', { id: 'specs-2' })).status, 200);
  const put = (specs: Body, version: string) => send('POST', '/v2.1/flavors/specs-2/os-extra_specs', { extra_specs: specs }, admin, version);
  t.is((await put({ 'hw:cpu_policy': 'sideways' }, '2.85')).status, 200, 'not checked before 2.86');
  fault(t, await put({ 'hw:cpu_policy': 'sideways' }, '2.86'), 400, 'badRequest', /'sideways' is not one of: dedicated, shared, mixed/);
  fault(t, await put({ 'hw:numa_nodes': '0' }, '2.86'), 400, 'badRequest', /less than the min value of '1'/);
  fault(t, await put({ 'hw:numa_nodes': 'two' }, '2.86'), 400, 'badRequest', /not a valid integer value/);
  fault(t, await put({ 'hw:cpu_realtime': 'maybe' }, '2.86'), 400, 'badRequest', /not a valid boolean-like value/);
  fault(t, await put({ 'hw:mem_page_size': 'huge' }, '2.86'), 400, 'badRequest', /is not of the format/);
  fault(t, await put({ 'hw:redirected_usb_ports': 16 }, '2.86'), 400, 'badRequest', /greater than the max value of '15'/);
  fault(t, await put({ 'hw:no_such_thing': '1' }, '2.86'), 400, 'badRequest', /extra spec 'hw:no_such_thing' does not appear to be a valid extra spec/);
  fault(t, await put({ 'resources:NOT_A_CLASS': '1' }, '2.86'), 400, 'badRequest', /does not appear to be a valid extra spec/);
  fault(t, await put({ 'trait:CUSTOM_FAST': 'preferred' }, '2.86'), 400, 'badRequest', /not one of: required, forbidden/);
  const good = {
    'hw:numa_nodes': 2, 'hw:numa_cpus.0': '0-3,^2', 'hw:numa_mem.1': '1024', 'hw:mem_page_size': '2MiB', 'hw:cpu_realtime': 'yes',
    'resources:VCPU': '0', 'resources1:CUSTOM_GPU': '1', 'trait:HW_CPU_X86_AVX2': 'required', 'trait_group2:CUSTOM_FAST': 'forbidden',
    'capabilities:cpu_info:features': 'avx', 'aggregate_instance_extra_specs:ssd': 'true', 'group_policy': 'isolate',
    'my-site:anything': 'goes', plain: 'value', 'pci_passthrough:alias': 'a1:2, a2:1',
  };
  const res = await put(good, '2.86');
  t.is(res.status, 200, JSON.stringify(res.body));
  const stored = await get<{ extra_specs: Body }>('/v2.1/flavors/specs-2/os-extra_specs');
  t.is(stored.body.extra_specs['hw:numa_nodes'], '2');
  t.deepEqual(Object.keys(stored.body.extra_specs).sort(), [...Object.keys(good), 'hw:cpu_policy'].sort());
});

test('flavors - paging: limit and marker with flavors_links, sort keys and directions, min filters', async (t) => {
  // Only this test makes flavors with 1,000,000 MiB or more, so minRam isolates them.
  for (const [i, ram] of [1_000_003, 1_000_001, 1_000_002, 1_000_005, 1_000_004].entries()) {
    t.is((await newFlavor(`page.${i}`, { id: `page-${i}`, ram, disk: 100 + i })).status, 200);
  }
  const ids = async (query: string, version = '2.1') => {
    const res = await get<{ flavors: Flavor[]; flavors_links?: { rel: string; href: string }[] }>(`/v2.1/flavors?minRam=1000000&${query}`, {}, version);
    t.is(res.status, 200, JSON.stringify(res.body));
    return { ids: res.body.flavors.map((f) => f.id), links: res.body.flavors_links };
  };
  t.deepEqual((await ids('')).ids, ['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
  const first = await ids('limit=2');
  t.deepEqual(first.ids, ['page-0', 'page-1']);
  t.is(first.links?.length, 1);
  t.is(first.links?.[0]?.rel, 'next');
  const next = new URL(first.links?.[0]?.href ?? '');
  t.is(next.pathname, '/v2.1/flavors');
  t.is(next.searchParams.get('marker'), 'page-1');
  t.is(next.searchParams.get('minRam'), '1000000');
  const second = await get<{ flavors: Flavor[]; flavors_links?: unknown[] }>(`${next.pathname}${next.search}`);
  t.deepEqual(second.body.flavors.map((f) => f.id), ['page-2', 'page-3']);
  const last = await ids('limit=2&marker=page-3');
  t.deepEqual(last.ids, ['page-4']);
  t.is(last.links, undefined, 'a short page has no next link');

  t.deepEqual((await ids('sort_key=memory_mb')).ids, ['page-1', 'page-2', 'page-0', 'page-4', 'page-3']);
  t.deepEqual((await ids('sort_key=memory_mb&sort_dir=desc')).ids, ['page-3', 'page-4', 'page-0', 'page-2', 'page-1']);
  t.deepEqual((await ids('sort_key=memory_mb&sort_dir=desc&limit=2&marker=page-0')).ids, ['page-2', 'page-1']);
  t.deepEqual((await ids('sort_key=description&marker=page-2')).ids, ['page-3', 'page-4'], 'a NULL sort key pages by id');
  t.deepEqual((await ids('minDisk=103')).ids, ['page-3', 'page-4']);
  const detail = await get<{ flavors: Flavor[]; flavors_links: { href: string }[] }>('/v2.1/flavors/detail?minRam=1000000&limit=1');
  t.is(detail.body.flavors[0]?.['ram'], 1_000_003);
  t.regex(detail.body.flavors_links[0]?.href ?? '', /\/v2\.1\/flavors\/detail\?.*marker=page-0/);

  fault(t, await get('/v2.1/flavors?marker=nope'), 400, 'badRequest', /marker \[nope\] not found/);
  fault(t, await get('/v2.1/flavors?limit=-1'), 400, 'badRequest', /limit/);
  fault(t, await get('/v2.1/flavors?sort_key=colour'), 400, 'badRequest', /sort_key/);
  fault(t, await get('/v2.1/flavors?sort_dir=up'), 400, 'badRequest', /sort_dir/);
  fault(t, await get('/v2.1/flavors?minRam=lots'), 400, 'badRequest', /Invalid minRam filter \[lots\]/);
  fault(t, await get('/v2.1/flavors?minDisk=1.5'), 400, 'badRequest', /Invalid minDisk filter \[1\.5\]/);
  t.deepEqual((await ids('colour=red', '2.74')).ids.length, 5, 'unknown parameters are ignored before 2.75');
  fault(t, await get('/v2.1/flavors?colour=red', {}, '2.75'), 400, 'badRequest', /colour/);
});
