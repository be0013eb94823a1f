import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import test from 'ava';
import { QueryTypes } from 'sequelize';
import { openDatabase } from '../../runtime-db/index.js';
import { freePort, redisUrl, repoRoot, runNode, TestDatabases, TestNats, waitFor } from '../../testing/index.js';

// Each test gets its own API database (and cells), so they run side by side.
const dbs = new TestDatabases();
const natsA = new TestNats();
const natsB = new TestNats();

test.before(async () => {
  await Promise.all([natsA.start(), natsB.start()]);
});

test.after.always(async () => {
  await Promise.all([natsA.stop(), natsB.stop()]);
  await dbs.drop();
});

/** The Compute API each test's deployment has running, if any (host:port); others point at a closed port. */
const apiListen = new Map<string, string>();

function cellctl(api: string, ...args: string[]) {
  return runNode('ops/cellctl/main.js', args, {
    CELLSTACK_DATABASE_API_URL: dbs.url(api),
    CELLSTACK_VOLUME_DATABASE_URL: dbs.url(`${api}_volume`),
    CELLSTACK_REDIS_URL: redisUrl,
    CELLSTACK_CELLS_SCATTER_TIMEOUT_MS: '3000',
    CELLSTACK_API_LISTEN: apiListen.get(api) ?? '127.0.0.1:1',
  });
}

/** A real API process (a primary with two workers) on the deployment's database. */
async function startApiProcess(api: string): Promise<ChildProcess> {
  const listen = `127.0.0.1:${await freePort()}`;
  apiListen.set(api, listen);
  const child = spawn(process.execPath, [resolve(repoRoot, 'dist/api-cell/main.js')], {
    env: {
      ...process.env,
      CELLSTACK_DATABASE_API_URL: dbs.url(api),
      CELLSTACK_VOLUME_DATABASE_URL: dbs.url(`${api}_volume`),
      CELLSTACK_REDIS_URL: redisUrl,
      CELLSTACK_API_LISTEN: listen,
      CELLSTACK_API_WORKERS: '2',
      CELLSTACK_API_AUTH_STRATEGY: 'trusted-headers',
      CELLSTACK_METRICS_LISTEN: '',
    },
    stdio: 'ignore',
  });
  await waitFor(async () => {
    const res = await fetch(`http://${listen}/healthcheck`).catch(() => undefined);
    return res?.headers.get('x-cellstack-api-workers') === '2/2';
  }, 60_000, 'the API workers to listen');
  return child;
}

/** db sync, cell0 and the given cells (name -> nats url), cell dbs synced. */
async function deployment(api: string, cells: Record<string, string>): Promise<void> {
  const steps: string[][] = [['db', 'sync'], ['cell', 'map-cell0', '--database-url', dbs.url(`${api}_cell0`)]];
  for (const [name, nats] of Object.entries(cells)) {
    steps.push(['cell', 'create', '--name', name, '--transport-url', nats, '--database-url', dbs.url(`${api}_${name}`)]);
  }
  steps.push(['db', 'sync', '--cells']);
  for (const step of steps) {
    const r = await cellctl(api, ...step);
    if (r.code !== 0) throw new Error(`cellctl ${step.join(' ')} failed: ${r.stderr}`);
  }
}

async function addComputeServices(cellDb: string, hosts: string[]): Promise<void> {
  const db = openDatabase(dbs.url(cellDb), { poolMax: 1 });
  try {
    for (const host of hosts) {
      await db.query("INSERT INTO services (uuid, host, `binary`, topic) VALUES (UUID(), ?, 'nova-compute', 'compute')", {
        replacements: [host],
        type: QueryTypes.INSERT,
      });
    }
  } finally {
    await db.close();
  }
}

test('db sync - creates and migrates the API and network databases, then has nothing left to do', async (t) => {
  const first = await cellctl('sync', 'db', 'sync');
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /^API database .*: created the database; applied 0001-initial/m);
  t.regex(first.stdout, /^network database .*_sync_network: created the database; applied 0001-initial/m);
  t.regex(first.stdout, /^volume database .*_sync_volume: created the database; applied 0001-initial/m);
  const second = await cellctl('sync', 'db', 'sync');
  t.is(second.code, 0);
  t.regex(second.stdout, /^API database .*: already at the latest migration\nnetwork database .*: already at the latest migration\nvolume database .*: already at the latest migration$/m);
});

