import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { dbServer, freePortRange, redisUrl, repoRoot, runNode, TestDatabases } from '../../testing/index.js';

// Debian's python3-openstackclient and python3-openstacksdk (ops/bin/ensure-services installs
// them), driving a deployment brought up by the launcher, with only its clouds.yaml.
const OPENSTACK = '/usr/bin/openstack';
const PYTHON = '/usr/bin/python3';
const dbs = new TestDatabases();
let stateDir = '';
let env: NodeJS.ProcessEnv = {};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `openstack <args> -f json`, parsed; a failure throws with what the client printed. */
async function osc<T = Record<string, unknown>>(...args: string[]): Promise<T> {
  const res = await run(OPENSTACK, [...args, '-f', 'json']);
  if (res.code !== 0) throw new Error(`openstack ${args.join(' ')} exited ${res.code}: ${res.stderr}${res.stdout}`);
  return JSON.parse(res.stdout) as T;
}

/** `openstack <args>` for commands that print nothing on success. */
async function oscQuiet(...args: string[]): Promise<string> {
  const res = await run(OPENSTACK, args);
  if (res.code !== 0) throw new Error(`openstack ${args.join(' ')} exited ${res.code}: ${res.stderr}${res.stdout}`);
  return res.stdout;
}

async function statusBecomes(server: string, status: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 120; i++) {
    const shown = await osc('server', 'show', server);
    if (shown['status'] === status) return shown;
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`server ${server} never became ${status}`);
}

test.before(async () => {
  if (!existsSync(OPENSTACK)) throw new Error(`${OPENSTACK} is missing: run ops/bin/ensure-services (it installs python3-openstackclient)`);
  stateDir = mkdtempSync(join(tmpdir(), 'cellstack-clients-'));
  // The API, two cells' NATS, /metrics for 2 conductors, 2 host pools, a super-conductor, the API and the dashboard, and the dashboard.
  const base = await freePortRange(11);
  const [apiPort, natsPort, metricsPort] = [base, base + 1, base + 3];
  const up = await runNode('ops/launcher/main.js', [
    'up', '--state-dir', stateDir, '--cells', '2', '--hosts-per-cell', '3', '--db-server', dbServer, '--db-prefix', `${dbs.prefix}_osc`,
    '--redis-url', redisUrl, '--api-port', String(apiPort), '--nats-port', String(natsPort), '--metrics-port', String(metricsPort),
    '--dashboard-port', String(base + 10),
  ], {}, 180_000);
  if (up.code !== 0) throw new Error(`deploy up failed: ${up.stderr}${up.stdout}`);
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OS_')));
  env = { ...clean, OS_CLIENT_CONFIG_FILE: join(stateDir, 'clouds.yaml'), OS_CLOUD: 'cellstack' };
});

test.after.always(async () => {
  if (stateDir) await runNode('ops/launcher/main.js', ['down', '--state-dir', stateDir], {}, 60_000);
  await dbs.drop();
});

test.serial('openstack - token issue gives a signed token; a wrong password is the client’s usual 401', async (t) => {
  const token = await osc<{ id: string; project_id: string; expires: string }>('token', 'issue');
  t.regex(token.id, /^cs1\./);
  t.true(Date.parse(token.expires) > Date.now());
  const bad = await run(OPENSTACK, ['--os-password', 'not-the-password', 'server', 'list']);
  t.not(bad.code, 0);
  t.regex(bad.stderr, /The request you have made requires authentication\. \(HTTP 401\)/);
});

test.serial('openstack - image list, flavor list, flavor create and show', async (t) => {
  const images = await osc<{ Name: string; Status: string }[]>('image', 'list');
  t.true(images.some((i) => i.Name === 'cirros-0.6.2-x86_64-disk' && i.Status === 'active'));
  const flavors = await osc<{ Name: string; VCPUs: number; RAM: number }[]>('flavor', 'list');
  t.deepEqual(flavors.map((f) => f.Name), ['m1.tiny', 'm1.small', 'm1.medium', 'm1.large', 'm1.xlarge']);
  const created = await osc('flavor', 'create', '--vcpus', '2', '--ram', '1024', '--disk', '5', 'c1.custom');
  t.like(created, { name: 'c1.custom', vcpus: 2, ram: 1024, disk: 5 });
  const shown = await osc('flavor', 'show', 'c1.custom');
  t.is(shown['id'], created['id']);
});

