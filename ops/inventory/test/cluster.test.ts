import { execFileSync, spawn } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { stringify } from 'yaml';
import { defaultOptions } from '../../launcher/layout.js';
import { openDatabase, select } from '../../runtime-db/index.js';
import { repoRoot, runNode, waitFor } from '../../testing/index.js';
import { loadInventory, planInventory, readState, removeMachines } from '../index.js';

/*
 * A two-cell deployment from an inventory over five namespace machines: HAProxy and a small cell
 * on one, two API processes, the rest of the API cell on one of those, a cell whose bus is a
 * 3-member NATS cluster and whose database a 3-node Galera cluster over the other three, Redis
 * with a replica and three Sentinels; HTTPS and NATS over TLS with the deployment's own CA.
 * One NATS member is killed, then the Redis master, then the Galera node every client uses,
 * then an API process; boots go on.
 */
const dir = mkdtempSync(join(tmpdir(), 'cellstack-inventory-'));
const stateDir = join(dir, 'state');
const file = join(dir, 'inventory.yaml');
writeFileSync(
  file,
  stringify({
    name: 'cst',
    machines: { lb: {}, api: {}, n1: {}, n2: {}, n3: {} },
    api: { machines: ['api', 'n3'] },
    load_balancer: { machine: 'lb' },
    tls: true,
    super_conductors: ['api'],
    api_database: ['api'],
    redis: { machines: ['api', 'n1'], sentinels: ['api', 'n2', 'n3'], down_after_ms: 1000 },
    cells: [
      { name: 'cell1', nats: ['n1', 'n2', 'n3'], database: ['n1', 'n2', 'n3'], conductors: ['n1', 'n2'], compute: [{ machine: 'n2', hosts: 4 }, { machine: 'n3', hosts: 4 }] },
      // A small second cell: 2 hosts against cell1's 8, so most boots still land in cell1.
      { name: 'cell2', nats: ['lb'], database: ['lb'], conductors: ['lb'], compute: [{ machine: 'lb', hosts: 2 }] },
    ],
  }),
);

/** The OS_* variables of admin-openrc, less OS_CACERT. */
function openrcWithoutCa(file: string): Record<string, string> {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('export ') && !l.startsWith('export OS_CACERT'));
  return Object.fromEntries(lines.map((l) => {
    const [key = '', ...value] = l.slice('export '.length).split('=');
    return [key, value.join('=').replace(/^'|'$/g, '')];
  }));
}

const namespaces = (): string[] => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0] ?? '').filter(Boolean);

test.after.always(async () => {
  await runNode('ops/launcher/main.js', ['down', '--state-dir', stateDir], {}, 120_000);
  // Whatever down could not remove (it failed half-way) goes here: the machines are only this test's.
  const network = readState(stateDir)?.network;
  if (network) await removeMachines(network);
  rmSync(dir, { recursive: true, force: true });
});

interface Client {
  projectId: string;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
}

/** One HTTPS request to the balancer, trusting only the deployment's CA (as clouds.yaml's cacert does). */
function httpsCall(url: string, ca: string, method: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  return new Promise((done, fail) => {
    const req = httpsRequest(url, { method, ca, headers: { 'content-type': 'application/json', ...headers }, timeout: 30_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, text, headers: res.headers }));
    });
    req.once('error', fail);
    req.once('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function login(apiUrl: string, caFile: string): Promise<Client> {
  const ca = readFileSync(caFile, 'utf8');
  const { adminPassword } = JSON.parse(readFileSync(join(stateDir, 'deployment.json'), 'utf8')) as { adminPassword: string };
  const auth = {
    identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password: adminPassword } } },
    scope: { project: { name: 'admin', domain: { id: 'default' } } },
  };
  const res = await httpsCall(`${apiUrl}/identity/v3/auth/tokens`, ca, 'POST', {}, { auth });
  const subject = res.headers['x-subject-token'];
  const token = Array.isArray(subject) ? (subject[0] ?? '') : (subject ?? '');
  if (res.status !== 201 || !token) throw new Error(`login failed: ${res.status} ${res.text}`);
  const projectId = String((JSON.parse(res.text) as { token: { project: { id: string } } }).token.project.id);
  return {
    projectId,
    async call(method, path, body) {
      const answer = await httpsCall(`${apiUrl}${path}`, ca, method, { 'x-auth-token': token, 'x-openstack-nova-api-version': '2.60' }, body);
      return { status: answer.status, body: (answer.text ? JSON.parse(answer.text) : {}) as Record<string, unknown> };
    },
  };
}