test('cell create - registers a cell whose database server and bus answer, and refuses a duplicate name', async (t) => {
  await deployment('create', { one: natsA.url });
  const again = await cellctl('create', 'cell', 'create', '--name', 'one', '--transport-url', natsB.url, '--database-url', dbs.url('create_x'));
  t.is(again.code, 1);
  t.regex(again.stderr, /^cellctl: a cell named one .* already exists\n$/);
  const list = await cellctl('create', 'cell', 'list', '--json');
  const cells = JSON.parse(list.stdout) as { name: string }[];
  t.deepEqual(cells.map((c) => c.name), ['cell0', 'one']);
});

test('cell create - bad input gets one clear line, a non-zero exit, and writes nothing', async (t) => {
  await deployment('bad', {});
  const cases: [string[], RegExp][] = [
    [['--transport-url', 'http://x', '--database-url', dbs.url('bad_c')], /transport URL http:\/\/x must start with nats:\/\//],
    [['--transport-url', natsA.url, '--database-url', 'not a url'], /database URL "not a url" is not a URL/],
    [['--transport-url', 'nats://127.0.0.1:1', '--database-url', dbs.url('bad_c')], /message bus nats:\/\/127.0.0.1:1 does not answer/],
    [['--transport-url', natsA.url, '--database-url', 'mysql://nobody:pw@127.0.0.1:1/x'], /database server of mysql:\/\/nobody:\*\*\*\*@127.0.0.1:1\/x does not answer/],
  ];
  for (const [args, message] of cases) {
    const r = await cellctl('bad', 'cell', 'create', '--name', 'c', ...args);
    t.not(r.code, 0);
    t.regex(r.stderr, message);
    t.is(r.stderr.trim().split('\n').length, 1, `one line, no stack trace: ${r.stderr}`);
  }
  const list = JSON.parse((await cellctl('bad', 'cell', 'list', '--json')).stdout) as unknown[];
  t.is(list.length, 1, 'only cell0: nothing was half-written');
});

test('cell list - masks passwords in URLs', async (t) => {
  await deployment('mask', {});
  const url = dbs.url('mask_cell0').replace('mysql://', 'mysql://root:@');
  const withPassword = url.replace('root:@', 'root:s3cret@');
  // The password is wrong for this server, so write the mapping directly: list must still mask it.
  const db = openDatabase(dbs.url('mask'), { poolMax: 1 });
  await db.query("UPDATE cell_mappings SET database_url = ?, transport_url = 'nats://u:pw@127.0.0.1:4222'", {
    replacements: [withPassword],
    type: QueryTypes.UPDATE,
  });
  await db.close();
  const r = await cellctl('mask', 'cell', 'list');
  t.is(r.code, 0);
  t.notRegex(r.stdout, /s3cret|:pw@/);
  t.regex(r.stdout, /root:\*\*\*\*@/);
  t.regex(r.stdout, /u:\*\*\*\*@/);
});

test('cell disable, enable, update - change the mapping; cell0 cannot be disabled', async (t) => {
  await deployment('upd', { one: natsA.url });
  t.is((await cellctl('upd', 'cell', 'disable', 'one')).code, 0);
  let shown = JSON.parse((await cellctl('upd', 'cell', 'show', 'one', '--json')).stdout) as Record<string, unknown>;
  t.is(shown['disabled'], true);
  t.is((await cellctl('upd', 'cell', 'enable', 'one')).code, 0);
  const renamed = await cellctl('upd', 'cell', 'update', 'one', '--name', 'uno', '--transport-url', natsB.url);
  t.is(renamed.code, 0, renamed.stderr);
  shown = JSON.parse((await cellctl('upd', 'cell', 'show', 'uno', '--json')).stdout) as Record<string, unknown>;
  t.is(shown['disabled'], false);
  t.is(shown['transport_url'], natsB.url);
  const zero = await cellctl('upd', 'cell', 'disable', 'cell0');
  t.is(zero.code, 2);
  const unknown = await cellctl('upd', 'cell', 'show', 'nope');
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /no cell is named or has the uuid "nope"/);
});

