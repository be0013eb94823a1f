import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dbServer, freePortRange, redisUrl, runNode, TestDatabases } from '../../testing/index.js';

/** Debian's python3-openstackclient (ops/bin/ensure-services installs it), unmodified. */
export const OPENSTACK = '/usr/bin/openstack';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The `openstack` command with one environment (its cloud), as a test drives it. */
export class OpenstackCli {
  constructor(readonly env: NodeJS.ProcessEnv) {}

  run(args: string[], timeoutMs = 120_000): Promise<Run> {
    return new Promise((resolve) => {
      execFile(OPENSTACK, args, { env: this.env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });
  }

  /** `openstack <args> -f json`, parsed; a failure throws with what the client printed. */
  async json<T = Record<string, any>>(...args: string[]): Promise<T> {
    return JSON.parse(await this.quiet(...args, '-f', 'json')) as T;
  }

  /** `openstack <args>` for commands that print nothing worth reading on success. */
  async quiet(...args: string[]): Promise<string> {
    const res = await this.run(args);
    if (res.code !== 0) throw new Error(`openstack ${args.join(' ')} exited ${res.code}: ${res.stderr}${res.stdout}`);
    return res.stdout;
  }
}

/** A deployment brought up by the launcher on the test's own databases and ports, and a client for its clouds.yaml. */
export class LaunchedDeployment {
  readonly dbs = new TestDatabases();
  stateDir = '';
  cli = new OpenstackCli({});

  async up(name: string, cells: number, hostsPerCell: number): Promise<void> {
    if (!existsSync(OPENSTACK)) throw new Error(`${OPENSTACK} is missing: run ops/bin/ensure-services (it installs python3-openstackclient)`);
    this.stateDir = mkdtempSync(join(tmpdir(), `cellstack-${name}-`));
    // The API, each cell's NATS, /metrics for each cell's conductor and pool, a super-conductor,
    // the API and the dashboard, and the dashboard itself (never its default port: tests run side by side).
    const base = await freePortRange(6 + 3 * cells);
    const up = await runNode('ops/launcher/main.js', [
      'up', '--state-dir', this.stateDir, '--cells', String(cells), '--hosts-per-cell', String(hostsPerCell), '--db-server', dbServer, '--db-prefix', `${this.dbs.prefix}_${name}`,
      '--redis-url', redisUrl, '--api-port', String(base), '--nats-port', String(base + 1), '--metrics-port', String(base + 1 + cells),
      '--dashboard-port', String(base + 5 + 3 * cells),
    ], {}, 180_000);
    if (up.code !== 0) throw new Error(`deploy up failed: ${up.stderr}${up.stdout}`);
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OS_')));
    this.cli = new OpenstackCli({ ...clean, OS_CLIENT_CONFIG_FILE: join(this.stateDir, 'clouds.yaml'), OS_CLOUD: 'cellstack' });
  }

  async down(): Promise<void> {
    if (this.stateDir) await runNode('ops/launcher/main.js', ['down', '--state-dir', this.stateDir], {}, 60_000);
    await this.dbs.drop();
  }
}
