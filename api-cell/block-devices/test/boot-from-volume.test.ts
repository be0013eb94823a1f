import test from 'ava';
import { TestDeployment, waitFor, type Caller } from '../../../ops/testing/index.js';

let d: TestDeployment;
type Body = Record<string, Record<string, unknown>>;
const nova = (version: string) => ({ 'openstack-api-version': `compute ${version}` });
const cinder = (method: string, path: string, body?: unknown, caller: Caller = {}) => d.request<Body>(method, `/volume/v3${path}`, body, caller);
const compute = (method: string, path: string, body?: unknown, version = '2.79') => d.request<Body>(method, `/v2.1${path}`, body, {}, nova(version));

async function volume(id: string): Promise<Record<string, unknown>> {
  return (await cinder('GET', `/volumes/${id}`)).body['volume'] ?? {};
}

async function volumeBecomes(id: string, status: string): Promise<Record<string, unknown>> {
  let last: Record<string, unknown> = {};
  await waitFor(async () => (last = await volume(id))['status'] === status, 30_000, `volume ${id} ${status}`);
  return last;
}

async function newVolume(size = 1, bootable = false): Promise<string> {
  const res = await cinder('POST', '/volumes', { volume: { size } });
  const id = String(res.body['volume']?.['id']);
  await volumeBecomes(id, 'available');
  if (bootable) await cinder('POST', `/volumes/${id}/action`, { 'os-set_bootable': { bootable: true } });
  return id;
}

async function bootFromVolume(server: Record<string, unknown>): Promise<string> {
  const res = await compute('POST', '/servers', { server: { name: 'bfv', flavorRef: '1', imageRef: '', networks: 'none', ...server } });
  if (res.status !== 202) throw new Error(`boot answered ${res.status}: ${JSON.stringify(res.body)}`);
  const id = String(res.body['server']?.['id']);
  await d.waitForStatus(id, ['ACTIVE']);
  return id;
}

async function deleteServer(id: string): Promise<void> {
  await compute('DELETE', `/servers/${id}`);
  await waitFor(async () => (await compute('GET', `/servers/${id}`)).status === 404, 30_000, `server ${id} gone`);
}

test.before(async () => {
  d = await TestDeployment.start({ cells: [{ name: 'cell1', pools: [{ prefix: 'bfv-host', hosts: 2 }] }] });
});

test.after.always(async () => {
  await d?.stop();
});

test('boot from volume - a server boots from an existing volume, shows it attached, and gives it back when deleted', async (t) => {
  const root = await newVolume(1, true);
  const id = await bootFromVolume({ block_device_mapping_v2: [{ source_type: 'volume', destination_type: 'volume', uuid: root, boot_index: 0 }] });
  const shown = (await compute('GET', `/servers/${id}`)).body['server'] ?? {};
  t.is(shown['image'], '');
  t.deepEqual(shown['os-extended-volumes:volumes_attached'], [{ id: root, delete_on_termination: false }] as unknown as Record<string, unknown>);
  // The root disk is the volume: the host gives it no disk (m1.tiny's 1 GiB is not claimed).
  const claimed = Object.fromEntries((await d.allocations(id)).map((a) => [a.resource_class, a.used]));
  t.deepEqual(claimed, { VCPU: 1, MEMORY_MB: 512 });
  const attached = await volumeBecomes(root, 'in-use');
  t.like((attached['attachments'] as Record<string, unknown>[])[0], { server_id: id, device: '/dev/vda' });
  const listed = await compute('GET', '/servers/detail');
  const inList = (listed.body['servers'] as unknown as Record<string, unknown>[]).find((s) => s['id'] === id);
  t.deepEqual(inList?.['os-extended-volumes:volumes_attached'], [{ id: root, delete_on_termination: false }]);
  t.is((await compute('DELETE', `/servers/${id}/os-volume_attachments/${root}`)).status, 400, 'the root volume stays');
  await deleteServer(id);
  t.like(await volumeBecomes(root, 'available'), { attachments: [] });
});

