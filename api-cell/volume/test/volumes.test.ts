import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { QueryTypes } from 'sequelize';
import { storeImageData, createImage } from '../../images/index.js';
import { openVolumeDatabase, syncVolumeDatabase, volumeMigrations } from '../index.js';
import { TestDeployment, waitFor, type Caller } from '../../../ops/testing/index.js';

const run = promisify(execFile);
let d: TestDeployment;
const V = '/volume/v3';
const admin: Caller = { roles: 'admin', project: 'admin-project', user: 'admin' };
const mv = (version: string) => ({ 'openstack-api-version': `volume ${version}` });

type Body = Record<string, Record<string, unknown>>;
const call = (method: string, path: string, body?: unknown, caller: Caller = {}, headers: Record<string, string> = {}) => d.request<Body>(method, `${V}${path}`, body, caller, headers);

async function volumeBecomes(id: string, status: string, caller: Caller = {}): Promise<Record<string, unknown>> {
  let last: Record<string, unknown> = {};
  await waitFor(async () => {
    last = (await call('GET', `/volumes/${id}`, undefined, caller)).body['volume'] ?? {};
    return last['status'] === status;
  }, 30_000, `volume ${id} ${status}`);
  return last;
}

async function makeVolume(spec: Record<string, unknown>, caller: Caller = {}): Promise<Record<string, unknown>> {
  const res = await call('POST', '/volumes', { volume: spec }, caller);
  if (res.status !== 202) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
  return volumeBecomes(String(res.body['volume']?.['id']), 'available', caller);
}

/** The first bytes a guest of the volume would read (its first sector, through qemu-img). */
async function firstBytes(path: string, n: number): Promise<Buffer> {
  const raw = `${path}.read`;
  await run('/usr/bin/qemu-img', ['dd', '-f', 'qcow2', '-O', 'raw', 'bs=512', 'count=1', `if=${path}`, `of=${raw}`]);
  try {
    return readFileSync(raw).subarray(0, n);
  } finally {
    rmSync(raw, { force: true });
  }
}

const virtualSize = async (path: string): Promise<number> => (JSON.parse((await run('/usr/bin/qemu-img', ['info', '--output=json', path])).stdout) as { 'virtual-size': number })['virtual-size'];
const fileOf = (id: string) => join(d.volumeDir, `volume-${id}.qcow2`);
const GiB = 1024 ** 3;

test.before(async () => {
  // Work left behind is taken up after 2 s here (10 minutes by default).
  d = await TestDeployment.start({ cells: [], config: { volume: { stalled_work_s: 2 } } });
});

test.after.always(async () => {
  await d?.stop();
});

test('volume - versions answer without a token; the microversion is echoed, refused out of range', async (t) => {
  const root = await d.request<{ versions: Record<string, unknown>[] }>('GET', '/volume/', undefined);
  t.is(root.status, 300);
  t.like(root.body.versions[0], { id: 'v3.0', min_version: '3.0', version: '3.70' });
  const echoed = await call('GET', '/types', undefined, {}, mv('3.44'));
  t.is(echoed.headers.get('openstack-api-version'), 'volume 3.44');
  t.is((await call('GET', '/types')).headers.get('openstack-api-version'), 'volume 3.0');
  const far = await call('GET', '/types', undefined, {}, mv('3.99'));
  t.is(far.status, 406);
  const bad = await call('GET', '/types', undefined, {}, mv('three'));
  t.is(bad.status, 400);
  t.regex(String(bad.body['badRequest']?.['message']), /invalid format/);
});

