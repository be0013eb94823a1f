import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { CellRegistry, createCell, discoverHosts, mapCell0, type CellMapping } from '../../api-cell/cells/index.js';
import { openApiDatabase, syncApiDatabase, type ApiDatabase } from '../../api-cell/db/index.js';
import { networkDatabaseUrl, openNetworkDatabase, syncNetworkDatabase, type NetworkDatabase } from '../../api-cell/network/index.js';
import { createFlavor, ensureDefaultFlavors } from '../../api-cell/flavors/index.js';
import { createImage, type Image } from '../../api-cell/images/index.js';
import { startApi } from '../../api-cell/service.js';
import { syncVolumeDatabase } from '../../api-cell/volume/index.js';
import { ConductorClient } from '../../child-cell/conductor/index.js';
import { startConductor } from '../../child-cell/conductor/service.js';
import { HostPool } from '../../child-cell/compute/pool.js';
import type { RecoveryCounts } from '../../child-cell/compute/recover.js';
import { openCellDatabase, syncCellDatabase, type CellDatabase } from '../../child-cell/db/index.js';
import type { FakeDriverOptions, VirtDriver } from '../../child-cell/virt/index.js';
import { startSuperConductor } from '../../super-conductor/service.js';
import {
  connectBus,
  createLogger,
  createMetricsRegistry,
  loadConfig,
  type Config,
  type NatsConnection,
  type Registry,
  type RunningService,
} from '../runtime/index.js';
import {
  execute,
  select,
} from '../runtime-db/index.js';
import { freePort } from './ports.js';
import { answerShapeErrors } from './shape.js';
import { redisUrl, TestDatabases, TestNats, waitFor } from './services.js';

export interface PoolSpec {
  prefix: string;
  hosts: number;
  failing?: string[];
  /** Hosts that take the first cast of each build and forget it. */
  losing?: string[];
  driver?: Partial<FakeDriverOptions>;
  /** Hosts with another driver than the fake (the QEMU driver), made from the host's name. */
  driverFor?: (host: string) => VirtDriver;
}

export interface CellSpec {
  name: string;
  pools: PoolSpec[];
  /** The server the cell's database is reached at, when not the shared one (a relay a test can cut). */
  dbServer?: string;
}

type Overrides = { [S in keyof Config]?: Partial<Config[S]> };

export interface TestDeploymentOptions {
  cells: CellSpec[];
  /** Every log line of the API process, at debug level, for tests that read what is logged. */
  apiLog?: string[];
  /** Availability zones (aggregates with availability_zone metadata): zone -> hosts. */
  zones?: Record<string, string[]>;
  superConductors?: number;
  config?: Overrides;
  /** The server the API database is reached at, when not the shared one (a relay a test can cut). */
  apiDbServer?: string;
}

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export interface Caller {
  user?: string;
  project?: string;
  roles?: string;
}

interface RunningCell {
  mapping: CellMapping;
  nats: TestNats;
  db: CellDatabase;
  conductors: RunningService[];
  /** Each conductor's metrics, in the order they started. */
  conductorMetrics: Registry[];
  pools: HostPool[];
  busses: NatsConnection[];
}

/** Test processes log nothing unless CELLSTACK_TEST_LOG names a level; `fallback` is the level otherwise. */
const quiet = (fallback = 'silent') => createLogger('test', process.env['CELLSTACK_TEST_LOG'] ?? fallback);

/**
 * A whole deployment inside the test process: API, super-conductors, a conductor, a NATS server
 * and compute pools per cell, on the test file's own databases, ports and queue prefix.
 */
