import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { passwordToken } from '../../loadtest/client.js';
import { openDatabase, select } from '../../runtime-db/index.js';
import { dbServer, freePortRange, portOpen, redisUrl, runNode, TestDatabases } from '../../testing/index.js';

const dbs = new TestDatabases();
test.after.always(() => dbs.drop());

/** Running, as opposed to gone or a zombie (an orphan whose exit nobody collected yet). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Boots a server through a launched API as its admin (default flavor and image) and waits for it to settle. */
async function bootThrough(api: string, password: string): Promise<Record<string, unknown>> {
  const { token } = await passwordToken(api, 'admin', password, 'admin');
  const headers = { 'x-auth-token': token, 'content-type': 'application/json' };
  const created = await fetch(`${api}/v2.1/servers`, { method: 'POST', headers, body: JSON.stringify({ server: { name: 'first', flavorRef: '1', imageRef: await imageId(), networks: 'none' } }) });
  const { server } = (await created.json()) as { server: { id: string } };
  for (let i = 0; i < 200; i += 1) {
    const res = await fetch(`${api}/v2.1/servers/${server.id}`, { headers });
    const body = (await res.json()) as { server: Record<string, unknown> };
    if (body.server['status'] === 'ACTIVE' || body.server['status'] === 'ERROR') return body.server;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error('the server never settled');
}

let imageId: () => Promise<string> = () => Promise.reject(new Error('no image'));

test('launcher - up brings cells, databases and processes up; a second up restarts only what runs older code; down leaves nothing', async (t) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'cellstack-launch-'));
  imageId = async () => {
    const db = openDatabase(`${dbServer}/${dbs.prefix}_dep_api`, { poolMax: 1 });
    try {
      const rows = await select<{ uuid: string }>({ sequelize: db }, 'SELECT uuid FROM images LIMIT 1');
      return rows[0]?.uuid ?? '';
    } finally {
      await db.close();
    }
  };
  // The API, two cells' NATS, seven /metrics ports and the dashboard, all consecutive.
  const apiPort = await freePortRange(11);
  const natsPort = apiPort + 1;
  const metricsPort = apiPort + 3;
  const dashboardPort = apiPort + 10;
  // 2 conductors, 2 compute pools, a super-conductor, the API and the dashboard: seven metrics ports.
  const ports = [apiPort, natsPort, natsPort + 1, ...[0, 1, 2, 3, 4, 5, 6].map((i) => metricsPort + i), dashboardPort];
  const args = ['--state-dir', stateDir];
  const upArgs = [
    ...args, '--cells', '2', '--db-server', dbServer, '--db-prefix', `${dbs.prefix}_dep`, '--redis-url', redisUrl,
    '--api-port', String(apiPort), '--nats-port', String(natsPort), '--metrics-port', String(metricsPort),
    '--dashboard-port', String(dashboardPort), '--hosts-per-cell', '2',
  ];
  try {
    const first = await runNode('ops/launcher/main.js', ['up', ...upArgs], {}, 120_000);
    t.is(first.code, 0, first.stderr + first.stdout);
    t.regex(first.stdout, /cellstack is up with 2 cells/);
    t.regex(first.stdout, new RegExp(`Compute API: +http://127.0.0.1:${apiPort}/v2.1`));
    t.regex(first.stdout, new RegExp(`dashboard: +http://127.0.0.1:${dashboardPort}/dashboard`));
    for (const port of ports) t.true(await portOpen(port), `port ${port} listens`);

    const status = await runNode('ops/cellctl/main.js', ['--config', join(stateDir, 'cellstack.yaml'), 'status']);
    t.is(status.code, 0, status.stdout);
    t.regex(status.stdout, /PASS  compute hosts: 4 found, all mapped/);

    const saved = JSON.parse(readFileSync(join(stateDir, 'deployment.json'), 'utf8')) as { adminPassword: string };
    t.regex(first.stdout, new RegExp(`its password is ${saved.adminPassword.replace(/[-]/g, '\\-')}`), 'the admin password is printed once');
    const anonymous = await fetch(`http://127.0.0.1:${apiPort}/v2.1/servers/x`);
    t.is(anonymous.status, 401, 'the deployment asks for a token');
    const server = await bootThrough(`http://127.0.0.1:${apiPort}`, saved.adminPassword);
    t.is(server['status'], 'ACTIVE', JSON.stringify(server));

    // As if the super-conductor had been started before the code was rebuilt.
    writeFileSync(join(stateDir, 'run', 'super-conductor-1.build'), 'an-older-build\n');
    const second = await runNode('ops/launcher/main.js', ['up', ...args], {}, 120_000);
    t.is(second.code, 0, second.stderr);
    t.regex(second.stdout, /already running: cell1-nats, cell2-nats, cell1-conductor, cell2-conductor, cell1-compute, cell2-compute, api, dashboard\n/);
    t.regex(second.stdout, /restarted super-conductor-1 \(pid \d+\): the code changed since it started/);
    t.notRegex(second.stdout, /^started /m);
    t.is((await bootThrough(`http://127.0.0.1:${apiPort}`, saved.adminPassword))['status'], 'ACTIVE', 'the restarted super-conductor builds');
    t.notRegex(second.stdout, /password/, 'and only once');

    // Another checkout's deployment on the same database server made the admin with its own password.
    const other = { ...saved, adminPassword: 'another-checkouts-password' };
    writeFileSync(join(stateDir, 'deployment.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(stateDir, 'deployment.json'), 'utf8')), ...other }));
    const third = await runNode('ops/launcher/main.js', ['up', ...args], {}, 120_000);
    t.is(third.code, 0, third.stderr);
    t.regex(third.stdout, /the admin user existed with another password; set it to this deployment's/);
    t.is((await bootThrough(`http://127.0.0.1:${apiPort}`, other.adminPassword))['status'], 'ACTIVE', "the clouds.yaml password works");
  } finally {
    const pids = readdirSync(join(stateDir, 'run'))
      .filter((f) => f.endsWith('.pid'))
      .map((f) => Number(readFileSync(join(stateDir, 'run', f), 'utf8')));
    const down = await runNode('ops/launcher/main.js', ['down', ...args], {}, 60_000);
    t.is(down.code, 0, down.stderr);
    t.regex(down.stdout, /stopped api/);
    t.deepEqual(pids.filter(alive), [], 'no process is left');
    for (const port of ports) t.false(await portOpen(port), `port ${port} is free again`);
    t.false(existsSync(join(stateDir, 'run', 'api.pid')));
  }
});