test('volume - an empty volume is a qcow2 file of its size; other projects do not find it; admins list it with all_tenants', async (t) => {
  const made = await call('POST', '/p1/volumes', { volume: { size: 1, name: 'empty-1', metadata: { a: 'b' } } });
  t.is(made.status, 202);
  t.is(made.body['volume']?.['status'], 'creating');
  const id = String(made.body['volume']?.['id']);
  const shown = await volumeBecomes(id, 'available');
  t.like(shown, { name: 'empty-1', size: 1, bootable: 'false', volume_type: '__DEFAULT__', availability_zone: 'nova', attachments: [], metadata: { a: 'b' } });
  t.is(await virtualSize(fileOf(id)), GiB);
  t.is((await call('GET', `/volumes/${id}`, undefined, { project: 'p2' })).status, 404);
  const byName = await call('GET', '/volumes/detail?name=empty-1');
  t.deepEqual((byName.body['volumes'] as unknown as { id: string }[]).map((v) => v.id), [id]);
  const others = await call('GET', '/volumes?all_tenants=1', undefined, { project: 'p2' });
  t.false((others.body['volumes'] as unknown as { id: string }[]).some((v) => v.id === id));
  const all = await call('GET', '/volumes?all_tenants=1', undefined, admin);
  t.true((all.body['volumes'] as unknown as { id: string }[]).some((v) => v.id === id));
  const renamed = await call('PUT', `/volumes/${id}`, { volume: { name: 'empty-renamed' } });
  t.is(renamed.body['volume']?.['name'], 'empty-renamed');
  t.is((await call('DELETE', `/volumes/${id}`, undefined, { project: 'p2' })).status, 404);
  t.is((await call('DELETE', `/volumes/${id}`)).status, 202);
  await waitFor(async () => (await call('GET', `/volumes/${id}`)).status === 404, 20_000, 'the volume gone');
  t.false(existsSync(fileOf(id)));
});

test('volume - image data, snapshots, clones and extends carry the bytes a guest wrote', async (t) => {
  const marker = Buffer.from('cellstack volume data marker\n');
  const disk = Buffer.alloc(1024 * 1024);
  marker.copy(disk, 0);
  const image = await createImage(d.api, { name: 'raw-disk', visibility: 'public', disk_format: 'raw', container_format: 'bare', status: 'queued' });
  await storeImageData(d.api, image.uuid, disk);
  const fromImage = await makeVolume({ size: 1, imageRef: image.uuid, name: 'from-image' });
  t.is(fromImage['bootable'], 'true');
  t.like(fromImage['volume_image_metadata'], { image_id: image.uuid, image_name: 'raw-disk', disk_format: 'raw' });
  const id = String(fromImage['id']);
  t.deepEqual(await firstBytes(fileOf(id), marker.length), marker);

  const snap = await call('POST', '/snapshots', { snapshot: { volume_id: id, name: 's1' } });
  t.is(snap.status, 202);
  const snapId = String(snap.body['snapshot']?.['id']);
  await waitFor(async () => (await call('GET', `/snapshots/${snapId}`)).body['snapshot']?.['status'] === 'available', 30_000, 'snapshot available');
  const fromSnap = await makeVolume({ snapshot_id: snapId, size: 2 });
  t.like(fromSnap, { snapshot_id: snapId, size: 2, bootable: 'true' });
  t.deepEqual(await firstBytes(fileOf(String(fromSnap['id'])), marker.length), marker);
  t.is(await virtualSize(fileOf(String(fromSnap['id']))), 2 * GiB);
  const clone = await makeVolume({ source_volid: id });
  t.like(clone, { source_volid: id, size: 1 });
  t.deepEqual(await firstBytes(fileOf(String(clone['id'])), marker.length), marker);

  const smaller = await call('POST', '/volumes', { volume: { snapshot_id: snapId, size: 0 } });
  t.is(smaller.status, 400);
  t.is((await call('POST', `/volumes/${id}/action`, { 'os-extend': { new_size: 1 } })).status, 400);
  t.is((await call('POST', `/volumes/${id}/action`, { 'os-extend': { new_size: 3 } })).status, 202);
  await waitFor(async () => (await call('GET', `/volumes/${id}`)).body['volume']?.['size'] === 3, 30_000, 'extended');
  t.is(await virtualSize(fileOf(id)), 3 * GiB);
  t.deepEqual(await firstBytes(fileOf(id), marker.length), marker);

  const withSnapshot = await call('DELETE', `/volumes/${id}`);
  t.is(withSnapshot.status, 400);
  t.regex(String(withSnapshot.body['badRequest']?.['message']), /have snapshots/);
  t.is((await call('DELETE', `/volumes/${id}?cascade=true`)).status, 202);
  await waitFor(async () => (await call('GET', `/snapshots/${snapId}`)).status === 404, 20_000, 'the snapshot deleted with its volume');
  t.false(existsSync(join(d.volumeDir, `snapshot-${snapId}.qcow2`)));
});

