import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

/** What the operator chose for a local deployment; saved so a second `up` reuses it. */
export interface DeploymentOptions {
  stateDir: string;
  cells: number;
  dbServer: string;
  dbPrefix: string;
  redisUrl: string;
  host: string;
  apiPort: number;
  /** The dashboard's port; 0 or absent: no dashboard (`deploy up` defaults to 8780; tools that deploy for a run leave it off). */
  dashboardPort?: number;
  /** Cell i's NATS server listens on natsPort + i - 1. */
  natsPort: number;
  /** Each process serves /metrics on its own port counting up from here. */
  metricsPort: number;
  /** Fake compute hosts per cell, run by one compute pool process per cell. */
  hostsPerCell: number;
  /** QEMU hosts (real guests, docs/real-guests.md), one pool in cell1; 0 or absent: none. */
  qemuHosts?: number;
  /** Most fake hosts one compute pool process runs; a cell with more gets several pools. 0: one pool per cell. */
  hostsPerPool?: number;
  /** Cell i's NATS server serves its monitoring endpoint (/varz) on natsMonitorPort + i - 1; 0 or absent: none. */
  natsMonitorPort?: number;
  /** Config keys written into the deployment's config file on top of the launcher's own (section -> key -> value). */
  config?: Record<string, Record<string, unknown>>;
  superConductors: number;
  /** API worker processes on the API port (one primary keeps them alive); absent in deployments saved before it existed. */
  apiWorkers?: number;
  /** The inventory file of a multi-machine deployment (`deploy up --inventory`); absent for one machine. */
  inventory?: string;
  /** Shared secret cell conductors present to placement; made once, kept in deployment.json. */
  serviceToken: string;
  /** Secret that signs identity tokens; made once, kept in deployment.json. */
  tokenSecret: string;
  /** The bootstrap admin's password; made once, printed once, kept in clouds.yaml. */
  adminPassword: string;
}

export const defaultOptions = (root: string): DeploymentOptions => ({
  stateDir: resolve(root, '.cellstack'),
  cells: 3,
  dbServer: process.env['CELLSTACK_DB_SERVER'] ?? 'mysql://root@127.0.0.1:3306',
  dbPrefix: 'cellstack',
  redisUrl: 'redis://127.0.0.1:6379/0',
  host: '127.0.0.1',
  apiPort: 8774,
  dashboardPort: 0,
  natsPort: 4231,
  metricsPort: 9180,
  hostsPerCell: 8,
  superConductors: 1,
  // A killed API worker is replaced while the other serves: clients see no refused connection.
  apiWorkers: availableParallelism() >= 2 ? 2 : 1,
  serviceToken: '',
  tokenSecret: '',
  adminPassword: '',
});

/** One compute pool process: its process name, the prefix of its host names and how many it runs. */
export interface PoolLayout {
  name: string;
  prefix: string;
  hosts: number;
  /** The virt driver, when not the fake. */
  driver?: 'qemu';
}

export interface CellLayout {
  name: string;
  databaseUrl: string;
  transportUrl: string;
  natsPort: number;
  /** Port of the NATS monitoring endpoint, when the deployment asks for one. */
  natsMonitorPort?: number;
  pools: PoolLayout[];
  /** An inventory deployment's first conductor of the cell: its process name and /metrics URL. */
  conductor?: { name: string; metricsUrl: string };
}

/** Every name, URL and path of a deployment, derived from its options. */
export interface Layout {
  options: DeploymentOptions;
  configFile: string;
  cloudsFile: string;
  openrcFile: string;
  logDir: string;
  runDir: string;
  apiDatabaseUrl: string;
  networkDatabaseUrl: string;
  /** The volume service's own database. */
  volumeDatabaseUrl: string;
  /** Where the volume files live. */
  volumeDir: string;
  cell0DatabaseUrl: string;
  apiUrl: string;
  /** Empty when the deployment runs no dashboard. */
  dashboardUrl: string;
  cells: CellLayout[];
  /** The CA certificate clients must trust to reach apiUrl (https), when the deployment has its own CA. */
  caFile?: string;
  /** Every /metrics URL, when the processes are not numbered from options.host:metricsPort (an inventory's machines). */
  metricsUrls?: string[];
}

/** Where an inventory deployment keeps the layout it was brought up with. */
export const savedLayout = (stateDir: string): string => resolve(stateDir, 'layout.json');

export function layoutOf(options: DeploymentOptions): Layout {
  // An inventory deployment's addresses come from its machines: the layout its `up` saved.
  if (options.inventory && existsSync(savedLayout(options.stateDir))) {
    return { ...(JSON.parse(readFileSync(savedLayout(options.stateDir), 'utf8')) as Layout), options };
  }
  const server = options.dbServer.replace(/\/+$/, '');
  const db = (name: string): string => `${server}/${options.dbPrefix}_${name}`;
  const cells = Array.from({ length: options.cells }, (_, i) => ({
    name: `cell${i + 1}`,
    databaseUrl: db(`cell${i + 1}`),
    transportUrl: `nats://${options.host}:${options.natsPort + i}`,
    natsPort: options.natsPort + i,
    ...(options.natsMonitorPort ? { natsMonitorPort: options.natsMonitorPort + i } : {}),
    pools: [...poolsOf(`cell${i + 1}`, options.hostsPerCell, options.hostsPerPool ?? 0), ...(i === 0 ? qemuPools(options.qemuHosts ?? 0) : [])],
  }));
  return {
    options,
    configFile: resolve(options.stateDir, 'cellstack.yaml'),
    cloudsFile: resolve(options.stateDir, 'clouds.yaml'),
    openrcFile: resolve(options.stateDir, 'admin-openrc'),
    logDir: resolve(options.stateDir, 'logs'),
    runDir: resolve(options.stateDir, 'run'),
    apiDatabaseUrl: db('api'),
    networkDatabaseUrl: db('network'),
    volumeDatabaseUrl: db('volume'),
    volumeDir: resolve(options.stateDir, 'volumes'),
    cell0DatabaseUrl: db('cell0'),
    apiUrl: `http://${options.host}:${options.apiPort}`,
    dashboardUrl: options.dashboardPort ? `http://${options.host}:${options.dashboardPort}/dashboard` : '',
    cells,
  };
}

/**
 * A cell's hosts split over pool processes of at most `perPool` hosts. The first pool keeps the
 * names a single pool always had (`cellN-compute`, hosts `cellN-host-*`).
 */
export function poolsOf(cell: string, hosts: number, perPool: number): PoolLayout[] {
  if (hosts < 1) return [];
  const count = perPool > 0 ? Math.ceil(hosts / perPool) : 1;
  const size = Math.ceil(hosts / count);
  return Array.from({ length: count }, (_, p) => ({
    name: p === 0 ? `${cell}-compute` : `${cell}-compute-${p + 1}`,
    prefix: p === 0 ? `${cell}-host` : `${cell}-pool${p + 1}-host`,
    hosts: Math.min(size, hosts - p * size),
  }));
}

/** `deploy up --qemu-hosts N`: one pool of N QEMU hosts (docs/real-guests.md). */
export function qemuPools(hosts: number): PoolLayout[] {
  return hosts > 0 ? [{ name: 'cell1-qemu-compute', prefix: 'cell1-qemu', hosts, driver: 'qemu' }] : [];
}
