import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { bootstrapDatabases, discoverPoolHosts, type Say } from './bootstrap.js';
import { endGuests, qemuConfig } from './qemu.js';
import { layoutOf, type DeploymentOptions, type Layout } from './layout.js';
import { apiCellSpecs, cellSpecs, natsSpec, portAnswers } from './plan.js';
import { listProcesses, readPid, runsOtherBuild, startProcess, stopProcesses, waitReady, type ProcessSpec, type ProcessState } from './processes.js';

export const savedOptions = (stateDir: string): string => resolve(stateDir, 'deployment.json');

/** Options given now win over those saved by an earlier `up`, which win over the defaults. */
export function resolveOptions(defaults: DeploymentOptions, given: Partial<DeploymentOptions>): DeploymentOptions {
  const stateDir = given.stateDir ?? defaults.stateDir;
  const file = savedOptions(stateDir);
  const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<DeploymentOptions>) : {};
  const options = { ...defaults, ...saved, ...given, stateDir };
  const secret = (): string => randomBytes(24).toString('base64url');
  return {
    ...options,
    serviceToken: options.serviceToken || secret(),
    tokenSecret: options.tokenSecret || secret(),
    adminPassword: options.adminPassword || secret(),
  };
}

/** Where each cell's conductor serves /metrics: cellSpecs starts them first, one per cell, from the first metrics port. */
const conductorMetrics = (layout: Layout): string =>
  layout.cells.map((cell, i) => `${cell.name}=http://${layout.options.host}:${layout.options.metricsPort + i}/metrics`).join(',');

export function writeConfig(layout: Layout): void {
  const { options } = layout;
  const config: Record<string, Record<string, unknown>> = {
    api: { listen: `${options.host}:${options.apiPort}`, auth_strategy: 'keystone', workers: options.apiWorkers ?? 1 },
    identity: { token_secret: options.tokenSecret },
    ...(options.dashboardPort ? { dashboard: { listen: `${options.host}:${options.dashboardPort}`, conductor_metrics: conductorMetrics(layout) } } : {}),
    database: { api_url: layout.apiDatabaseUrl, network_url: layout.networkDatabaseUrl },
    volume: { database_url: layout.volumeDatabaseUrl, backend_dir: layout.volumeDir },
    redis: { url: options.redisUrl, queue_prefix: options.dbPrefix },
    placement: { url: `${layout.apiUrl}/placement`, service_token: options.serviceToken },
    scheduler: {
      // Pools started later (`deploy up --hosts-per-cell` raised, or started by hand) are mapped within a minute.
      discover_hosts_in_cells_interval: 60,
      // Fake hosts are all alike: without this the first host met wins every tie and every boot lands in cell1.
      shuffle_best_same_weighed_hosts: true,
    },
  };
  for (const [section, values] of Object.entries(qemuConfig(layout))) config[section] = { ...config[section], ...values };
  for (const [section, values] of Object.entries(options.config ?? {})) config[section] = { ...config[section], ...values };
  const header = '# Written by `ops/bin/deploy up`; every key and its default: ops/config/cellstack.yaml\n';
  writeFileSync(layout.configFile, header + stringify(config), { mode: 0o600 });
}

/**
 * The compute microversion clients are told to speak. Without one they speak 2.1, where
 * `--nic none` and most later features do not exist. Not "2.latest": openstacksdk warns about
 * it on every call. Not 2.92: from there the server no longer generates key pairs, and Debian
 * 12's openstackclient does not generate them itself, so `openstack keypair create NAME` would
 * fail. The API serves 2.1 to 2.103; pass --os-compute-api-version for more.
 */
export const CLIENT_COMPUTE_VERSION = '2.91';

/** What `openstack` and openstacksdk read: a clouds.yaml entry and the same as OS_* variables. */
export function writeCredentials(layout: Layout): void {
  const auth = {
    auth_url: `${layout.apiUrl}/identity/v3`,
    username: 'admin',
    password: layout.options.adminPassword,
    project_name: 'admin',
    user_domain_name: 'Default',
    project_domain_name: 'Default',
  };
  const cloud = {
    auth, region_name: 'RegionOne', interface: 'public', identity_api_version: 3, compute_api_version: CLIENT_COMPUTE_VERSION,
    ...(layout.caFile ? { cacert: layout.caFile } : {}),
  };
  const clouds = { clouds: { cellstack: cloud } };
  writeFileSync(layout.cloudsFile, stringify(clouds), { mode: 0o600 });
  const openrc = [
    `export OS_AUTH_URL=${auth.auth_url}`,
    'export OS_IDENTITY_API_VERSION=3',
    `export OS_USERNAME=${auth.username}`,
    `export OS_PASSWORD='${auth.password}'`,
    `export OS_PROJECT_NAME=${auth.project_name}`,
    'export OS_USER_DOMAIN_NAME=Default',
    'export OS_PROJECT_DOMAIN_NAME=Default',
    'export OS_REGION_NAME=RegionOne',
    `export OS_COMPUTE_API_VERSION=${CLIENT_COMPUTE_VERSION}`,
    ...(layout.caFile ? [`export OS_CACERT=${layout.caFile}`] : []),
    '',
  ];
  writeFileSync(layout.openrcFile, openrc.join('\n'), { mode: 0o600 });
}