export class TestDeployment {
  readonly dbs = new TestDatabases();
  /** The volume files of this deployment, removed by stop(). */
  readonly volumeDir = mkdtempSync(join(tmpdir(), 'cellstack-volumes-'));
  config!: Config;
  api!: ApiDatabase;
  /** The network service's database. */
  network!: NetworkDatabase;
  registry!: CellRegistry;
  apiUrl = '';
  image!: Image;
  private apiService: RunningService | undefined;
  private superConductors: RunningService[] = [];
  private superConductorMetrics: Registry[] = [];
  private readonly cells = new Map<string, RunningCell>();
  /** Builds the hosts of every pool have finished: ACTIVE, or failed or stopped (deleted meanwhile). */
  readonly builds = { active: 0, failed: 0 };
  /** What the last pool started found again of its hosts' instances. */
  lastRecovery: RecoveryCounts | undefined;

  private constructor(private readonly options: TestDeploymentOptions) {}

  static async start(options: TestDeploymentOptions): Promise<TestDeployment> {
    const deployment = new TestDeployment(options);
    await deployment.bringUp();
    return deployment;
  }

  private async bringUp(): Promise<void> {
    const apiPort = await freePort();
    const overrides = this.options.config ?? {};
    this.config = loadConfig({
      env: {},
      overrides: {
        ...overrides,
        api: { listen: `127.0.0.1:${apiPort}`, auth_strategy: 'trusted-headers', ...overrides.api },
        database: { api_url: this.dbs.url('api', this.options.apiDbServer), pool_max: 8, ...overrides.database },
        volume: { database_url: this.dbs.url('volume'), backend_dir: this.volumeDir, ...overrides.volume },
        redis: { url: redisUrl, queue_prefix: this.dbs.prefix, ...overrides.redis },
        placement: { url: `http://127.0.0.1:${apiPort}/placement`, service_token: 'test-service-token', ...overrides.placement },
        super_conductor: { reaper_interval_ms: 600_000, ...overrides.super_conductor },
        scheduler: { host_state_refresh_ms: 200, ...overrides.scheduler },
      },
    });
    this.apiUrl = `http://127.0.0.1:${apiPort}`;
    await syncApiDatabase(this.config.database.api_url);
    await syncNetworkDatabase(networkDatabaseUrl(this.config));
    this.network = openNetworkDatabase(networkDatabaseUrl(this.config), { poolMax: 2 });
    await syncVolumeDatabase(this.config.volume.database_url);
    this.api = openApiDatabase(this.config.database.api_url, { poolMax: 4 });
    this.registry = new CellRegistry(this.api, { busName: 'test' });
    await ensureDefaultFlavors(this.api);
    this.image = await createImage(this.api, { name: 'cirros', visibility: 'public', disk_format: 'qcow2', container_format: 'bare' });
    await mapCell0(this.api, this.dbs.url('cell0'));
    await syncCellDatabase(this.dbs.url('cell0'));
    for (const spec of this.options.cells) await this.startCell(spec);
    await discoverHosts(this.api, this.registry);
    for (const [zone, hosts] of Object.entries(this.options.zones ?? {})) await this.zone(zone, hosts);
    for (let i = 0; i < (this.options.superConductors ?? 1); i += 1) await this.startSuperConductor();
    const api = this.context('api');
    const lines = this.options.apiLog;
    // The API logs its errors: an unexpected 500 in a test shows its cause in the test output.
    api.log = lines ? createLogger('api', 'debug', new Writable({ write: (chunk: Buffer, _e, done) => { lines.push(chunk.toString()); done(); } })) : quiet('error');
    this.apiService = await startApi(api);
  }

  private context(name: string, cell?: { name: string; uuid: string; databaseUrl: string; transportUrl: string }) {
    const config: Config = cell
      ? { ...this.config, cell: { name: cell.name, uuid: cell.uuid, database_url: cell.databaseUrl, transport_url: cell.transportUrl } }
      : this.config;
    return { config, log: quiet(), metrics: createMetricsRegistry(name), args: {} };
  }