test('boot from volume - an image becomes a volume deleted with the server; a blank one with delete_on_termination false stays', async (t) => {
  const id = await bootFromVolume({
    block_device_mapping_v2: [
      { source_type: 'image', destination_type: 'volume', uuid: d.image.uuid, boot_index: 0, volume_size: 1, delete_on_termination: true },
      { source_type: 'blank', destination_type: 'volume', volume_size: 1, boot_index: -1 },
    ],
  });
  const attachments = (await compute('GET', `/servers/${id}/os-volume_attachments`)).body['volumeAttachments'] as unknown as Record<string, unknown>[];
  t.deepEqual(attachments.map((a) => [a['device'], a['delete_on_termination']]), [['/dev/vda', true], ['/dev/vdb', false]]);
  const [rootId, dataId] = attachments.map((a) => String(a['volumeId']));
  const root = await volumeBecomes(rootId ?? '', 'in-use');
  t.like(root, { bootable: 'true', size: 1 });
  t.like(root['volume_image_metadata'], { image_id: d.image.uuid });
  await volumeBecomes(dataId ?? '', 'in-use');
  await deleteServer(id);
  await waitFor(async () => (await cinder('GET', `/volumes/${rootId ?? ''}`)).status === 404, 30_000, 'the root volume deleted with its server');
  await volumeBecomes(dataId ?? '', 'available');
});

test('volume attachments - attach and detach on a running server, as os-volume_attachments', async (t) => {
  const res = await d.boot({ networks: 'none' }, {}, {}, nova('2.79'));
  const server = String(res.body.server.id);
  await d.waitForStatus(server, ['ACTIVE']);
  t.is((await d.allocations(server)).find((a) => a.resource_class === 'DISK_GB')?.used, 1, 'a server booted from an image claims its root disk');
  const data = await newVolume(2);
  const made = await compute('POST', `/servers/${server}/os-volume_attachments`, { volumeAttachment: { volumeId: data, tag: 'db', delete_on_termination: true } });
  t.is(made.status, 200);
  t.like(made.body['volumeAttachment'], { id: data, volumeId: data, serverId: server, device: '/dev/vdb', tag: 'db', delete_on_termination: true });
  const inUse = await volumeBecomes(data, 'in-use');
  t.like((inUse['attachments'] as Record<string, unknown>[])[0], { server_id: server, device: '/dev/vdb' });
  t.truthy((inUse['attachments'] as Record<string, unknown>[])[0]?.['host_name'], 'the attachment names the server host');
  const shown = await compute('GET', `/servers/${server}/os-volume_attachments/${data}`, undefined, '2.89');
  t.like(shown.body['volumeAttachment'], { volumeId: data, device: '/dev/vdb' });
  t.false('id' in (shown.body['volumeAttachment'] ?? {}));
  t.truthy(shown.body['volumeAttachment']?.['attachment_id']);
  const again = await compute('POST', `/servers/${server}/os-volume_attachments`, { volumeAttachment: { volumeId: data } });
  t.is(again.status, 400);
  t.is((await compute('DELETE', `/servers/${server}/os-volume_attachments/${data}`)).status, 202);
  await volumeBecomes(data, 'available');
  t.deepEqual((await compute('GET', `/servers/${server}/os-volume_attachments`)).body['volumeAttachments'], [] as unknown as Record<string, unknown>);
  const async2101 = await compute('POST', `/servers/${server}/os-volume_attachments`, { volumeAttachment: { volumeId: data } }, '2.101');
  t.is(async2101.status, 202);
  await volumeBecomes(data, 'in-use');
  await deleteServer(server);
  t.like(await volumeBecomes(data, 'available'), { attachments: [] });
});

