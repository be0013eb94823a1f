import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { dirname, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { QueryTypes } from 'sequelize';
import { openDatabase } from '../runtime-db/index.js';
import { freePort } from './ports.js';

/** The repository root (tests run from dist/, so go up past it). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The MariaDB server tests use; set by ensure-services when root cannot log in over TCP. */
export const dbServer = (process.env['CELLSTACK_DB_SERVER'] ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');
export const redisUrl = process.env['CELLSTACK_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379/0';
export const natsServerBinary = process.env['CELLSTACK_NATS_SERVER'] ?? '/usr/sbin/nats-server';

/** Database names of one test file: all share a random prefix so they can be dropped together. */
export class TestDatabases {
  readonly prefix = `cst_${randomBytes(5).toString('hex')}`;

  /** A database of this file's, on the shared server or on another address of it (a relay). */
  url(name: string, server = dbServer): string {
    return `${server}/${this.prefix}_${name}`;
  }

  /** Drops every database this test file made. */
  async drop(): Promise<void> {
    const db = openDatabase(`${dbServer}/information_schema`, { poolMax: 1 });
    try {
      const rows = await db.query<{ name: string }>(
        'SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE ?',
        { replacements: [`${this.prefix}\\_%`], type: QueryTypes.SELECT },
      );
      for (const { name } of rows) await db.query(`DROP DATABASE \`${name}\``, { type: QueryTypes.RAW });
    } finally {
      await db.close();
    }
  }
}

/** A nats-server of the test's own on a free port: one per cell, as in a deployment. */
export class TestNats {
  private child: ChildProcess | undefined;
  port = 0;

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.port = this.port || (await freePort());
    this.child = spawn(natsServerBinary, ['-a', '127.0.0.1', '-p', String(this.port)], { stdio: 'ignore' });
    for (let i = 0; i < 100; i += 1) {
      if (await portOpen(this.port)) return this;
      await delay(50);
    }
    throw new Error(`nats-server did not listen on ${this.port}`);
  }

  /** Stops the server (SIGKILL: the way a crash stops it); start() brings it back on the same port. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill(signal);
    await exited;
  }
}

/** Does anything accept connections on 127.0.0.1:port? */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a compiled entry point (`ops/cellctl/main.js`, ...) as a user would, with extra environment. */
export function runNode(main: string, args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [resolve(repoRoot, 'dist', main), ...args],
      { env: { ...process.env, ...env }, timeout: timeoutMs },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** Polls `check` until it holds; throws naming `what` when `timeoutMs` passes first. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