  private async startCell(spec: CellSpec): Promise<void> {
    const nats = await new TestNats().start();
    const databaseUrl = this.dbs.url(spec.name, spec.dbServer);
    const { cell: mapping } = await createCell(this.api, { name: spec.name, transportUrl: nats.url, databaseUrl });
    await syncCellDatabase(databaseUrl);
    const running: RunningCell = { mapping, nats, db: openCellDatabase(databaseUrl, { poolMax: 2 }), conductors: [], conductorMetrics: [], pools: [], busses: [] };
    this.cells.set(spec.name, running);
    await this.addConductor(spec.name);
    for (const pool of spec.pools) await this.addPool(spec.name, pool);
  }

  /** Starts another conductor in a cell: conductors of a cell share its messages (a queue group). */
  async addConductor(cellName: string): Promise<Registry> {
    const cell = this.cell(cellName);
    const context = this.context(`${cellName}-conductor-${cell.conductors.length + 1}`, cell.mapping);
    cell.conductors.push(await startConductor(context));
    cell.conductorMetrics.push(context.metrics);
    return context.metrics;
  }

  /** Stops every conductor of a cell, as when all of them restart at once; `addConductor` starts one again. */
  async stopConductors(cellName: string): Promise<void> {
    const cell = this.cell(cellName);
    for (const conductor of cell.conductors.splice(0)) await conductor.stop();
    cell.conductorMetrics.splice(0);
  }

  /**
   * Stops a pool: gracefully (its hosts marked down at once) or the way a killed process stops,
   * with no goodbye, its bus connection just gone.
   */
  async stopPool(cellName: string, pool: HostPool, graceful: boolean): Promise<void> {
    const cell = this.cell(cellName);
    const index = cell.pools.indexOf(pool);
    if (index < 0) throw new Error('that pool does not run in this cell');
    // Taken out before anything is awaited: two pools stopped at once must not close each other's bus.
    cell.pools.splice(index, 1);
    const [bus] = cell.busses.splice(index, 1);
    await pool.stop(graceful);
    await bus?.close();
  }

  /** Starts another compute pool in a cell (its hosts still need `discover()`). */
  async addPool(cellName: string, spec: PoolSpec): Promise<HostPool> {
    const cell = this.cell(cellName);
    const nc = await connectBus(cell.mapping.transportUrl, { name: `test-pool ${spec.prefix}` });
    const pool = new HostPool({
      cellUuid: cell.mapping.uuid,
      nc,
      prefix: spec.prefix,
      count: spec.hosts,
      failingHosts: spec.failing ?? [],
      losingHosts: spec.losing ?? [],
      driver: { vcpus: 16, memory_mb: 65536, local_gb: 1000, spawnMs: 0, spawnJitterMs: 0, actionMs: 0, failureRate: 0, ...spec.driver },
      ...(spec.driverFor ? { driverFor: spec.driverFor } : {}),
      ratios: { cpu: this.config.compute.cpu_allocation_ratio, ram: this.config.compute.ram_allocation_ratio, disk: this.config.compute.disk_allocation_ratio },
      reportIntervalMs: this.config.compute.report_interval * 1000,
      resourceReportIntervalMs: this.config.compute.resource_report_interval * 1000,
      log: quiet(),
      onBuilt: (ok) => {
        this.builds[ok ? 'active' : 'failed'] += 1;
      },
    });
    this.lastRecovery = await pool.start();
    cell.pools.push(pool);
    cell.busses.push(nc);
    return pool;
  }

  /** An aggregate that puts `hosts` in availability zone `zone` (read by super-conductors at start). */
  async zone(zone: string, hosts: string[]): Promise<void> {
    const run = this.api;
    await execute(run, "INSERT INTO aggregates (uuid, name) VALUES (UUID(), ?)", [`zone-${zone}`]);
    await execute(run, "INSERT INTO aggregate_metadata (aggregate_id, `key`, value) SELECT id, 'availability_zone', ? FROM aggregates WHERE name = ?", [zone, `zone-${zone}`]);
    for (const host of hosts) {
      await execute(run, 'INSERT INTO aggregate_hosts (aggregate_id, host) SELECT id, ? FROM aggregates WHERE name = ?', [host, `zone-${zone}`]);
    }
  }

