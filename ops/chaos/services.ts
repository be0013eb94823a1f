import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { portAnswers } from '../launcher/plan.js';

const run = promisify(execFile);

/** A port nothing listens on now (the kernel's pick). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/**
 * A server the harness runs itself, so it may kill it: never the machine's own. Killed with
 * SIGKILL and started again on the same port (and data dir), as after a crash.
 */
export class OwnServer {
  private child: ChildProcess | undefined;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly command: string,
    private readonly args: string[],
    private readonly logFile: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  /** Starts it and waits until its port answers. */
  async start(timeoutMs = 60_000): Promise<void> {
    const log = openSync(this.logFile, 'a');
    try {
      // Its own process group: a Ctrl-C to the harness reaches the harness, which then stops it in order.
      this.child = spawn(this.command, this.args, { detached: true, stdio: ['ignore', log, log] });
    } finally {
      closeSync(log);
    }
    const child = this.child;
    child.unref();
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${this.name} exited during start-up; see ${this.logFile}`);
      if (await portAnswers('127.0.0.1', this.port)) return;
      await delay(100);
    }
    throw new Error(`${this.name} did not answer on port ${this.port} within ${timeoutMs / 1000} s`);
  }

  /** SIGKILL, and waits until it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || this.pid === undefined) return;
    const gone = new Promise((done) => child.once('exit', done));
    child.kill('SIGKILL');
    await gone;
  }

  /** SIGTERM, then SIGKILL after the grace period. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || this.pid === undefined) return;
    const gone = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }
}

/** A MariaDB in `dir` (made with mariadb-install-db on first use), bound to 127.0.0.1, root without a password. */
export async function ownMariaDb(dir: string): Promise<OwnServer> {
  const datadir = resolve(dir, 'data');
  mkdirSync(dir, { recursive: true });
  if (!existsSync(resolve(datadir, 'mysql'))) {
    await run('mariadb-install-db', ['--no-defaults', `--datadir=${datadir}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve'], {
      maxBuffer: 10 * 1024 * 1024,
    });
  }
  const port = await freePort();
  const args = [
    '--no-defaults',
    `--datadir=${datadir}`,
    '--user=root',
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${resolve(dir, 'mariadb.sock')}`,
    `--pid-file=${resolve(dir, 'mariadb.pid')}`,
    // No users to manage: anyone on 127.0.0.1 is root, which is what the deployment's URL says.
    '--skip-grant-tables',
    '--skip-name-resolve',
    '--skip-log-bin',
    // A crash loses at most the last second of commits, as on most test machines; recovery is what is tested.
    '--innodb-flush-log-at-trx-commit=2',
    '--innodb-buffer-pool-size=256M',
    '--max-connections=3000',
  ];
  return new OwnServer('mariadb', port, 'mariadbd', args, resolve(dir, 'mariadb.log'));
}

/** A Redis with no persistence: a restart comes back empty, as the reaper must cope with. */
export async function ownRedis(dir: string): Promise<OwnServer> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--pidfile', resolve(dir, 'redis.pid')];
  return new OwnServer('redis', port, 'redis-server', args, resolve(dir, 'redis.log'));
}
