import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { dbServer, freePortRange, redisUrl, runNode, TestDatabases, waitFor } from '../../testing/index.js';

// Debian's python3-openstackclient (ops/bin/ensure-services installs it) driving the volume
// service of a deployment the launcher brought up, with only its clouds.yaml.
const OPENSTACK = '/usr/bin/openstack';
const dbs = new TestDatabases();
let stateDir = '';
let env: NodeJS.ProcessEnv = {};
const exec = promisify(execFile);

async function openstack(args: string[]): Promise<string> {
  try {
    return (await exec(OPENSTACK, args, { env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`openstack ${args.join(' ')} failed: ${e.stderr ?? ''}${e.stdout ?? ''}`);
  }
}
const osc = async <T = Record<string, unknown>>(...args: string[]): Promise<T> => JSON.parse(await openstack([...args, '-f', 'json'])) as T;
const refused = async (...args: string[]): Promise<string> => {
  const message = await openstack(args).then(() => '', (err: Error) => err.message);
  if (!message) throw new Error(`openstack ${args.join(' ')} succeeded`);
  return message;
};

async function volumeBecomes(name: string, status: string): Promise<Record<string, unknown>> {
  let shown: Record<string, unknown> = {};
  await waitFor(async () => (shown = await osc('volume', 'show', name))['status'] === status, 60_000, `volume ${name} ${status}`);
  return shown;
}

test.before(async () => {
  if (!existsSync(OPENSTACK)) throw new Error(`${OPENSTACK} is missing: run ops/bin/ensure-services (it installs python3-openstackclient)`);
  stateDir = mkdtempSync(join(tmpdir(), 'cellstack-volumes-osc-'));
  // The API, NATS, /metrics of five processes, and the dashboard (never its default port: tests run side by side).
  const base = await freePortRange(9);
  const up = await runNode('ops/launcher/main.js', [
    'up', '--state-dir', stateDir, '--cells', '1', '--hosts-per-cell', '1', '--api-workers', '1', '--db-server', dbServer, '--db-prefix', `${dbs.prefix}_vol`,
    '--redis-url', redisUrl, '--api-port', String(base), '--nats-port', String(base + 1), '--metrics-port', String(base + 2),
    '--dashboard-port', String(base + 8),
  ], {}, 180_000);
  if (up.code !== 0) throw new Error(`deploy up failed: ${up.stderr}${up.stdout}`);
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OS_')));
  env = { ...clean, OS_CLIENT_CONFIG_FILE: join(stateDir, 'clouds.yaml'), OS_CLOUD: 'cellstack' };
});

test.after.always(async () => {
  if (stateDir) await runNode('ops/launcher/main.js', ['down', '--state-dir', stateDir], {}, 60_000);
  await dbs.drop();
});

test.serial('openstack volume - create from an uploaded image, snapshot, from the snapshot, set and extend, delete --purge', async (t) => {
  const raw = join(stateDir, 'disk.raw');
  writeFileSync(raw, Buffer.concat([Buffer.from('a disk of my own\n'), Buffer.alloc(65536)]));
  await osc('image', 'create', '--disk-format', 'raw', '--container-format', 'bare', '--file', raw, 'my-disk');
  const created = await osc('volume', 'create', '--size', '1', '--image', 'my-disk', '--property', 'app=db', 'data-1');
  t.is(created['status'], 'creating');
  const data = await volumeBecomes('data-1', 'available');
  t.like(data, { size: 1, bootable: 'true', type: '__DEFAULT__', properties: { app: 'db' } });
  t.true(existsSync(join(stateDir, 'volumes', `volume-${String(data['id'])}.qcow2`)), 'the volume is a file in the deployment');

  await osc('volume', 'snapshot', 'create', '--volume', 'data-1', '--description', 'before upgrade', 'snap-1');
  await waitFor(async () => (await osc('volume', 'snapshot', 'show', 'snap-1'))['status'] === 'available', 60_000, 'snapshot available');
  await osc('volume', 'create', '--snapshot', 'snap-1', '--size', '2', 'from-snap');
  t.like(await volumeBecomes('from-snap', 'available'), { size: 2, bootable: 'true' });

  await openstack(['volume', 'set', '--size', '3', '--name', 'data-renamed', '--property', 'tier=gold', 'data-1']);
  await waitFor(async () => (await osc('volume', 'show', 'data-renamed'))['size'] === 3, 60_000, 'extended to 3 GiB');
  t.like(await osc('volume', 'show', 'data-renamed'), { properties: { app: 'db', tier: 'gold' } });

  t.regex(await refused('volume', 'delete', 'data-renamed'), /have snapshots.*\(HTTP 400\)/);
  await openstack(['volume', 'delete', '--purge', 'data-renamed', 'from-snap']);
  await waitFor(async () => (await osc<unknown[]>('volume', 'list')).length === 0, 60_000, 'volumes gone');
});

test.serial('openstack volume type - create with properties, show, list, used by a volume, delete; quotas and limits show volumes', async (t) => {
  const gold = await osc('volume', 'type', 'create', '--description', 'fast disks', '--property', 'tier=1', 'gold');
  t.like(gold, { name: 'gold', is_public: true, properties: { tier: '1' } });
  t.like(await osc('volume', 'type', 'show', 'gold'), { id: gold['id'], description: 'fast disks' });
  await osc('volume', 'create', '--size', '1', '--type', 'gold', 'golden');
  t.is((await volumeBecomes('golden', 'available'))['type'], 'gold');
  t.regex(await refused('volume', 'type', 'delete', 'gold'), /still in use/);
  const quota = await osc('quota', 'show');
  t.like(quota, { volumes: 10, snapshots: 10, gigabytes: 1000 });
  const limits = await osc<{ Name: string; Value: number }[]>('limits', 'show', '--absolute');
  t.like(Object.fromEntries(limits.map((l) => [l.Name, l.Value])), { maxTotalVolumes: 10, totalVolumesUsed: 1, totalGigabytesUsed: 1 });
  await openstack(['volume', 'delete', 'golden']);
  await waitFor(async () => (await osc<unknown[]>('volume', 'list')).length === 0, 60_000, 'volume gone');
  await openstack(['volume', 'type', 'delete', 'gold']);
  t.deepEqual((await osc<{ Name: string }[]>('volume', 'type', 'list')).map((x) => x.Name), ['__DEFAULT__']);
});

test.serial('openstack server - boot from a volume made from the image, add and remove a second volume, delete: the volumes are available again', async (t) => {
  await osc('volume', 'create', '--size', '1', '--image', 'cirros-0.6.2-x86_64-disk', 'boot-1');
  const boot = await volumeBecomes('boot-1', 'available');
  const server = await osc('server', 'create', '--flavor', 'm1.tiny', '--volume', 'boot-1', '--nic', 'none', '--wait', 'vm-bfv');
  t.like(server, { status: 'ACTIVE', image: 'N/A (booted from volume)' });
  t.like((await osc('volume', 'show', 'boot-1'))['attachments'], [{ server_id: server['id'], device: '/dev/vda' }]);
  await osc('volume', 'create', '--size', '1', 'data-2');
  await volumeBecomes('data-2', 'available');
  const added = await osc('server', 'add', 'volume', 'vm-bfv', 'data-2');
  t.like(added, { 'Server ID': server['id'], Device: '/dev/vdb' });
  t.deepEqual(((await osc('server', 'show', 'vm-bfv'))['volumes_attached'] as { id: string }[]).map((v) => v.id).sort(), [String(boot['id']), String(added['Volume ID'])].sort());
  await openstack(['server', 'remove', 'volume', 'vm-bfv', 'data-2']);
  t.is((await osc('volume', 'show', 'data-2'))['status'], 'available');
  await openstack(['server', 'delete', '--wait', 'vm-bfv']);
  t.like(await volumeBecomes('boot-1', 'available'), { attachments: [] });
});