/** Every server the API accepted through bootMany, over all the drills. */
const accepted: string[] = [];

async function bootMany(api: Client, image: string, count: number, name: string): Promise<string[]> {
  const posted = await Promise.all(
    Array.from({ length: count }, (_, i) => api.call('POST', '/v2.1/servers', { server: { name: `${name}-${i}`, flavorRef: '1', imageRef: image, networks: 'none' } })),
  );
  const ids = posted.map((p) => {
    if (p.status !== 202) throw new Error(`POST /servers answered ${p.status}: ${JSON.stringify(p.body)}`);
    return String((p.body['server'] as { id: string }).id);
  });
  accepted.push(...ids);
  return ids;
}

async function settled(api: Client, ids: string[]): Promise<Record<string, unknown>[]> {
  let servers: Record<string, unknown>[] = [];
  await waitFor(
    async () => {
      const res = await api.call('GET', '/v2.1/servers/detail?all_tenants=1');
      servers = ((res.body['servers'] ?? []) as Record<string, unknown>[]).filter((s) => ids.includes(String(s['id'])));
      return servers.length === ids.length && servers.every((s) => s['status'] !== 'BUILD' && s['OS-EXT-STS:task_state'] === null);
    },
    90_000,
    `${ids.length} servers to settle`,
  );
  return servers;
}

const inCell1 = (server: Record<string, unknown>): boolean => String(server['OS-EXT-SRV-ATTR:host']).startsWith('cell1-');