export interface UpResult {
  layout: Layout;
  started: string[];
  alreadyRunning: string[];
  /** Running from an older build: stopped and started again. */
  restarted: string[];
}

/** Brings the whole deployment up; what already runs is left alone. */
export async function up(options: DeploymentOptions, root: string, natsServer: string, say: Say): Promise<UpResult> {
  const layout = layoutOf(options);
  mkdirSync(layout.runDir, { recursive: true });
  writeFileSync(savedOptions(options.stateDir), `${JSON.stringify(options, null, 2)}\n`, { mode: 0o600 });
  writeConfig(layout);
  const result: UpResult = { layout, started: [], alreadyRunning: [], restarted: [] };
  await startAll(layout.cells.map((cell) => natsSpec(layout, cell, natsServer)), layout, result, say);
  const uuids = await bootstrapDatabases(layout, say, root);
  writeCredentials(layout);
  await startAll(cellSpecs(layout, root, uuids), layout, result, say);
  await discoverPoolHosts(layout, say);
  await startAll(apiCellSpecs(layout, root), layout, result, say);
  return result;
}

export async function startAll(specs: ProcessSpec[], layout: Layout, result: UpResult, say: Say): Promise<void> {
  const marker = layout.options.stateDir;
  for (const spec of specs) {
    const stale = readPid(layout.runDir, spec.name) !== undefined && runsOtherBuild(spec, layout.runDir);
    if (stale) await stopProcesses([spec.name], layout.runDir, marker);
    const launched = startProcess(spec, layout.runDir, layout.logDir, marker);
    const { pid, started } = launched;
    if (!started) {
      result.alreadyRunning.push(spec.name);
      continue;
    }
    try {
      await waitReady(spec, launched, marker);
    } catch (err) {
      const log = resolve(layout.logDir, `${spec.name}.log`);
      const tail = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-5).join('\n') : '';
      throw new Error(`${(err as Error).message}; the end of ${log}:\n${tail}`, { cause: err });
    }
    if (stale) {
      result.restarted.push(spec.name);
      say(`restarted ${spec.name} (pid ${pid}): the code changed since it started`);
    } else {
      result.started.push(spec.name);
      say(`started ${spec.name} (pid ${pid})`);
    }
  }
}

/** Every process the state dir has a pid file for. */
function knownProcesses(runDir: string): string[] {
  if (!existsSync(runDir)) return [];
  return readdirSync(runDir)
    .filter((f) => f.endsWith('.pid') && !f.endsWith('.server.pid'))
    .map((f) => f.slice(0, -'.pid'.length));
}

/**
 * Stops in the reverse of start order: the API cell first, then compute pools (which tell their
 * conductor they are going), then conductors, then the NATS servers, then a multi-machine
 * deployment's own database and Redis servers.
 */
export async function stopAll(runDir: string, marker: string): Promise<ProcessState[]> {
  const names = knownProcesses(runDir);
  const stages = [/-compute(-\d+)?$/, /-conductor(-[a-z0-9-]+)?$/, /-nats(-[a-z0-9-]+)?$/, /-db-|^redis-/];
  const stageOf = (name: string): number => stages.findIndex((re) => re.test(name)) + 1;
  const stopped: ProcessState[] = [];
  for (let stage = 0; stage < stages.length; stage += 1) {
    stopped.push(...(await stopProcesses(names.filter((n) => stageOf(n) === stage), runDir, marker)));
  }
  // Database servers one at a time: the last member of a Galera cluster to stop is the one it
  // marks safe to start the cluster again from.
  for (const name of names.filter((n) => stageOf(n) === stages.length)) stopped.push(...(await stopProcesses([name], runDir, marker)));
  return stopped;
}

/** Stops every process, and checks nothing is left on the deployment's ports. */
export async function down(options: DeploymentOptions): Promise<{ stopped: ProcessState[]; leftPorts: number[] }> {
  const layout = layoutOf(options);
  const stopped = await stopAll(layout.runDir, options.stateDir);
  endGuests(layout);
  const ports = [options.apiPort, ...(options.dashboardPort ? [options.dashboardPort] : []), ...layout.cells.map((c) => c.natsPort), ...layout.cells.flatMap((c) => (c.natsMonitorPort ? [c.natsMonitorPort] : []))];
  const open = await Promise.all(ports.map((p) => portAnswers(options.host, p)));
  return { stopped, leftPorts: ports.filter((_, i) => open[i]) };
}

export function status(options: DeploymentOptions): ProcessState[] {
  const layout = layoutOf(options);
  return listProcesses(layout.runDir, options.stateDir, knownProcesses(layout.runDir));
}