  /** Sets a project's quota (-1 for unlimited). */
  async quota(projectId: string, limits: Record<string, number>): Promise<void> {
    for (const [resource, limit] of Object.entries(limits)) {
      await execute(this.api, 'INSERT INTO quotas (project_id, resource, hard_limit) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE hard_limit = VALUES(hard_limit)', [projectId, resource, limit]);
    }
  }

  /** What a project's quota usage counters say now. */
  async usage(projectId: string): Promise<Record<string, number>> {
    const rows = await select<{ resource: string; in_use: number }>(this.api, 'SELECT resource, in_use FROM quota_usages WHERE project_id = ?', [projectId]);
    return Object.fromEntries(rows.map((r) => [r.resource, Number(r.in_use)]));
  }

  /** Allocation rows held by a consumer (an instance). */
  async allocations(uuid: string): Promise<{ host: string | null; resource_class: string; used: number }[]> {
    return select(this.api, 'SELECT rp.host, a.resource_class, a.used FROM allocations a JOIN resource_providers rp ON rp.id = a.resource_provider_id WHERE a.consumer_id = ? ORDER BY a.resource_class', [uuid]);
  }

  /** Which cell an instance's mapping names (null while it has none, undefined when there is no mapping). */
  async mappedCell(uuid: string): Promise<string | null | undefined> {
    const rows = await select<{ name: string | null }>(this.api, 'SELECT c.name FROM instance_mappings m LEFT JOIN cell_mappings c ON c.id = m.cell_id WHERE m.instance_uuid = ?', [uuid]);
    return rows.length === 0 ? undefined : rows[0]?.name ?? null;
  }

  /** Writes the deployment's configuration to a YAML file, for processes started apart from the test. */
  writeConfig(path: string): string {
    writeFileSync(path, stringify(this.config));
    return path;
  }

  discover(): Promise<unknown> {
    return discoverHosts(this.api, this.registry);
  }

  async startSuperConductor(): Promise<void> {
    const context = this.context(`super-conductor-${this.superConductors.length + 1}`);
    this.superConductors.push(await startSuperConductor(context));
    this.superConductorMetrics.push(context.metrics);
  }

  async stopSuperConductors(): Promise<void> {
    for (const s of this.superConductors.splice(0)) await s.stop();
    this.superConductorMetrics.splice(0);
  }

  /**
   * Waits until every running super-conductor's scheduler has refreshed its host states since
   * this call: two refreshes done, so the second began after whatever the test just changed.
   */
  async schedulerRefreshed(timeoutMs = 15_000): Promise<void> {
    const done = async (registry: Registry): Promise<number> =>
      ((await registry.getSingleMetric('cellstack_scheduler_refreshes_total')?.get())?.values[0]?.value ?? 0);
    const registries = [...this.superConductorMetrics];
    const before = await Promise.all(registries.map(done));
    await waitFor(
      async () => (await Promise.all(registries.map(done))).every((n, i) => n >= (before[i] ?? 0) + 2),
      timeoutMs,
      'the scheduler to refresh its host states',
    );
  }

  /** Waits until every running super-conductor's scheduler knows at least `hosts` hosts (their providers included). */
  async schedulerKnows(hosts: number, timeoutMs = 30_000): Promise<void> {
    const known = async (registry: Registry): Promise<number> =>
      ((await registry.getSingleMetric('cellstack_scheduler_hosts')?.get())?.values[0]?.value ?? 0);
    await waitFor(
      async () => (await Promise.all(this.superConductorMetrics.map(known))).every((n) => n >= hosts),
      timeoutMs,
      `the scheduler to know ${hosts} hosts`,
    );
  }

  cell(name: string): RunningCell {
    const cell = this.cells.get(name);
    if (!cell) throw new Error(`no cell ${name} in this test deployment`);
    return cell;
  }

  cellDb(name: string): CellDatabase {
    return this.cell(name).db;
  }

  conductorClient(cellName: string, nc: NatsConnection): ConductorClient {
    return new ConductorClient(nc, this.cell(cellName).mapping.uuid);
  }

