import test, { type ExecutionContext } from 'ava';
import { createImage } from '../../images/index.js';
import { TestDeployment, type ApiResponse, type Caller } from '../../../ops/testing/index.js';

let d: TestDeployment;
let server = '';
test.before(async () => {
  d = await TestDeployment.start({ cells: [{ name: 'one', pools: [{ prefix: 'h', hosts: 2 }] }] });
  const boot = await d.boot();
  server = boot.body.server.id;
  await d.waitForStatus(server, ['ACTIVE']);
});
test.after.always(() => d?.stop());

const admin: Caller = { user: 'admin', project: 'admin', roles: 'admin' };
const at = (version: string) => ({ 'openstack-api-version': `compute ${version}` });
const call = <T = Record<string, unknown>>(method: string, path: string, version: string, body?: unknown, caller: Caller = {}) =>
  d.request<T>(method, `/v2.1${path}`, body, caller, at(version));

function fault(t: ExecutionContext, res: ApiResponse<unknown>, status: number, message?: RegExp): void {
  t.is(res.status, status, JSON.stringify(res.body));
  const body = Object.values(res.body as Record<string, { code: number; message: string }>)[0];
  t.is(body?.code, status);
  if (message) t.regex(body?.message ?? '', message);
}

test('microversions - the versions document and `latest` say 2.103; 2.104 is refused', async (t) => {
  const doc = await d.request<{ version: { version: string; min_version: string } }>('GET', '/v2.1');
  t.is(doc.body.version.version, '2.103');
  const latest = await call('GET', '/flavors', 'latest');
  t.is(latest.headers.get('openstack-api-version'), 'compute 2.103');
  fault(t, await call('GET', '/flavors', '2.104'), 406, /maximum is 2\.103/);
});

test('2.94 - a server’s hostname may be a fully qualified name; before, one label only', async (t) => {
  const fqdn = await d.boot({ hostname: 'web-1.example.org' }, {}, {}, at('2.94'));
  t.is(fqdn.status, 202, JSON.stringify(fqdn.body));
  const shown = await call<{ server: Record<string, unknown> }>('GET', `/servers/${fqdn.body.server.id}`, '2.94');
  t.is(shown.body.server['OS-EXT-SRV-ATTR:hostname'], 'web-1.example.org');
  fault(t, await d.boot({ hostname: 'web-1.example.org' }, {}, {}, at('2.93')), 400, /hostname/);
  t.is((await d.boot({ hostname: 'web-2' }, {}, {}, at('2.93'))).status, 202);
  fault(t, await d.boot({ hostname: 'bad host' }, {}, {}, at('2.94')), 400, /hostname/);
});

test.serial('2.97 - shares: none listed, none to find, none attachable without a share service', async (t) => {
  fault(t, await call('GET', `/servers/${server}/shares`, '2.96'), 404);
  const list = await call('GET', `/servers/${server}/shares`, '2.97');
  t.is(list.status, 200, JSON.stringify(list.body));
  t.deepEqual(list.body, { shares: [] });
  const share = { share: { share_id: '9d3b5d6e-2f9a-4f8e-b6d4-3e1b1c9a7f10' } };
  fault(t, await call('POST', `/servers/${server}/shares`, '2.97', share), 409, /Cannot 'create share' instance .* while it is in vm_state active/);
  fault(t, await call('POST', `/servers/${server}/shares`, '2.97', { share: { share_id: 'x' } }), 400, /share_id/);
  t.is((await call('POST', `/servers/${server}/action`, '2.97', { 'os-stop': null })).status, 202);
  await d.settle(server, 'SHUTOFF');
  fault(t, await call('POST', `/servers/${server}/shares`, '2.97', share), 409, /not configured correctly/);
  fault(t, await call('GET', `/servers/${server}/shares/${share.share.share_id}`, '2.97'), 404, /Share .* could not be found/);
  fault(t, await call('DELETE', `/servers/${server}/shares/${share.share.share_id}`, '2.97'), 404);
  fault(t, await call('GET', '/servers/5b7e0c44-3a0e-4f0c-9a55-0d3c8d5a6b21/shares', '2.97'), 404);
  t.is((await call('POST', `/servers/${server}/action`, '2.97', { 'os-start': null })).status, 202);
  await d.settle(server, 'ACTIVE');
});