test('volume - attachments reserve, connect, complete and free a volume as Nova drives them', async (t) => {
  const volume = await makeVolume({ size: 1, name: 'data' });
  const id = String(volume['id']);
  const server = '5f0c2f2c-0c6e-4d9e-9d7e-0f1a2b3c4d5e';
  t.is((await call('POST', '/attachments', { attachment: { volume_uuid: id, instance_uuid: server } })).status, 404);
  const made = await call('POST', '/attachments', { attachment: { volume_uuid: id, instance_uuid: server } }, {}, mv('3.44'));
  t.is(made.status, 200);
  const attachment = made.body['attachment'] ?? {};
  t.like(attachment, { status: 'reserved', instance: server, volume_id: id, connection_info: {} });
  t.is((await volumeBecomes(id, 'reserved'))['status'], 'reserved');
  const second = await call('POST', '/attachments', { attachment: { volume_uuid: id, instance_uuid: server } }, {}, mv('3.44'));
  t.is(second.status, 400);
  t.regex(String(second.body['badRequest']?.['message']), /current status is reserved/);
  const updated = await call('PUT', `/attachments/${String(attachment['id'])}`, { attachment: { connector: { host: 'cell1-host-1', mountpoint: '/dev/vdb' } } }, {}, mv('3.44'));
  t.is(updated.status, 200);
  t.like(updated.body['attachment']?.['connection_info'], { driver_volume_type: 'local', data: { device_path: fileOf(id), format: 'qcow2' } });
  t.is((await call('POST', `/attachments/${String(attachment['id'])}/action`, { 'os-complete': {} }, {}, mv('3.44'))).status, 204);
  const inUse = await volumeBecomes(id, 'in-use');
  t.like((inUse['attachments'] as Record<string, unknown>[])[0], { server_id: server, attachment_id: attachment['id'], host_name: 'cell1-host-1', device: '/dev/vdb' });
  t.is((await call('DELETE', `/volumes/${id}`)).status, 400);
  t.is((await call('GET', `/attachments/${String(attachment['id'])}`, undefined, { project: 'p2' }, mv('3.44'))).status, 404);
  const listed = await call('GET', `/attachments?instance_id=${server}`, undefined, {}, mv('3.44'));
  t.is((listed.body['attachments'] as unknown as unknown[]).length, 1);
  const freed = await call('DELETE', `/attachments/${String(attachment['id'])}`, undefined, {}, mv('3.44'));
  t.is(freed.status, 200);
  t.deepEqual(freed.body['attachments'], []);
  t.like(await volumeBecomes(id, 'available'), { attachments: [] });
});

test('volume - quotas: a project past its volumes or gigabytes gets 413 overLimit; limits say what is used', async (t) => {
  const project: Caller = { project: 'quota-project' };
  t.is((await call('PUT', '/os-quota-sets/quota-project', { quota_set: { volumes: 2, gigabytes: 4 } }, project)).status, 403);
  const set = await call('PUT', '/os-quota-sets/quota-project', { quota_set: { volumes: 2, gigabytes: 4 } }, admin);
  t.is(set.status, 200);
  t.like(set.body['quota_set'], { volumes: 2, gigabytes: 4, snapshots: 10 });
  await makeVolume({ size: 2 }, project);
  const tooBig = await call('POST', '/volumes', { volume: { size: 3 } }, project);
  t.is(tooBig.status, 413);
  t.regex(String(tooBig.body['overLimit']?.['message']), /exceeds allowed gigabytes quota/);
  await makeVolume({ size: 1 }, project);
  const tooMany = await call('POST', '/volumes', { volume: { size: 1 } }, project);
  t.is(tooMany.status, 413);
  t.regex(String(tooMany.body['overLimit']?.['message']), /Maximum number of volumes allowed \(2\)/);
  const limits = await call('GET', '/limits', undefined, project);
  t.like(limits.body['limits']?.['absolute'], { maxTotalVolumes: 2, totalVolumesUsed: 2, maxTotalVolumeGigabytes: 4, totalGigabytesUsed: 3 });
  const usage = await call('GET', '/os-quota-sets/quota-project?usage=True', undefined, project);
  t.like(usage.body['quota_set'], { volumes: { limit: 2, in_use: 2, reserved: 0 } });
  t.is((await call('GET', '/os-quota-sets/other-project', undefined, project)).status, 403);
  t.is((await call('PUT', '/os-quota-sets/quota-project', { quota_set: { volumes: 1 } }, admin)).status, 400);
  t.is((await call('PUT', '/os-quota-sets/quota-project', { quota_set: { volumez: 1 } }, admin)).status, 400);
});

