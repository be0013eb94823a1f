import { request } from 'node:http';
import { resolve } from 'node:path';
import { portAnswers } from '../runtime/ports.js';
import type { Layout } from './layout.js';
import { buildStamp, type ProcessSpec } from './processes.js';

export { portAnswers };

/** Does GET url answer 200? */
export function httpAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((done) => {
    const req = request(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.once('error', () => done(false));
    req.once('timeout', () => {
      req.destroy();
      done(false);
    });
    req.end();
  });
}

export function natsSpec(layout: Layout, cell: Layout['cells'][number], natsServer: string): ProcessSpec {
  const { host } = layout.options;
  return {
    name: `${cell.name}-nats`,
    command: natsServer,
    // The pid file path puts the state dir on the command line, which is how stop knows it is ours.
    args: [
      '-a', host, '-p', String(cell.natsPort), '-n', `cellstack-${cell.name}`, '-P', resolve(layout.runDir, `${cell.name}-nats.server.pid`),
      // The monitoring endpoint (/varz) is how a load test counts the cell's bus messages.
      ...(cell.natsMonitorPort ? ['-m', String(cell.natsMonitorPort)] : []),
    ],
    ready: () => portAnswers(host, cell.natsPort),
  };
}

/** A cellstack process (a compiled entry point) before it becomes a ProcessSpec. */
export interface NodeProcess {
  name: string;
  main: string;
  args?: string[];
  env?: Record<string, string>;
  ready?: () => Promise<boolean>;
}

export function cellEnv(cell: Layout['cells'][number], cellUuids: Map<string, string>): Record<string, string> {
  return {
    CELLSTACK_CELL_NAME: cell.name,
    CELLSTACK_CELL_UUID: cellUuids.get(cell.name) ?? '',
    CELLSTACK_CELL_DATABASE_URL: cell.databaseUrl,
    CELLSTACK_CELL_TRANSPORT_URL: cell.transportUrl,
  };
}

/** Each cell's conductor and compute pool: what must run before hosts can be discovered. */
export function cellSpecs(layout: Layout, root: string, cellUuids: Map<string, string>): ProcessSpec[] {
  const processes: NodeProcess[] = [];
  for (const cell of layout.cells) {
    processes.push({ name: `${cell.name}-conductor`, main: 'child-cell/conductor/main.js', env: cellEnv(cell, cellUuids) });
  }
  for (const cell of layout.cells) {
    for (const pool of cell.pools) {
      processes.push({
        name: pool.name,
        main: 'child-cell/compute/main.js',
        args: ['--hosts', String(pool.hosts), '--prefix', pool.prefix],
        env: { ...cellEnv(cell, cellUuids), ...(pool.driver ? { CELLSTACK_COMPUTE_DRIVER: pool.driver } : {}) },
      });
    }
  }
  return toSpecs(layout, root, processes, 0);
}

/** /metrics ports the cells' processes take: a conductor per cell and at least one pool's worth per cell. */
export function cellMetricsPorts(layout: Layout): number {
  const pools = layout.cells.reduce((sum, cell) => sum + cell.pools.length, 0);
  return layout.cells.length + Math.max(layout.cells.length, pools);
}

/** The API cell's processes, started once hosts are known. */
export function apiCellSpecs(layout: Layout, root: string): ProcessSpec[] {
  const processes: NodeProcess[] = [];
  for (let i = 1; i <= layout.options.superConductors; i += 1) {
    processes.push({ name: `super-conductor-${i}`, main: 'super-conductor/main.js' });
  }
  processes.push({
    name: 'api',
    main: 'api-cell/main.js',
    ready: () => httpAnswers(`${layout.apiUrl}/healthcheck`),
  });
  if (layout.dashboardUrl) processes.push({ name: 'dashboard', main: 'api-cell/dashboard/main.js', ready: () => httpAnswers(`${layout.dashboardUrl}/healthcheck`) });
  return toSpecs(layout, root, processes, cellMetricsPorts(layout));
}

const nodeArgs = (): string[] => (process.env['CELLSTACK_NODE_ARGS'] ?? '').split(/\s+/).filter(Boolean);

function toSpecs(layout: Layout, root: string, processes: NodeProcess[], firstPort: number): ProcessSpec[] {
  const { host, metricsPort } = layout.options;
  const build = buildStamp(resolve(root, 'dist'));
  return processes.map((p, i) => nodeSpec(layout, root, build, p, `${host}:${metricsPort + firstPort + i}`));
}

/** The spec of one cellstack process serving /metrics at `metrics` (host:port). */
export function nodeSpec(layout: Layout, root: string, build: string, p: NodeProcess, metrics: string): ProcessSpec {
  const metricsReady = (): Promise<boolean> => httpAnswers(`http://${metrics}/metrics`);
  return {
    name: p.name,
    command: process.execPath,
    // CELLSTACK_NODE_ARGS passes flags to every cellstack process (--cpu-prof, --max-old-space-size, ...).
    args: [...nodeArgs(), resolve(root, 'dist', p.main), '--config', layout.configFile, ...(p.args ?? [])],
    env: { ...p.env, CELLSTACK_METRICS_LISTEN: metrics },
    build,
    ready: async () => (await metricsReady()) && (p.ready ? await p.ready() : true),
  };
}