test('2.98 and 2.100 - the server shows its image’s properties and the scheduler hints it was booted with', async (t) => {
  const image = await createImage(d.api, {
    name: 'props', visibility: 'public', disk_format: 'qcow2', container_format: 'bare',
    properties: { hw_disk_bus: 'virtio', architecture: 'x86_64', purpose: 'testing' },
  });
  const boot = await d.boot({ imageRef: image.uuid }, {}, { 'os:scheduler_hints': { build_near_host_ip: '10.0.0.1' } });
  t.is(boot.status, 202, JSON.stringify(boot.body));
  const id = boot.body.server.id;
  await d.waitForStatus(id, ['ACTIVE']);
  const show = (version: string) => call<{ server: Record<string, unknown> }>('GET', `/servers/${id}`, version);
  const at100 = (await show('2.100')).body.server;
  t.deepEqual((at100['image'] as Record<string, unknown>)['properties'], { hw_disk_bus: 'virtio', architecture: 'x86_64' });
  t.deepEqual(at100['scheduler_hints'], { build_near_host_ip: ['10.0.0.1'] });
  const at98 = (await show('2.98')).body.server;
  t.false('scheduler_hints' in at98);
  t.truthy((at98['image'] as Record<string, unknown>)['properties']);
  t.false('properties' in ((await show('2.97')).body.server['image'] as object));
  const detail = await call<{ servers: Record<string, unknown>[] }>('GET', '/servers/detail', '2.100');
  const listed = detail.body.servers.find((s) => s['id'] === id);
  t.deepEqual(listed?.['scheduler_hints'], { build_near_host_ip: ['10.0.0.1'] });
  t.deepEqual(detail.body.servers.find((s) => s['id'] === server)?.['scheduler_hints'], {});
});

test('2.99 - a spice-direct console is asked for from 2.99 and is unavailable, as with SPICE off', async (t) => {
  const spice = { remote_console: { protocol: 'spice', type: 'spice-direct' } };
  fault(t, await call('POST', `/servers/${server}/remote-consoles`, '2.98', spice), 400, /type/);
  fault(t, await call('POST', `/servers/${server}/remote-consoles`, '2.99', spice), 400, /Unavailable console type spice-direct\./);
  fault(t, await call('GET', '/os-console-auth-tokens/none?x=1', '2.99', undefined, admin), 400, /x/);
});

test('2.101 - volumes: none attached; an attach finds no volume, before and after it turned asynchronous', async (t) => {
  const list = await call('GET', `/servers/${server}/os-volume_attachments`, '2.101');
  t.deepEqual(list.body, { volumeAttachments: [] });
  const volume = '1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b';
  for (const version of ['2.100', '2.101']) {
    fault(t, await call('POST', `/servers/${server}/os-volume_attachments`, version, { volumeAttachment: { volumeId: volume } }), 404, /Volume .* could not be found/);
  }
  fault(t, await call('POST', `/servers/${server}/os-volume_attachments`, '2.101', { volumeAttachment: { volumeId: volume, bogus: 1 } }), 400, /bogus/);
  fault(t, await call('POST', `/servers/${server}/os-volume_attachments`, '2.48', { volumeAttachment: { volumeId: volume, tag: 'a' } }), 400, /tag/);
  fault(t, await call('GET', `/servers/${server}/os-volume_attachments/${volume}`, '2.101'), 404, /is not attached to volume/);
  fault(t, await call('DELETE', `/servers/${server}/os-volume_attachments/${volume}`, '2.101'), 404);
});

test('2.102 - flavors: a name filter, no rxtx_factor or OS-FLV-DISABLED; unknown query parameters are refused everywhere', async (t) => {
  const named = await call<{ flavors: { name: string }[] }>('GET', '/flavors?name=^m1\\.t', '2.102');
  t.is(named.status, 200, JSON.stringify(named.body));
  t.deepEqual(named.body.flavors.map((f) => f.name), ['m1.tiny']);
  fault(t, await call('GET', '/flavors?name=x', '2.101'), 400, /name/);
  fault(t, await call('GET', '/flavors?name=(', '2.102'), 400, /Invalid name filter/);
  const old = await call<{ flavor: Record<string, unknown> }>('GET', '/flavors/1', '2.101');
  t.true('rxtx_factor' in old.body.flavor && 'OS-FLV-DISABLED:disabled' in old.body.flavor);
  const shown = await call<{ flavor: Record<string, unknown> }>('GET', '/flavors/1', '2.102');
  t.false('rxtx_factor' in shown.body.flavor || 'OS-FLV-DISABLED:disabled' in shown.body.flavor);
  fault(t, await call('GET', '/flavors/detail?sort_key=rxtx_factor', '2.102'), 400, /sort_key/);
  const flavor = { flavor: { name: 'f-2102', ram: 64, vcpus: 1, disk: 1, rxtx_factor: 2 } };
  fault(t, await call('POST', '/flavors', '2.102', flavor, admin), 400, /'rxtx_factor' was unexpected/);

  for (const path of [`/servers/${server}`, '/flavors/1', '/os-availability-zone', `/servers/${server}/os-instance-actions`, '/os-aggregates', '/extensions']) {
    t.is((await call('GET', `${path}?bogus=1`, '2.101', undefined, admin)).status, 200, path);
    fault(t, await call('GET', `${path}?bogus=1`, '2.102', undefined, admin), 400, /bogus/);
  }
  t.is((await call('GET', `/servers/${server}/os-instance-actions?limit=1`, '2.102')).status, 200);
  t.is((await call('GET', '/os-migrations?host=h-1', '2.102', undefined, admin)).status, 200);
  fault(t, await call('GET', '/os-instance_usage_audit_log?x=1', '2.102', undefined, admin), 400);
});

