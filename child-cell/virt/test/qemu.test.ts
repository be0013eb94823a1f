import test from 'ava';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLogger } from '../../../ops/runtime/index.js';
import { TestDeployment, waitFor } from '../../../ops/testing/index.js';
import type { HostPool } from '../../compute/pool.js';
import type { VirtDriver } from '../index.js';
import { qemuDrivers } from '../qemu/index.js';

// One real guest, booted through the REST API on a QEMU host: the project's own guest image
// (ops/bin/guest-image), the smallest flavor it boots with. Under TCG a boot takes ~15 s here.
const root = resolve(import.meta.dirname, '../../../..');
const stateDir = mkdtempSync(join(tmpdir(), 'cellstack-qemu-test-'));
const admin = { roles: 'admin' };
const bootTimeout = 150_000;

/** QEMU processes whose command line names this test's folder. */
function qemuProcesses(): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
        return cmd.includes('qemu-system') && cmd.includes(stateDir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The cgroup the driver makes for this test's host (named by a hash of the host's folder). */
const hostCgroupName = `cellstack-qemu-${createHash('sha1').update(join(stateDir, 'hosts', 'qemu-1')).digest('hex').slice(0, 12)}`;

const tryRmdir = (dir: string): boolean => {
  try {
    rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
};

/**
 * QEMU and the guest image (ops/bin/test installs them first; this only finds them). The tests are
 * skipped, saying why, only when qemu-system-x86_64 cannot run here at all.
 */
function prepare(): { imagePath: string } | { skip: string } {
  try {
    return { imagePath: execFileSync(join(root, 'ops/bin/ensure-qemu'), { encoding: 'utf8' }).trim().split('\n').pop() ?? '' };
  } catch (err) {
    try {
      execFileSync('qemu-system-x86_64', ['--version'], { stdio: 'ignore' });
    } catch {
      return { skip: `qemu-system-x86_64 cannot run here and ops/bin/ensure-qemu could not install it: ${(err as Error).message}` };
    }
    throw err;
  }
}
const prepared = prepare();
const imagePath = 'imagePath' in prepared ? prepared.imagePath : '';
const serial = 'skip' in prepared ? test.serial.skip : test.serial;
if ('skip' in prepared) console.warn(`qemu tests skipped: ${prepared.skip}`);

let d: TestDeployment;
let pool: HostPool;
let drivers: (host: string) => VirtDriver;
let image = '';
let server = '';
test.before(async () => {
  if (!imagePath) return;
  d = await TestDeployment.start({
    cells: [{ name: 'cell1', pools: [] }],
    config: { api: { max_image_bytes: 12 * 1024 * 1024 }, qemu: { state_dir: stateDir, shutdown_timeout: 60 } },
  });
  await d.quota('p1', { instances: -1, cores: -1, ram: -1 });
  await d.flavor('q1', 1, 128, 1);
  const created = await d.request<{ id: string }>('POST', '/image/v2/images', { name: 'cellstack-guest', disk_format: 'qcow2', container_format: 'bare', visibility: 'public' }, admin);
  image = created.body.id;
  const upload = await fetch(`${d.apiUrl}/image/v2/images/${image}/file`, {
    method: 'PUT',
    headers: { 'x-user-id': 'admin', 'x-project-id': 'p1', 'x-roles': 'admin', 'content-type': 'application/octet-stream' },
    body: readFileSync(imagePath),
  });
  if (upload.status !== 204) throw new Error(`image upload answered ${upload.status}: ${await upload.text()}`);
  const config = { ...d.config, qemu: { ...d.config.qemu, image_url: `${d.apiUrl}/image` } };
  drivers = qemuDrivers(config, createLogger('qemu-test', process.env['CELLSTACK_TEST_LOG'] ?? 'silent'));
  pool = await d.addPool('cell1', { prefix: 'qemu', hosts: 1, driverFor: drivers });
  await d.discover();
  await d.schedulerKnows(1);
});
test.after.always(async () => {
  for (const pid of qemuProcesses()) process.kill(pid, 'SIGKILL');
  await d?.stop();
  rmSync(stateDir, { recursive: true, force: true });
  for (const root of ['/sys/fs/cgroup/pids', '/sys/fs/cgroup/unified', '/sys/fs/cgroup']) {
    // Left when a test failed before the delete; best effort, the processes in it were just killed.
    if (existsSync(join(root, hostCgroupName))) await waitFor(async () => tryRmdir(join(root, hostCgroupName)), 5000, 'the test cgroup to empty').catch(() => undefined);
  }
});

const act = (body: unknown) => d.request('POST', `/v2.1/servers/${server}/action`, body, admin);
const consoleLog = async (): Promise<string> => {
  const res = await act({ 'os-getConsoleOutput': { length: null } });
  return res.status === 200 ? String((res.body as { output?: string }).output ?? '') : '';
};
/** Waits until the console shows the guest's boot line `times` times in all. */
const booted = (times: number, what: string) =>
  waitFor(async () => ((await consoleLog()).match(/cellstack-guest: booted/g) ?? []).length >= times, bootTimeout, what);

serial('qemu - a server boots a real guest whose serial console reaches the API', async (t) => {
  const res = await d.boot({ name: 'real', flavorRef: 'q1', imageRef: image });
  t.is(res.status, 202);
  server = res.body.server.id;
  const shown = await d.waitForStatus(server, ['ACTIVE', 'ERROR'], 60_000);
  t.is(shown['status'], 'ACTIVE', JSON.stringify(shown['fault'] ?? {}));
  t.is(qemuProcesses().length, 1, 'one QEMU process runs the guest');
  await booted(1, 'the guest to print its boot line');
  t.regex(await consoleLog(), /cellstack-guest: booted, kernel 6\.\S+-amd64, 1 CPU\(s\)/);
});

serial('qemu - stop powers the guest off through ACPI and start boots it again', async (t) => {
  t.is((await act({ 'os-stop': null })).status, 202);
  await d.settle(server, 'SHUTOFF', 90_000);
  t.deepEqual(qemuProcesses(), [], 'a stopped guest has no QEMU process');
  t.regex(await consoleLog(), /cellstack-guest: powering off/, 'the guest itself shut down');
  t.is((await act({ 'os-start': null })).status, 202);
  await d.settle(server, 'ACTIVE', 60_000);
  t.is(qemuProcesses().length, 1);
  await booted(2, 'the guest to boot again after start');
});

serial('qemu - a soft reboot powers the guest off and on, a hard one resets it; diagnostics come from QEMU', async (t) => {
  t.is((await act({ reboot: { type: 'SOFT' } })).status, 202);
  await d.settle(server, 'ACTIVE', 90_000);
  await booted(3, 'the guest to boot again after the soft reboot');
  t.is((await consoleLog()).match(/cellstack-guest: powering off/g)?.length, 2, 'the soft reboot was a clean power off');
  t.is((await act({ reboot: { type: 'HARD' } })).status, 202);
  await d.settle(server, 'ACTIVE', 60_000);
  await booted(4, 'the guest to boot again after the hard reboot');
  const diag = await d.request<Record<string, number>>('GET', `/v2.1/servers/${server}/diagnostics`, undefined, admin);
  t.is(diag.status, 200);
  t.true(diag.body['cpu0_time']! > 0, 'the vCPU thread has used CPU time');
  t.true(diag.body['vda_read']! > 1024 * 1024, 'the guest read its kernel from its disk');
});

serial('qemu - a restarted pool finds the running QEMU again and drives it: pause, unpause', async (t) => {
  const [pid] = qemuProcesses();
  await d.stopPool('cell1', pool, false); // As a killed pool process: no goodbye.
  pool = await d.addPool('cell1', { prefix: 'qemu', hosts: 1, driverFor: drivers });
  t.deepEqual(qemuProcesses(), [pid!], 'the same QEMU process, taken back');
  t.is(pool.hosts[0]?.guests().length, 1);
  t.is((await act({ pause: null })).status, 202);
  await d.settle(server, 'PAUSED', 30_000);
  t.is((await act({ unpause: null })).status, 202);
  await d.settle(server, 'ACTIVE', 30_000);
  t.regex(await consoleLog(), /cellstack-guest: booted/, 'the console is still read after the restart');
});

serial('qemu - suspend saves the guest to disk and ends QEMU; resume goes on from there without a boot', async (t) => {
  t.is((await act({ suspend: null })).status, 202);
  await d.settle(server, 'SUSPENDED', 60_000);
  t.deepEqual(qemuProcesses(), [], 'a suspended guest has no process');
  const boots = ((await consoleLog()).match(/cellstack-guest: booted/g) ?? []).length;
  t.is((await act({ resume: null })).status, 202);
  await d.settle(server, 'ACTIVE', 60_000);
  t.is(qemuProcesses().length, 1);
  t.is(((await consoleLog()).match(/cellstack-guest: booted/g) ?? []).length, boots, 'resumed, not booted again');
});

serial('qemu - trigger_crash_dump sends the guest an NMI: its kernel panics on it and the guest boots again', async (t) => {
  const boots = ((await consoleLog()).match(/cellstack-guest: booted/g) ?? []).length;
  t.is((await d.request('POST', `/v2.1/servers/${server}/action`, { trigger_crash_dump: null }, admin, { 'openstack-api-version': 'compute 2.17' })).status, 202);
  await waitFor(async () => /Kernel panic - not syncing: NMI/.test(await consoleLog()), 60_000, 'the guest kernel to panic on the NMI');
  // panic=1: the guest restarts itself; what comes next (shelve) needs it up to power off cleanly.
  await booted(boots + 1, 'the guest to boot again after its panic');
  t.pass();
});

serial('qemu - createImage stores the flattened disk in the image service from the host, and a server boots from it', async (t) => {
  const res = await d.request<{ image_id: string }>('POST', `/v2.1/servers/${server}/action`, { createImage: { name: 'snap' } }, admin, { 'openstack-api-version': 'compute 2.45' });
  t.is(res.status, 202);
  const snapshot = res.body.image_id;
  let shown: Record<string, unknown> = {};
  await waitFor(async () => {
    shown = (await d.request('GET', `/image/v2/images/${snapshot}`, undefined, admin)).body;
    return shown['status'] === 'active';
  }, 60_000, 'the snapshot to be active');
  t.true(Number(shown['size']) > 5 * 1024 * 1024, `a whole disk, not a stand-in (${String(shown['size'])} bytes)`);
  const copy = (await d.boot({ name: 'from-snapshot', flavorRef: 'q1', imageRef: snapshot })).body.server.id;
  t.is((await d.waitForStatus(copy, ['ACTIVE', 'ERROR'], 60_000))['status'], 'ACTIVE');
  const copyConsole = async () => String((await d.request<{ output?: string }>('POST', `/v2.1/servers/${copy}/action`, { 'os-getConsoleOutput': {} }, admin)).body.output ?? '');
  await waitFor(async () => /cellstack-guest: booted/.test(await copyConsole()), bootTimeout, 'the server made from the snapshot to boot');
  t.is((await d.request('DELETE', `/v2.1/servers/${copy}`, undefined, admin)).status, 204);
  await d.waitForStatus(copy, ['DELETED'], 30_000);
});

serial('qemu - shelve stores the disk from the host and offloads the guest; unshelve starts it from the shelved image', async (t) => {
  t.is((await act({ shelve: null })).status, 202);
  await d.settle(server, 'SHELVED_OFFLOADED', 90_000);
  t.deepEqual(qemuProcesses(), [], 'an offloaded guest has no process');
  t.is((await act({ unshelve: null })).status, 202);
  await d.settle(server, 'ACTIVE', 60_000);
  t.is(qemuProcesses().length, 1);
  const disk = join(stateDir, 'hosts', 'qemu-1', server, 'disk.qcow2');
  const info = JSON.parse(execFileSync('qemu-img', ['info', '-U', '--output=json', disk], { encoding: 'utf8' })) as { 'backing-filename'?: string };
  const base = info['backing-filename']?.split('/').pop() ?? '';
  t.not(base, image, 'the guest runs on its shelved disk, not on the image it was built from');
  t.regex(base, /^[0-9a-f-]{36}$/, 'its base is another image (the shelved one, deleted once unshelved)');
});

serial('qemu - delete ends the QEMU process and removes the guest folder', async (t) => {
  t.is((await d.request('DELETE', `/v2.1/servers/${server}`, undefined, admin)).status, 204);
  await d.waitForStatus(server, ['DELETED'], 30_000);
  await waitFor(async () => qemuProcesses().length === 0, 15_000, 'the QEMU process to end');
  const hostDir = join(stateDir, 'hosts', 'qemu-1');
  t.deepEqual(readdirSync(hostDir), [], 'no overlay, socket or console log is left');
  const cgroups = ['/sys/fs/cgroup/pids', '/sys/fs/cgroup/unified', '/sys/fs/cgroup'].map((root) => join(root, hostCgroupName));
  t.deepEqual(cgroups.filter((dir) => existsSync(dir)), [], 'no cgroup of this host is left');
});
