import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { dbServer, freePort, redisUrl, runNode, TestDatabases } from '../../testing/index.js';

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

function portOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

test('launcher - up brings cells, databases and processes up, a second up is harmless, down leaves nothing', async (t) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'cellstack-launch-'));
  const apiPort = await freePort();
  const natsPort = await freePort();
  const metricsPort = await freePort();
  const ports = [apiPort, natsPort, natsPort + 1, metricsPort, metricsPort + 1, metricsPort + 2];
  const args = ['--state-dir', stateDir];
  const upArgs = [
    ...args, '--cells', '2', '--db-server', dbServer, '--db-prefix', `${dbs.prefix}_dep`, '--redis-url', redisUrl,
    '--api-port', String(apiPort), '--nats-port', String(natsPort), '--metrics-port', String(metricsPort),
  ];
  try {
    const first = await runNode('ops/launcher/main.js', ['up', ...upArgs], {}, 120_000);
    t.is(first.code, 0, first.stderr + first.stdout);
    t.regex(first.stdout, /cellstack is up with 2 cells/);
    t.regex(first.stdout, new RegExp(`Compute API: +http://127.0.0.1:${apiPort}/v2.1`));
    for (const port of ports) t.true(await portOpen(port), `port ${port} listens`);

    const status = await runNode('ops/cellctl/main.js', ['--config', join(stateDir, 'cellstack.yaml'), 'status']);
    t.is(status.code, 0, status.stdout);

    const second = await runNode('ops/launcher/main.js', ['up', ...args], {}, 120_000);
    t.is(second.code, 0, second.stderr);
    t.regex(second.stdout, /already running: cell1-nats, cell2-nats, cell1-conductor, cell2-conductor, api/);
    t.notRegex(second.stdout, /started /);
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