test('host discover - maps exactly the unmapped compute hosts, and a second run maps nothing', async (t) => {
  await deployment('disc', { one: natsA.url, two: natsB.url });
  await addComputeServices('disc_one', ['h1', 'h2']);
  await addComputeServices('disc_two', ['h3']);
  const first = await cellctl('disc', 'host', 'discover');
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /mapped host h1 to cell one/);
  t.regex(first.stdout, /mapped host h3 to cell two/);
  t.regex(first.stdout, /3 hosts mapped/);
  await addComputeServices('disc_one', ['h4']);
  const second = await cellctl('disc', 'host', 'discover', '--cell', 'one');
  t.regex(second.stdout, /^mapped host h4 to cell one\n1 hosts mapped\n$/);
  const third = await cellctl('disc', 'host', 'discover');
  t.is(third.stdout, '0 hosts mapped\n');
  const hosts = JSON.parse((await cellctl('disc', 'host', 'list', '--json')).stdout) as { host: string; cell: string }[];
  t.deepEqual(hosts.map((h) => `${h.host}@${h.cell}`), ['h1@one', 'h2@one', 'h3@two', 'h4@one']);
});

test('cell delete - refused while the cell has hosts, allowed with --force; host unmap', async (t) => {
  await deployment('del', { one: natsA.url });
  await addComputeServices('del_one', ['h1']);
  await cellctl('del', 'host', 'discover');
  const refused = await cellctl('del', 'cell', 'delete', 'one');
  t.is(refused.code, 1);
  t.regex(refused.stderr, /cell one has 1 mapped hosts/);
  t.is((await cellctl('del', 'host', 'unmap', 'h1')).code, 0);
  const gone = await cellctl('del', 'host', 'unmap', 'h1');
  t.regex(gone.stderr, /host h1 is not mapped/);
  await cellctl('del', 'host', 'discover');
  const forced = await cellctl('del', 'cell', 'delete', 'one', '--force');
  t.is(forced.code, 0, forced.stderr);
  t.regex(forced.stdout, /with 1 host and 0 instance mappings/);
  t.deepEqual(JSON.parse((await cellctl('del', 'host', 'list', '--json')).stdout), []);
});

test('status - all pass on a healthy deployment, fails when a cell bus or database is unreachable', async (t) => {
  const nats = await new TestNats().start();
  let api: ChildProcess | undefined;
  try {
    await deployment('stat', { one: natsA.url, two: nats.url });
    api = await startApiProcess('stat');
    const healthy = await cellctl('stat', 'status');
    t.is(healthy.code, 0, healthy.stdout);
    t.notRegex(healthy.stdout, /^(WARN|FAIL)/m);
    t.regex(healthy.stdout, /^PASS  cell two bus/m);
    t.regex(healthy.stdout, /^PASS  network database: reachable at .*_stat_network, at the latest migration \(0001-initial\)/m);
    t.regex(healthy.stdout, /^PASS  volume database: reachable at .*, at the latest migration \(\d{4}-[a-z-]+\)/m);
    t.regex(healthy.stdout, /^PASS  Compute API: answers at http:\/\/127.0.0.1:\d+\/healthcheck; 2 of 2 workers listening/m);

    await addComputeServices('stat_one', ['lonely']);
    const unmapped = await cellctl('stat', 'status');
    t.is(unmapped.code, 1);
    t.regex(unmapped.stdout, /^WARN  compute hosts: 1 not mapped to a cell \(lonely\)/m);
    await cellctl('stat', 'host', 'discover');

    await nats.stop();
    const busDown = await cellctl('stat', 'status');
    t.is(busDown.code, 2);
    t.regex(busDown.stdout, /^FAIL  cell two bus: message bus nats:\/\/127.0.0.1:\d+ does not answer/m);

    const db = openDatabase(dbs.url('stat'), { poolMax: 1 });
    await db.query("UPDATE cell_mappings SET database_url = 'mysql://root@127.0.0.1:1/gone' WHERE name = 'one'", {
      type: QueryTypes.UPDATE,
    });
    await db.close();
    const dbDown = await cellctl('stat', 'status');
    t.is(dbDown.code, 2);
    t.regex(dbDown.stdout, /^FAIL  cell one database: .*does not answer/m);
    t.regex(dbDown.stdout, /^PASS  cell one bus/m);

    const exited = new Promise((done) => api?.once('exit', done));
    api.kill('SIGTERM');
    await exited;
    api = undefined;
    t.regex((await cellctl('stat', 'status')).stdout, /^WARN  Compute API: does not answer at http:\/\/127.0.0.1:\d+\/healthcheck/m);
  } finally {
    api?.kill('SIGKILL');
    await nats.stop();
  }
});