test.serial('openstack - a server: create --wait, list, show, stop, start, reboot, resize and confirm, image create --wait, rescue and unrescue, shelve and unshelve, console log show, console url show, show --diagnostics, set --password and --state, dump create, delete --wait', async (t) => {
  const server = await osc('server', 'create', '--flavor', 'm1.small', '--image', 'cirros-0.6.2-x86_64-disk', '--nic', 'none', '--wait', 'web-1');
  t.is(server['status'], 'ACTIVE');
  t.like(server['flavor'], { original_name: 'm1.small', vcpus: 1, ram: 2048 });
  t.regex(String(server['image']), /^cirros-0\.6\.2-x86_64-disk \(/);
  const listed = await osc<{ ID: string; Name: string; Status: string }[]>('server', 'list');
  t.true(listed.some((s) => s.ID === server['id'] && s.Name === 'web-1' && s.Status === 'ACTIVE'));
  t.is((await osc('server', 'show', 'web-1'))['id'], server['id']);

  await oscQuiet('server', 'stop', 'web-1');
  t.is((await statusBecomes('web-1', 'SHUTOFF'))['OS-EXT-STS:power_state'], 4);
  await oscQuiet('server', 'start', 'web-1');
  await statusBecomes('web-1', 'ACTIVE');
  await oscQuiet('server', 'reboot', '--wait', 'web-1');
  t.is((await osc('server', 'show', 'web-1'))['status'], 'ACTIVE');

  const host = (await osc('server', 'show', 'web-1'))['OS-EXT-SRV-ATTR:host'];
  await oscQuiet('server', 'resize', '--flavor', 'm1.medium', '--wait', 'web-1');
  t.is((await osc('server', 'show', 'web-1'))['status'], 'VERIFY_RESIZE');
  await oscQuiet('server', 'resize', 'confirm', 'web-1');
  const resized = await statusBecomes('web-1', 'ACTIVE');
  t.like(resized['flavor'], { original_name: 'm1.medium', vcpus: 2 });
  t.not(resized['OS-EXT-SRV-ATTR:host'], host, 'a resize moves to another host');

  const snapshot = await osc('server', 'image', 'create', '--name', 'web-1-snap', '--wait', 'web-1');
  t.like(snapshot, { name: 'web-1-snap', status: 'active' });
  t.like(await osc('image', 'show', 'web-1-snap'), { status: 'active', visibility: 'private' });

  await oscQuiet('server', 'rescue', '--password', 'rescue-pw-1', 'web-1');
  t.is((await statusBecomes('web-1', 'RESCUE'))['OS-EXT-STS:vm_state'], 'rescued');
  await oscQuiet('server', 'unrescue', 'web-1');
  await statusBecomes('web-1', 'ACTIVE');

  await oscQuiet('server', 'shelve', 'web-1');
  t.is((await statusBecomes('web-1', 'SHELVED_OFFLOADED'))['OS-EXT-SRV-ATTR:host'], null);
  await oscQuiet('server', 'unshelve', 'web-1');
  t.truthy((await statusBecomes('web-1', 'ACTIVE'))['OS-EXT-SRV-ATTR:host']);

  // Nova's tail: the last N pieces of the log split at newlines; the log ends in one, so 3 give 2 lines.
  const consoleTail = await oscQuiet('console', 'log', 'show', '--lines', '3', 'web-1');
  t.deepEqual(consoleTail.trimEnd().split('\n').length, 2, consoleTail);
  t.regex(consoleTail, /web-1 login:/);

  const diagnostics = await osc('server', 'show', '--diagnostics', 'web-1');
  // The client asks at the microversion it was given: the 2.48 shape, or the older flat one.
  const memory = (diagnostics['memory_details'] as { maximum?: number } | undefined)?.maximum ?? diagnostics['memory'];
  t.true(Number(memory) > 0, JSON.stringify(diagnostics));

  await oscQuiet('server', 'set', '--password', 'cli-pass-1', 'web-1');
  await statusBecomes('web-1', 'ACTIVE');
  await oscQuiet('server', 'set', '--no-password', 'web-1');

  await oscQuiet('server', 'set', '--state', 'error', 'web-1');
  t.is((await statusBecomes('web-1', 'ERROR'))['OS-EXT-STS:task_state'], null);
  await oscQuiet('server', 'set', '--state', 'active', 'web-1');
  await statusBecomes('web-1', 'ACTIVE');

  await oscQuiet('server', 'dump', 'create', 'web-1');
  t.regex(await oscQuiet('console', 'log', 'show', 'web-1'), /Kernel panic - not syncing: NMI/, 'server dump create made the guest dump');
  await statusBecomes('web-1', 'ACTIVE');

  const consoleUrl = await osc('console', 'url', 'show', 'web-1');
  t.is(consoleUrl['type'], 'novnc');
  const screen = await fetch(String(consoleUrl['url']));
  t.is(screen.status, 200);
  t.regex(await screen.text(), /web-1 login:/, 'the console URL opens a page showing the guest');

  await oscQuiet('server', 'delete', '--wait', 'web-1');
  const after = await osc<{ ID: string }[]>('server', 'list');
  t.false(after.some((s) => s.ID === server['id']));
});

test.serial('openstack - keypair create prints a private key; the list shows its fingerprint', async (t) => {
  const privateKey = await oscQuiet('keypair', 'create', 'kp-1');
  t.regex(privateKey, /-----BEGIN (RSA |OPENSSH )?PRIVATE KEY-----/);
  const pairs = await osc<{ Name: string; Fingerprint: string }[]>('keypair', 'list');
  t.true(pairs.some((p) => p.Name === 'kp-1' && /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/.test(p.Fingerprint)));
});

test.serial('openstack - hypervisors, their stats, compute services and disabling one', async (t) => {
  const hypervisors = await osc<{ 'Hypervisor Hostname': string; State: string }[]>('hypervisor', 'list');
  t.is(hypervisors.length, 6);
  t.true(hypervisors.every((h) => h.State === 'up'));
  const one = await osc('hypervisor', 'show', 'cell1-host-1');
  t.like(one, { hypervisor_hostname: 'cell1-host-1', state: 'up', status: 'enabled' });
  const stats = await osc('--os-compute-api-version', '2.87', 'hypervisor', 'stats', 'show');
  t.is(stats['count'], 6);
  t.true(Number(stats['vcpus']) > 0);

  const services = await osc<{ Host: string; Status: string; State: string }[]>('compute', 'service', 'list');
  t.is(services.length, 6);
  await oscQuiet('compute', 'service', 'set', '--disable', 'cell2-host-3', 'nova-compute');
  const disabled = await osc<{ Status: string }[]>('compute', 'service', 'list', '--host', 'cell2-host-3');
  t.deepEqual(disabled.map((s) => s.Status), ['disabled']);
});

test.serial('openstack - aggregates make availability zones the zone list shows', async (t) => {
  // --compute: without it the client lists the volume service's zones too (its own `nova`).
  const before = await osc<{ 'Zone Name': string; 'Zone Status': string }[]>('availability', 'zone', 'list', '--compute');
  t.deepEqual(before, [{ 'Zone Name': 'nova', 'Zone Status': 'available' }]);
  const aggregate = await osc('aggregate', 'create', '--zone', 'az-east', 'agg-east');
  t.like(aggregate, { name: 'agg-east', availability_zone: 'az-east' });
  const added = await osc<{ hosts: string[] }>('aggregate', 'add', 'host', 'agg-east', 'cell1-host-3');
  t.deepEqual(added.hosts, ['cell1-host-3']);
  const zones = await osc<{ 'Zone Name': string }[]>('availability', 'zone', 'list', '--compute');
  t.deepEqual(zones.map((z) => z['Zone Name']).sort((a, b) => a.localeCompare(b)), ['az-east', 'nova']);
});

test.serial('openstack - a server group with anti-affinity spreads the servers booted into it', async (t) => {
  const group = await osc('server', 'group', 'create', '--policy', 'anti-affinity', 'spread');
  t.is(group['policy'], 'anti-affinity');
  const hosts: unknown[] = [];
  for (const name of ['g-1', 'g-2']) {
    const server = await osc('server', 'create', '--flavor', 'm1.tiny', '--image', 'cirros-0.6.2-x86_64-disk', '--nic', 'none', '--hint', `group=${String(group['id'])}`, '--wait', name);
    t.is(server['status'], 'ACTIVE');
    hosts.push(server['OS-EXT-SRV-ATTR:host']);
  }
  t.not(hosts[0], hosts[1]);
  const shown = await osc<{ members: string[] | string }>('server', 'group', 'show', 'spread');
  t.is((Array.isArray(shown.members) ? shown.members : shown.members.split(',')).length, 2);
});

test.serial('openstack - quota show and set, and limits show follows', async (t) => {
  const quota = await osc('quota', 'show');
  t.is(quota['instances'], 10);
  await oscQuiet('quota', 'set', '--instances', '40', '--cores', '80', '--ram', '204800', 'admin');
  t.like(await osc('quota', 'show', 'admin'), { instances: 40, cores: 80, ram: 204800 });
  const limits = await osc<{ Name: string; Value: number }[]>('limits', 'show', '--absolute');
  t.is(limits.find((l) => l.Name === 'maxTotalInstances')?.Value, 40);
  t.is(limits.find((l) => l.Name === 'totalInstancesUsed')?.Value, 2);
});

test.serial('openstack - host list and show, quota show --class, extension list --compute', async (t) => {
  type HostRow = { 'Host Name': string; Service: string; Zone: string };
  const hosts = (await osc<HostRow[]>('host', 'list')).filter((h) => h.Service === 'compute');
  t.true(hosts.some((h) => h['Host Name'] === 'cell1-host-1' && h.Zone === 'nova'));
  t.false(hosts.some((h) => h['Host Name'] === 'cell2-host-3'), 'a disabled service is left out');
  t.deepEqual(await osc<HostRow[]>('host', 'list', '--zone', 'az-east'), [{ 'Host Name': 'cell1-host-3', Service: 'compute', Zone: 'az-east' }]);
  const shown = await osc<{ Project: string }[]>('host', 'show', 'cell1-host-1');
  t.deepEqual(shown.slice(0, 3).map((r) => r.Project), ['(total)', '(used_now)', '(used_max)']);
  // This client looks the class name up as a project first (a client bug): ask for a class named as a project is.
  const quotaClass = await osc('quota', 'show', '--class', 'admin');
  t.like(quotaClass, { instances: 10, cores: 20 });
  const extensions = await osc<{ Alias: string }[]>('extension', 'list', '--compute');
  t.true(extensions.some((e) => e.Alias === 'os-hosts'));
});

test.serial('openstacksdk - a script boots 20 servers, waits for them and deletes them', async (t) => {
  const res = await run(PYTHON, [join(repoRoot, 'ops/clients/boot_many.py'), '20'], 300_000);
  t.is(res.code, 0, res.stderr);
  const report = JSON.parse(res.stdout) as { created: number; active: number; listed: number; left_after_delete: number; hosts: string[] };
  t.like(report, { created: 20, active: 20, listed: 20, left_after_delete: 0 });
  t.true(report.hosts.length > 1, 'spread over hosts');
});