  async flavor(flavorid: string, vcpus: number, memory_mb: number, root_gb = 1): Promise<void> {
    await createFlavor(this.api, { flavorid, name: `test.${flavorid}`, vcpus, memory_mb, root_gb });
  }

  /** Calls the Compute API as `caller` (project p1, user u1, member by default). */
  async request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, caller: Caller = {}, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const res = await fetch(`${this.apiUrl}${path}`, {
      method,
      headers: {
        'x-user-id': caller.user ?? 'u1',
        'x-project-id': caller.project ?? 'p1',
        'x-roles': caller.roles ?? 'member',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = {};
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = { text };
    }
    // Every answer of a route with a response schema must fit it, whatever the test checks.
    const request = typeof body === 'string' ? undefined : body;
    const stray = answerShapeErrors(method, path, res.status, res.headers, parsed, text, request);
    if (stray.length > 0) throw new Error(`${method} ${path} answered ${res.status} in a shape its schema does not allow:\n${stray.join('\n')}\n${text.slice(0, 2000)}`);
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  /** POST /servers with the test image, flavor m1.tiny unless given. */
  boot(server: Record<string, unknown> = {}, caller: Caller = {}, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    return this.request<{ server: { id: string; adminPass: string }; reservation_id?: string }>(
      'POST',
      '/v2.1/servers',
      { server: { name: 'vm', flavorRef: '1', imageRef: this.image.uuid, networks: 'none', ...server }, ...extra },
      caller,
      headers,
    );
  }

  async show(id: string, caller: Caller = { roles: 'admin' }): Promise<ApiResponse<{ server: Record<string, unknown> }>> {
    return this.request('GET', `/v2.1/servers/${id}`, undefined, caller);
  }

  /** Polls GET /servers/{id} until its status is one of `statuses`. */
  async waitForStatus(id: string, statuses: string[], timeoutMs = 20_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      const res = await this.show(id);
      last = res.body;
      if (res.status === 200 && statuses.includes(String(res.body.server['status']))) return res.body.server;
      if (res.status === 404 && statuses.includes('DELETED')) return {};
      await new Promise((done) => setTimeout(done, 50));
    }
    throw new Error(`server ${id} did not reach ${statuses.join('/')} in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
  }

  /** Polls until the server shows `status` with no task running: the action that led there is over. */
  async settle(id: string, status: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    let last: Record<string, unknown> = {};
    while (Date.now() < deadline) {
      last = (await this.show(id)).body.server;
      if (last['status'] === status && last['OS-EXT-STS:task_state'] === null) return last;
      await new Promise((done) => setTimeout(done, 30));
    }
    const actions = await this.request('GET', `/v2.1/servers/${id}/os-instance-actions`, undefined, { roles: 'admin' }).catch(() => undefined);
    const brief = { status: last['status'], task_state: last['OS-EXT-STS:task_state'], vm_state: last['OS-EXT-STS:vm_state'], fault: last['fault'], actions: actions?.body['instanceActions'] };
    throw new Error(`server ${id} did not settle in ${status} in ${timeoutMs} ms: ${JSON.stringify(brief)}; ${JSON.stringify(last)}`);
  }

  async stop(): Promise<void> {
    // Teardown: each part stops even if one before it failed (the test has its result already).
    await this.apiService?.stop().catch(() => undefined);
    await this.stopSuperConductors().catch(() => undefined);
    for (const cell of this.cells.values()) {
      for (const pool of cell.pools) await pool.stop(false).catch(() => undefined);
      for (const nc of cell.busses) await nc.close().catch(() => undefined);
      for (const conductor of cell.conductors) await conductor.stop().catch(() => undefined);
      await cell.db.close();
      await cell.nats.stop();
    }
    await this.registry.close();
    await this.api.close();
    await this.network.close();
    await this.dbs.drop();
    rmSync(this.volumeDir, { recursive: true, force: true });
  }
}