test('2.103 - /os-volumes_boot answers as /servers until 2.102 and is gone from 2.103', async (t) => {
  const list = await call<{ servers: { id: string }[] }>('GET', '/os-volumes_boot', '2.102');
  t.is(list.status, 200, JSON.stringify(list.body));
  t.true(list.body.servers.some((s) => s.id === server));
  t.is((await call('GET', `/os-volumes_boot/${server}`, '2.1')).status, 200);
  fault(t, await call('GET', '/os-volumes_boot', '2.103'), 404);
  fault(t, await call('GET', `/os-volumes_boot/${server}`, '2.103'), 404);
});

test('2.36 - the image proxy lists, shows and deletes images until 2.35, their metadata until 2.38', async (t) => {
  const caller: Caller = { project: 'p-img' };
  const own = await createImage(d.api, { name: 'proxied', owner: 'p-img', visibility: 'private', disk_format: 'qcow2', container_format: 'bare', min_ram: 64, properties: { auto_disk_config: 'true', instance_uuid: server } });
  const other = await createImage(d.api, { name: 'not-mine', owner: 'p-other', visibility: 'public', disk_format: 'qcow2', container_format: 'bare' });
  const list = await call<{ images: { id: string; name: string; links: { rel: string }[] }[] }>('GET', '/images', '2.35', undefined, caller);
  t.is(list.status, 200, JSON.stringify(list.body));
  t.true(list.body.images.some((i) => i.id === own.uuid && i.name === 'proxied'));
  t.deepEqual(list.body.images[0]?.links.map((l) => l.rel), ['self', 'bookmark', 'alternate']);
  const named = await call<{ images: Record<string, unknown>[] }>('GET', '/images/detail?name=proxied&minRam=32', '2.35', undefined, caller);
  t.deepEqual(named.body.images.map((i) => i['id']), [own.uuid]);
  t.like(named.body.images[0], { minRam: 64, minDisk: 0, status: 'ACTIVE', progress: 100, 'OS-DCF:diskConfig': 'AUTO', server: { id: server } });
  t.deepEqual((await call<{ images: unknown[] }>('GET', `/images/detail?server=${server}`, '2.35', undefined, caller)).body.images.length, 1);
  const paged = await call<{ images: unknown[]; images_links?: { href: string }[] }>('GET', '/images?limit=1', '2.35', undefined, caller);
  t.is(paged.body.images.length, 1);
  t.regex(paged.body.images_links?.[0]?.href ?? '', /marker=/);
  fault(t, await call('GET', `/images/${own.uuid}`, '2.36', undefined, caller), 404);
  fault(t, await call('GET', '/images', '2.36', undefined, caller), 404);
  fault(t, await call('GET', '/images/5b7e0c44-3a0e-4f0c-9a55-0d3c8d5a6b21', '2.1', undefined, caller), 404, /Image not found/);

  const meta = `/images/${own.uuid}/metadata`;
  t.deepEqual((await call('POST', meta, '2.38', { metadata: { os_distro: 'cirros' } }, caller)).body, { metadata: { auto_disk_config: 'true', instance_uuid: server, os_distro: 'cirros' } });
  t.deepEqual((await call('GET', `${meta}/os_distro`, '2.38', undefined, caller)).body, { meta: { os_distro: 'cirros' } });
  t.deepEqual((await call('PUT', `${meta}/os_distro`, '2.1', { meta: { os_distro: 'ubuntu' } }, caller)).body, { meta: { os_distro: 'ubuntu' } });
  fault(t, await call('PUT', `${meta}/os_distro`, '2.1', { meta: { other: 'x' } }, caller), 400, /Request body and URI mismatch/);
  fault(t, await call('POST', meta, '2.1', { metadata: { os_distro: 1 } }, caller), 400);
  t.is((await call('DELETE', `${meta}/os_distro`, '2.1', undefined, caller)).status, 204);
  fault(t, await call('DELETE', `${meta}/os_distro`, '2.1', undefined, caller), 404, /Invalid metadata key/);
  t.deepEqual((await call('PUT', meta, '2.1', { metadata: { a: 'b' } }, caller)).body, { metadata: { a: 'b' } });
  t.deepEqual((await call('GET', meta, '2.38', undefined, caller)).body, { metadata: { a: 'b' } });
  fault(t, await call('GET', meta, '2.39', undefined, caller), 404);
  fault(t, await call('POST', `/images/${other.uuid}/metadata`, '2.1', { metadata: { a: 'b' } }, caller), 403);

  fault(t, await call('DELETE', `/images/${other.uuid}`, '2.1', undefined, caller), 403, /not allowed to delete/);
  t.is((await call('DELETE', `/images/${own.uuid}`, '2.35', undefined, caller)).status, 204);
  fault(t, await call('DELETE', '/images/', '2.1', undefined, caller), 404, /Image not found/);
  fault(t, await call('GET', `/images/${own.uuid}`, '2.1', undefined, caller), 404);
});
