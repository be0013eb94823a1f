import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { select } from '../../ops/runtime-db/index.js';
import { freePort, repoRoot, TcpProxy, TestDeployment, waitFor } from '../../ops/testing/index.js';

// The conductor under test reaches its cell database through a relay this file cuts.
const relay = new TcpProxy('127.0.0.1', 3306);
let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({ cells: [{ name: 'one', pools: [] }], superConductors: 0 });
  await relay.start();
});
test.after.always(async () => {
  await d?.stop();
  await relay.cut();
});

/** A cellstack process of this file's, its stdout kept, stopped at the end of the test. */
function startProcess(t: ExecutionContext, main: string, args: string[], env: Record<string, string>): { log: () => string; exitCode: () => number | null } {
  const child = spawn(process.execPath, [resolve(repoRoot, main), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise((done) => child.once('exit', done));
  t.teardown(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  return { log: () => log, exitCode: () => child.exitCode };
}

test('dependencies - a conductor started while its database is away waits for it, says so, and serves once it is back', async (t) => {
  await relay.cut();
  const cell = d.cell('one').mapping;
  const metricsPort = await freePort();
  const config = d.writeConfig(join(mkdtempSync(join(tmpdir(), 'cellstack-dep-')), 'cellstack.yaml'));
  const child = startProcess(t, 'dist/child-cell/conductor/main.js', ['--config', config], {
    CELLSTACK_CELL_NAME: 'one',
    CELLSTACK_CELL_UUID: cell.uuid,
    CELLSTACK_CELL_DATABASE_URL: `mysql://root@127.0.0.1:${relay.port}/${d.dbs.prefix}_one`,
    CELLSTACK_CELL_TRANSPORT_URL: cell.transportUrl,
    CELLSTACK_METRICS_LISTEN: `127.0.0.1:${metricsPort}`,
    CELLSTACK_DATABASE_CONNECT_TIMEOUT_MS: '1000',
  });
  await waitFor(async () => child.log().includes('waiting for cell database') || child.exitCode() !== null, 30_000, 'the conductor to say what it waits for');
  t.regex(child.log(), /waiting for cell database/, child.log());
  t.is(child.exitCode(), null, 'it waits instead of exiting');
  await relay.start();
  await waitFor(async () => child.log().includes('cell-conductor started'), 30_000, 'the conductor to start once its database is back').catch((err: unknown) => {
    throw new Error(`${String(err)}: ${child.log()}`);
  });
  const up = async (): Promise<string | undefined> => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    return /cellstack_dependency_up\{[^}]*dependency="cell database"[^}]*\} (\d)/.exec(text)?.[1];
  };
  t.is(await up(), '1');

  // Away again while it runs: the gauge and the log say so, and it stays up.
  await relay.cut();
  await waitFor(async () => (await up()) === '0', 30_000, 'the gauge to show the database away');
  await relay.start();
  await waitFor(async () => (await up()) === '1', 30_000, 'the gauge to show it back');
  t.regex(child.log(), /cell database is back/);
  t.is(child.exitCode(), null);
});

// Serial: it runs before the test above, so no conductor of that one's can answer for the cell.
test.serial('dependencies - a compute pool started while its cell has no conductor waits for one and registers its hosts once it answers', async (t) => {
  await d.stopConductors('one');
  const cell = d.cell('one').mapping;
  const config = d.writeConfig(join(mkdtempSync(join(tmpdir(), 'cellstack-dep-')), 'cellstack.yaml'));
  const child = startProcess(t, 'dist/child-cell/compute/main.js', ['--config', config, '--hosts', '2', '--prefix', 'early'], {
    CELLSTACK_CELL_NAME: 'one',
    CELLSTACK_CELL_UUID: cell.uuid,
    CELLSTACK_CELL_TRANSPORT_URL: cell.transportUrl,
    CELLSTACK_METRICS_LISTEN: `127.0.0.1:${await freePort()}`,
  });
  await waitFor(async () => child.log().includes('waiting for cell conductor') || child.exitCode() !== null, 30_000, 'the pool to say it waits for the conductor');
  t.is(child.exitCode(), null, `it waits instead of exiting: ${child.log()}`);
  await d.addConductor('one');
  await waitFor(async () => child.log().includes('compute hosts registered'), 60_000, 'the pool to register once a conductor answers').catch((err: unknown) => {
    throw new Error(`${String(err)}: ${child.log()}`);
  });
  const hosts = await select<{ host: string }>(d.cellDb('one'), "SELECT host FROM services WHERE `binary` = 'nova-compute' AND deleted = 0 ORDER BY host");
  t.deepEqual(hosts.map((h) => h.host), ['early-1', 'early-2']);
});