/** What a conductor's /metrics says it handled, over every method. */
async function handled(metricsListen: string): Promise<number> {
  const text = await (await fetch(`http://${metricsListen}/metrics`)).text();
  return [...text.matchAll(/^cellstack_conductor_messages_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

interface Deployment {
  plan: ReturnType<typeof planInventory>;
  network: NonNullable<ReturnType<typeof readState>>['network'];
  api: Client;
  image: string;
}
let deployment: Deployment | undefined;
const running = (): Deployment => {
  if (!deployment) throw new Error('the deployment did not come up');
  return deployment;
};

test.before(async () => {
  // What ops/bin/deploy runs first for an inventory: Galera, mariadb-backup, HAProxy from Debian when missing.
  execFileSync(join(repoRoot, 'ops/bin/ensure-inventory-packages'), { stdio: 'inherit', timeout: 600_000 });
  const up = await runNode('ops/launcher/main.js', ['up', '--inventory', file, '--state-dir', stateDir], {}, 240_000);
  if (up.code !== 0) throw new Error(`deploy up failed:\n${up.stdout}\n${up.stderr}`);
  const { inv, options, state } = loadInventory(file, defaultOptions(repoRoot), { stateDir });
  const plan = planInventory(inv, options, state, repoRoot, '/usr/sbin/nats-server');
  const api = await login(plan.layout.apiUrl, plan.layout.caFile ?? '');
  const images = await api.call('GET', '/image/v2/images');
  const image = String(((images.body['images'] as { id: string }[])[0])?.id);
  await api.call('PUT', `/v2.1/os-quota-sets/${api.projectId}`, { quota_set: { instances: -1, cores: -1, ram: -1 } });
  deployment = { plan, network: state.network, api, image };
});

const kill = async (pidFile: string): Promise<void> => {
  const pid = Number(readFileSync(join(stateDir, 'run', pidFile), 'utf8'));
  process.kill(pid, 'SIGKILL');
  await waitFor(async () => execFileSync('ps', ['-o', 'pid=', '-p', String(pid)], { encoding: 'utf8' }).trim() === '', 10_000, `${pidFile} to die`).catch(() => undefined);
};

test.serial('inventory - every machine is a namespace; the cell is given every member of its NATS cluster, over TLS; cellctl works against it', async (t) => {
  const { plan } = running();
  t.is(plan.machines.length, 5);
  t.is(plan.layout.cells.length, 2);
  t.is(plan.layout.apiUrl, `https://${plan.balancer?.endpoint.address ?? '-'}:8774`, 'clients use the balancer, over HTTPS');
  t.true(plan.machines.every((m) => m.namespace !== undefined && namespaces().includes(m.namespace)), 'every machine is a namespace');
  t.regex(plan.layout.cells[0]?.transportUrl ?? '', /^tls:\/\/[\d.]+:4222,[\d.]+:4222,[\d.]+:4222$/, 'every member, over TLS');
  t.regex(plan.layout.options.redisUrl, /^redis\+sentinel:\/\/[\d.]+:26379,[\d.]+:26379,[\d.]+:26379\/cst\/0$/);
  const status = await runNode('ops/cellctl/main.js', ['status'], { CELLSTACK_CONFIG: plan.layout.configFile, NODE_EXTRA_CA_CERTS: plan.layout.caFile ?? '' });
  t.is(status.code, 0, `cellctl status against the deployment:\n${status.stdout}${status.stderr}`);
  // The buses and the API check their certificates: a client without the CA is refused.
  const untrusting = await runNode('ops/cellctl/main.js', ['status'], { CELLSTACK_CONFIG: plan.layout.configFile });
  t.regex(untrusting.stdout, /FAIL {2}cell cell1 bus: .*unable to verify the first certificate/);
});

test.serial('inventory - the openstack CLI boots through HAProxy over HTTPS, trusting the deployment CA from clouds.yaml', async (t) => {
  const { plan } = running();
  const env = { ...process.env, OS_CLIENT_CONFIG_FILE: plan.layout.cloudsFile, OS_CLOUD: 'cellstack' };
  const cli = (args: string[]): string => execFileSync('openstack', args, { env, encoding: 'utf8', timeout: 120_000 });
  const created = cli(['server', 'create', '--flavor', 'm1.tiny', '--image', 'cirros-0.6.2-x86_64-disk', '--nic', 'none', '--wait', 'cli-vm', '-f', 'value', '-c', 'status']);
  t.is(created.trim(), 'ACTIVE');
  // Without the CA the same call is refused: the certificate is checked, not just present.
  const { status } = await new Promise<{ status: number | null }>((done) => {
    const child = spawn('openstack', ['server', 'list'], { env: { ...env, OS_CLIENT_CONFIG_FILE: '', OS_CLOUD: '', ...openrcWithoutCa(plan.layout.openrcFile) }, stdio: 'ignore' });
    child.once('exit', (code) => done({ status: code }));
  });
  t.not(status, 0);
});

test.serial('inventory - a cell on a 3-member NATS cluster keeps booting when a member dies, its conductors still sharing the work', async (t) => {
  const { plan, api, image } = running();
  const before = await bootMany(api, image, 4, 'before');
  t.true((await settled(api, before)).every((s) => s['status'] === 'ACTIVE'));
  await kill('cell1-nats-n1.pid');
  // The conductors of the cell whose member died (the other cell's get work only when a boot lands there).
  const conductors = plan.cellProcesses(new Map()).filter((p) => p.spec.name.startsWith('cell1-conductor-')).map((p) => p.spec.env?.['CELLSTACK_METRICS_LISTEN'] ?? '');
  const handledBefore = await Promise.all(conductors.map(handled));
  const after = await bootMany(api, image, 10, 'after');
  const servers = await settled(api, after);
  t.deepEqual(servers.map((s) => s['status']), after.map(() => 'ACTIVE'), 'every boot after the member died is ACTIVE');
  t.true(servers.some(inCell1), 'some of them in the cell whose member died');
  const handledAfter = await Promise.all(conductors.map(handled));
  t.true(handledAfter.every((n, i) => n > (handledBefore[i] ?? 0)), `both conductors still take the cell's work (${handledBefore.join(',')} -> ${handledAfter.join(',')})`);
  const again = await runNode('ops/cellctl/main.js', ['status'], { CELLSTACK_CONFIG: plan.layout.configFile, NODE_EXTRA_CA_CERTS: plan.layout.caFile ?? '' });
  t.regex(again.stdout, /PASS {2}cell cell1 bus: reachable/, 'the bus answers through the members left');
});

test.serial('inventory - when the Redis master dies, Sentinel fails over to the replica and boots go on', async (t) => {
  const { plan, api, image } = running();
  const replica = plan.redis.find((r) => r.follows !== undefined)?.endpoint;
  const sentinel = plan.redis.find((r) => r.watches !== undefined)?.endpoint;
  if (!replica || !sentinel) throw new Error('the plan has no replica or sentinel');
  await kill('redis-api.server.pid');
  const during = await bootMany(api, image, 2, 'during');
  const { Redis } = await import('ioredis');
  const ask = new Redis({ host: sentinel.address, port: sentinel.port, lazyConnect: true });
  try {
    await waitFor(async () => ((await ask.call('SENTINEL', 'get-master-addr-by-name', 'cst')) as string[])[0] === replica.address, 60_000, 'Sentinel to make the replica the master');
  } finally {
    ask.disconnect();
  }
  const after = await bootMany(api, image, 4, 'failover');
  const servers = await settled(api, [...during, ...after]);
  t.deepEqual(servers.map((s) => s['status']), [...during, ...after].map(() => 'ACTIVE'), 'boots posted while the master was dying and after the failover are ACTIVE');
});

test.serial('inventory - when the Galera node the cell writes through dies, clients move to another member and boots go on', async (t) => {
  const { plan, api, image } = running();
  const url = plan.layout.cells[0]?.databaseUrl ?? '';
  t.regex(url, /^mysql:\/\/cellstack:[^@]+@[\d.]+:3306,[\d.]+:3306,[\d.]+:3306\/cst_cell1$/, 'the cell mapping names every member');
  const before = await bootMany(api, image, 2, 'galera-before');
  t.true((await settled(api, before)).every((s) => s['status'] === 'ACTIVE'));
  await kill('cell1-db-n1.pid');
  const after = await bootMany(api, image, 6, 'galera-after');
  const servers = await settled(api, after);
  t.deepEqual(servers.map((s) => s['status']), after.map(() => 'ACTIVE'), 'boots after the node died are ACTIVE');
  t.true(servers.some(inCell1), 'some of them in the cell whose node died');
  // The two members left still form the primary component, and hold every server.
  const left = openDatabase(url.replace(/@[\d.]+:3306,/, '@'), { poolMax: 1 });
  try {
    const size = await select<{ Value: string }>({ sequelize: left }, "SHOW STATUS LIKE 'wsrep_cluster_size'");
    t.is(size[0]?.Value, '2');
    const rows = await select<{ n: number }>({ sequelize: left }, 'SELECT COUNT(*) AS n FROM instances WHERE deleted = 0');
    const everyCell1Server = (await api.call('GET', '/v2.1/servers/detail?all_tenants=1')).body['servers'] as Record<string, unknown>[];
    t.is(Number(rows[0]?.n), everyCell1Server.filter(inCell1).length, 'the nodes left hold every server of the cell');
  } finally {
    await left.close();
  }
});

test.serial('inventory - when an API process dies, HAProxy sends requests to the other and boots go on', async (t) => {
  const { api, image } = running();
  await kill('api-api.pid');
  const after = await bootMany(api, image, 4, 'haproxy');
  const servers = await settled(api, after);
  t.deepEqual(servers.map((s) => s['status']), after.map(() => 'ACTIVE'));
});

test.serial('inventory - after every drill nothing accepted is lost or stuck: each server ACTIVE once, no build request left', async (t) => {
  const { plan, api } = running();
  const servers = await settled(api, accepted);
  t.is(new Set(servers.map((s) => s['id'])).size, accepted.length, 'each accepted server is listed once');
  t.deepEqual(servers.filter((s) => s['status'] !== 'ACTIVE').map((s) => s['id']), []);
  const db = openDatabase(plan.layout.apiDatabaseUrl, { poolMax: 1 });
  try {
    const left = await select<{ n: number }>({ sequelize: db }, 'SELECT COUNT(*) AS n FROM build_requests');
    t.is(Number(left[0]?.n), 0);
  } finally {
    await db.close();
  }
});

test.serial('inventory - down stops every process and removes the namespaces and the bridge', async (t) => {
  const { plan, network } = running();
  const down = await runNode('ops/launcher/main.js', ['down', '--state-dir', stateDir], {}, 120_000);
  t.is(down.code, 0, down.stderr);
  t.false(plan.machines.some((m) => namespaces().includes(m.namespace ?? '')), 'down removes every namespace');
  t.false(execFileSync('ip', ['-br', 'link'], { encoding: 'utf8' }).includes(network?.bridge ?? '-'), 'and the bridge');
  t.is(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(stateDir)).length, 0, 'no process of the deployment is left');
});