test('volume - bad bodies get badRequest in Cinder words; types are admin-managed, the default stays', async (t) => {
  const unknown = await call('POST', '/volumes', { volume: { size: 1, colour: 'red' } });
  t.is(unknown.status, 400);
  t.regex(String(unknown.body['badRequest']?.['message']), /'colour' was unexpected/);
  t.is((await call('POST', '/volumes', { volume: { size: 'big' } })).status, 400);
  t.is((await call('POST', '/volumes', { volume: {} })).status, 400);
  t.is((await call('POST', '/volumes', 'not json')).status, 400);
  t.is((await call('POST', '/volumes', { volume: { size: 1, volume_type: 'gold' } })).status, 404);
  t.is((await call('POST', '/volumes', { volume: { size: 1, availability_zone: 'elsewhere' } })).status, 400);
  t.is((await call('POST', '/volumes', { volume: { size: 1 } }, { roles: 'reader' })).status, 403);

  t.is((await call('POST', '/types', { volume_type: { name: 'gold' } })).status, 403);
  const gold = await call('POST', '/types', { volume_type: { name: 'gold', description: 'fast', extra_specs: { tier: '1' } } }, admin);
  t.is(gold.status, 200);
  t.like(gold.body['volume_type'], { name: 'gold', is_public: true, extra_specs: { tier: '1' } });
  t.is((await call('POST', '/types', { volume_type: { name: 'gold' } }, admin)).status, 409);
  const types = await call('GET', '/types');
  t.deepEqual((types.body['volume_types'] as unknown as { name: string }[]).map((x) => x.name).sort(), ['__DEFAULT__', 'gold']);
  t.is((await call('GET', '/types/default', undefined, {}, mv('3.62'))).body['volume_type']?.['name'], '__DEFAULT__');
  const golden = await makeVolume({ size: 1, volume_type: 'gold' });
  t.is(golden['volume_type'], 'gold');
  t.is((await call('DELETE', `/types/${String(gold.body['volume_type']?.['id'])}`, undefined, admin)).status, 400);
  const byName = await call('GET', '/types/__DEFAULT__');
  t.is((await call('DELETE', `/types/${String(byName.body['volume_type']?.['id'])}`, undefined, admin)).status, 400);
  const az = await call('GET', '/os-availability-zone');
  t.deepEqual(az.body['availabilityZoneInfo'], [{ zoneName: 'nova', zoneState: { available: true } }] as unknown as Record<string, unknown>);
});

test('volume - its database is created and migrated on its own; a second sync has nothing to do', async (t) => {
  const url = d.dbs.url('volume_sync');
  const first = await syncVolumeDatabase(url);
  t.true(first.created);
  t.deepEqual(first.applied, volumeMigrations.map((m) => m.name));
  t.deepEqual((await syncVolumeDatabase(url)).applied, []);
});

test('volume - work a dead process left (a volume still creating, one still deleting) is taken up by the API', async (t) => {
  const db = openVolumeDatabase(d.config.volume.database_url, { poolMax: 1 });
  const [making, deleting] = [randomUUID(), randomUUID()];
  const leftFile = join(d.volumeDir, `volume-${deleting}.qcow2`);
  writeFileSync(leftFile, 'half a volume');
  try {
    const [type] = await db.sequelize.query<{ uuid: string }>("SELECT uuid FROM volume_types WHERE name = '__DEFAULT__'", { type: QueryTypes.SELECT });
    for (const [uuid, status, path] of [[making, 'creating', null], [deleting, 'deleting', leftFile]] as const) {
      await db.sequelize.query(
        "INSERT INTO volumes (uuid, project_id, user_id, size, status, availability_zone, volume_type_uuid, provider_location, created_at) VALUES (?, 'p1', 'u1', 1, ?, 'nova', ?, ?, NOW(6) - INTERVAL 1 HOUR)",
        { replacements: [uuid, status, type?.uuid, path] },
      );
    }
  } finally {
    await db.close();
  }
  await volumeBecomes(making, 'available');
  t.is(await virtualSize(fileOf(making)), GiB);
  await waitFor(async () => (await call('GET', `/volumes/${deleting}`)).status === 404, 30_000, 'the deleting volume gone');
  t.false(existsSync(leftFile));
});