test('boot from volume - bad mappings are refused before anything is written', async (t) => {
  const base = { name: 'bad', flavorRef: '1', imageRef: '', networks: 'none' };
  const refused = async (server: Record<string, unknown>, pattern: RegExp) => {
    const res = await compute('POST', '/servers', { server: { ...base, ...server } });
    t.is(res.status, 400, JSON.stringify(res.body));
    t.regex(String(res.body['badRequest']?.['message']), pattern);
  };
  await refused({}, /Boot sequence/);
  await refused({ block_device_mapping_v2: [{ source_type: 'volume', destination_type: 'volume', uuid: '7a3e5a6c-0c25-4a7c-9a8e-6f1a2b3c4d5e', boot_index: 0 }] }, /failed to get volume/);
  await refused({ block_device_mapping_v2: [{ source_type: 'image', destination_type: 'volume', uuid: d.image.uuid, boot_index: 0 }] }, /non-zero size/);
  await refused({ block_device_mapping_v2: [{ source_type: 'volume', destination_type: 'volume', uuid: 'x', boot_index: 0, colour: 'red' }] }, /colour/);
  const notBootable = await newVolume();
  await refused({ block_device_mapping_v2: [{ source_type: 'volume', destination_type: 'volume', uuid: notBootable, boot_index: 0 }] }, /is not bootable/);
  const used = await newVolume(1, true);
  const server = await bootFromVolume({ block_device_mapping_v2: [{ source_type: 'volume', destination_type: 'volume', uuid: used, boot_index: 0 }] });
  await refused({ block_device_mapping_v2: [{ source_type: 'volume', destination_type: 'volume', uuid: used, boot_index: 0 }] }, /status must be 'available'/);
  const free = await newVolume(1, true);
  await refused({ min_count: 2, block_device_mapping_v2: [{ source_type: 'volume', destination_type: 'volume', uuid: free, boot_index: 0 }] }, /multiple instances/);
  t.is((await volume(free))['status'], 'available');
  // The legacy form: a volume on the root device name.
  const legacy = await bootFromVolume({ block_device_mapping: [{ device_name: 'vda', volume_id: free, delete_on_termination: '1' }] });
  t.deepEqual((await compute('GET', `/servers/${legacy}`)).body['server']?.['os-extended-volumes:volumes_attached'], [{ id: free, delete_on_termination: true }] as unknown as Record<string, unknown>);
  await deleteServer(legacy);
  await waitFor(async () => (await cinder('GET', `/volumes/${free}`)).status === 404, 30_000, 'the legacy root volume deleted');
  await deleteServer(server);
});

test('boot from volume - a server deleted while its volume is still being made leaves neither the volume nor an attachment', async (t) => {
  const res = await compute('POST', '/servers', {
    server: {
      name: 'short-lived', flavorRef: '1', imageRef: '', networks: 'none',
      block_device_mapping_v2: [
        { source_type: 'blank', destination_type: 'volume', volume_size: 1, boot_index: 0, delete_on_termination: true },
        { source_type: 'blank', destination_type: 'volume', volume_size: 1 },
      ],
    },
  });
  t.is(res.status, 202);
  const id = String(res.body['server']?.['id']);
  const devices = (await compute('GET', `/servers/${id}/os-volume_attachments`)).body['volumeAttachments'] as unknown as { volumeId: string }[];
  const [root, data] = devices.map((v) => v.volumeId);
  await deleteServer(id);
  await waitFor(async () => (await cinder('GET', `/volumes/${root ?? ''}`)).status === 404, 30_000, 'the root volume deleted once made');
  t.like(await volumeBecomes(data ?? '', 'available'), { attachments: [] });
  const left = await d.request<{ attachments: unknown[] }>('GET', `/volume/v3/attachments?instance_id=${id}`, undefined, {}, { 'openstack-api-version': 'volume 3.27' });
  t.deepEqual(left.body.attachments, []);
});

test('volume proxy - os-volumes and os-snapshots answer as Nova until 2.35, and are gone from 2.36', async (t) => {
  const made = await compute('POST', '/os-volumes', { volume: { size: 1, display_name: 'proxied' } }, '2.1');
  t.is(made.status, 200);
  t.like(made.body['volume'], { displayName: 'proxied', size: 1, attachments: [{}], availabilityZone: 'nova', volumeType: '__DEFAULT__' });
  const id = String(made.body['volume']?.['id']);
  await volumeBecomes(id, 'available');
  const snap = await compute('POST', '/os-snapshots', { snapshot: { volume_id: id, display_name: 'proxied-snap' } }, '2.1');
  t.like(snap.body['snapshot'], { volumeId: id, displayName: 'proxied-snap', size: 1 });
  const listed = (await compute('GET', '/os-snapshots/detail', undefined, '2.1')).body['snapshots'] as unknown as { id: string }[];
  t.true(listed.some((s) => s.id === snap.body['snapshot']?.['id']));
  t.is((await compute('POST', '/os-volumes', { volume: { size: 0 } }, '2.1')).status, 400);
  t.is((await compute('GET', `/os-volumes/${id}`, undefined, '2.36')).status, 404);
  await waitFor(async () => (await compute('DELETE', `/os-snapshots/${String(snap.body['snapshot']?.['id'])}`, undefined, '2.1')).status === 202, 30_000, 'snapshot deletable');
  await waitFor(async () => (await compute('DELETE', `/os-volumes/${id}`, undefined, '2.1')).status === 202, 30_000, 'volume deletable');
  await waitFor(async () => (await compute('GET', `/os-volumes/${id}`, undefined, '2.1')).status === 404, 30_000, 'volume gone');
});