test('status - fails at once, naming the database, when the API database is missing', async (t) => {
  const r = await cellctl('never_synced', 'status');
  t.is(r.code, 2);
  t.regex(r.stdout, /^FAIL  API database: .*Unknown database/m);
});

test('identity commands - bootstrap, projects, users and roles; a duplicate user is refused', async (t) => {
  await deployment('idn', {});
  const boot = await cellctl('idn', 'bootstrap', '--password', 'first-password');
  t.is(boot.code, 0, boot.stderr);
  t.regex(boot.stdout, /^created user admin \([0-9a-f]{32}\) with the admin role on project admin/);
  const again = await cellctl('idn', 'bootstrap', '--password', 'other-password');
  t.regex(again.stdout, /found user admin .*\nnote: the existing admin password was left as it was/);
  t.is((await cellctl('idn', 'project', 'create', 'demo')).code, 0);
  const user = await cellctl('idn', 'user', 'create', 'alice', '--password', 'alice-password', '--project', 'demo');
  t.regex(user.stdout, /created user alice \([0-9a-f]{32}\), member of project demo/);
  const dup = await cellctl('idn', 'user', 'create', 'alice', '--password', 'alice-password');
  t.is(dup.code, 1);
  t.regex(dup.stderr, /Duplicate entry found with name alice at domain ID default/);
  const weak = await cellctl('idn', 'user', 'create', 'bob', '--password', 'short');
  t.is(weak.code, 2);
  t.is((await cellctl('idn', 'role', 'add', 'reader', '--user', 'alice', '--project', 'admin')).code, 0);
  const projects = JSON.parse((await cellctl('idn', 'project', 'list', '--json')).stdout) as { name: string }[];
  t.deepEqual(projects.map((p) => p.name), ['admin', 'demo', 'service']);
  const roles = JSON.parse((await cellctl('idn', 'role', 'list', '--json')).stdout) as { name: string }[];
  t.deepEqual(roles.map((r) => r.name), ['admin', 'member', 'reader']);
});

test('identity commands - roles, domains, groups and deletes go through the same functions as the REST API', async (t) => {
  await deployment('idm', {});
  const ok = async (...args: string[]) => {
    const r = await cellctl('idm', ...args);
    t.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  await ok('bootstrap', '--password', 'first-password');
  t.regex(await ok('role', 'create', 'operator'), /^created role operator \([0-9a-f]{32}\)/);
  t.regex((await cellctl('idm', 'role', 'create', 'operator')).stderr, /Duplicate entry found with name operator/);
  await ok('domain', 'create', 'acme');
  await ok('project', 'create', 'web', '--domain', 'acme');
  await ok('user', 'create', 'bob', '--password', 'bob-password', '--domain', 'acme', '--project', 'web');
  await ok('group', 'create', 'ops', '--domain', 'acme');
  t.regex(await ok('group', 'add-user', 'ops', 'bob', '--domain', 'acme'), /user bob is now a member of group ops/);
  t.regex(await ok('role', 'add', 'operator', '--group', 'ops', '--project', 'web', '--domain', 'acme'), /group ops has role operator on project web/);
  const effective = JSON.parse(await ok('role', 'assignments', '--effective', '--json')) as { role: string; via_group?: string }[];
  t.true(effective.some((a) => a.role === 'operator' && a.via_group !== undefined));

  const refused = await cellctl('idm', 'domain', 'delete', 'acme');
  t.is(refused.code, 1);
  t.regex(refused.stderr, /Cannot delete a domain that is enabled, please disable it first/);
  t.regex(await ok('user', 'set', 'bob', '--disable', '--domain', 'acme'), /is disabled/);
  await ok('role', 'delete', 'operator');
  await ok('project', 'delete', 'web', '--domain', 'acme');
  await ok('domain', 'set', 'acme', '--disable');
  await ok('domain', 'delete', 'acme');
  const users = JSON.parse(await ok('user', 'list', '--json')) as { name: string }[];
  t.deepEqual(users.map((u) => u.name), ['admin'], 'the domain took its user with it');
  const domains = JSON.parse(await ok('domain', 'list', '--json')) as { name: string }[];
  t.deepEqual(domains.map((d) => d.name), ['Default']);
});