test('volume - the pre-3.27 attach flow, the summary and pages with a next link', async (t) => {
  const project: Caller = { project: 'legacy-project' };
  const first = await makeVolume({ size: 1, name: 'legacy' }, project);
  const id = String(first['id']);
  const act = (body: unknown) => call('POST', `/volumes/${id}/action`, body, project);
  t.is((await act({ 'os-reserve': {} })).status, 202);
  t.is((await volumeBecomes(id, 'attaching', project))['status'], 'attaching');
  t.is((await act({ 'os-attach': { instance_uuid: '0a4f8b0e-3c4e-4c3e-9a1e-2b3c4d5e6f70', mountpoint: '/dev/vdc' } })).status, 202);
  t.like(((await volumeBecomes(id, 'in-use', project))['attachments'] as Record<string, unknown>[])[0], { device: '/dev/vdc' });
  t.is((await act({ 'os-begin_detaching': {} })).status, 202);
  t.is((await act({ 'os-roll_detaching': {} })).status, 202);
  t.is((await act({ 'os-detach': {} })).status, 202);
  await volumeBecomes(id, 'available', project);
  const unknown = await act({ 'os-fly': {} });
  t.is(unknown.status, 400);
  t.regex(String(unknown.body['badRequest']?.['message']), /no such action: os-fly/);
  t.is((await act({ 'os-unreserve': {} })).status, 400, 'only a reserved volume is unreserved');

  await makeVolume({ size: 2 }, project);
  const summary = await call('GET', '/volumes/summary', undefined, project, mv('3.12'));
  t.deepEqual(summary.body['volume-summary'], { total_size: 3, total_count: 2 });
  const page = await d.request<{ volumes: { id: string }[]; volumes_links?: { rel: string; href: string }[] }>('GET', `${V}/volumes?limit=1`, undefined, project);
  t.is(page.body.volumes.length, 1);
  const next = page.body.volumes_links?.[0];
  t.is(next?.rel, 'next');
  const rest = await d.request<{ volumes: { id: string }[] }>('GET', new URL(next?.href ?? '').pathname + new URL(next?.href ?? '').search, undefined, project);
  t.is(rest.body.volumes.length, 1);
  t.not(rest.body.volumes[0]?.id, page.body.volumes[0]?.id);
  t.is((await call('GET', '/volumes/', undefined, project)).status, 404);
});

test('volume - the default quota class sets every project’s defaults; per-type keys are kept', async (t) => {
  t.is((await call('GET', '/os-quota-class-sets/default')).status, 403);
  const before = await call('GET', '/os-quota-class-sets/default', undefined, admin);
  t.like(before.body['quota_class_set'], { id: 'default', volumes: 10, gigabytes: 1000 });
  const set = await call('PUT', '/os-quota-class-sets/default', { quota_class_set: { volumes: 50, volumes___DEFAULT__: 7 } }, admin);
  t.like(set.body['quota_class_set'], { volumes: 50, volumes___DEFAULT__: 7 });
  t.like((await call('GET', '/os-quota-sets/fresh-project/defaults', undefined, { project: 'fresh-project' })).body['quota_set'], { volumes: 50, volumes___DEFAULT__: 7 });
  t.like((await call('GET', '/os-quota-sets/fresh-project', undefined, { project: 'fresh-project' })).body['quota_set'], { volumes: 50 });
  t.is((await call('PUT', '/os-quota-class-sets/default', { quota_class_set: { colours: 1 } }, admin)).status, 400);
  await call('PUT', '/os-quota-class-sets/default', { quota_class_set: { volumes: 10 } }, admin);
});
