import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createConnection, type Connection } from 'mariadb';
import { Redis } from 'ioredis';
import { connect, type NatsConnection } from 'nats';
import { QueryTypes } from 'sequelize';
import { openApiDatabase, syncApiDatabase } from '../../api-cell/db/index.js';
import { openCellDatabase, syncCellDatabase } from '../../child-cell/db/index.js';
import { freePort } from '../chaos/services.js';
import { portAnswers } from '../launcher/plan.js';
import { parseDatabaseUrl } from '../runtime/index.js';
import { dropDatabase } from '../runtime-db/index.js';
import { cpuSeconds, pidsNamed } from './cpu.js';

/**
 * The floor (issue 19): the least this machine's MariaDB, NATS and Redis can spend on what one
 * boot must do, so that every figure of the boot benchmark can be read as a multiple of it.
 * Writes are the rows a boot must leave (build request, request spec, mapping, three allocations,
 * the instance, its action and event, its state changes), as few multi-row statements per batch
 * of 100 as the schema allows, on one bare `mariadb` connection per database.
 */
export interface FloorResult {
  boots: number;
  batch: number;
  statementsPerBatch: number;
  /** Per boot, in milliseconds: wall time, this client's CPU, the database server's CPU. */
  db: Cost;
  /** The same statements through Sequelize (how the processes talk to MariaDB), per boot. */
  dbSequelize: Cost;
  /** One NATS request and its reply (a cast a host answers), per message. */
  nats: Cost;
  /** One Redis round trip (what BullMQ's calls are made of), per call. */
  redis: Cost;
}

export interface Cost {
  wallMs: number;
  clientCpuMs: number;
  serverCpuMs: number;
}

interface Meter {
  wall: number;
  client: number;
  server: number;
}

function startMeter(serverPids: number[]): Meter {
  const cpu = process.cpuUsage();
  return { wall: performance.now(), client: (cpu.user + cpu.system) / 1000, server: serverPids.reduce((s, p) => s + cpuSeconds(p) * 1000, 0) };
}

function costSince(m: Meter, serverPids: number[], units: number): Cost {
  const now = startMeter(serverPids);
  return { wallMs: (now.wall - m.wall) / units, clientCpuMs: (now.client - m.client) / units, serverCpuMs: (now.server - m.server) / units };
}

type Run = (sql: string, params: unknown[]) => Promise<unknown>;

// Payloads the size of a real boot's: a flavor snapshot, an accepted instance, a request spec.
const flavor = JSON.stringify({ id: 1, flavorid: '1', name: 'm1.tiny', vcpus: 1, memory_mb: 512, root_gb: 1, ephemeral_gb: 0, swap: 0, extra_specs: {} });
const instance = JSON.stringify({ version: 2, display_name: 'bench-server-0001', hostname: 'bench-server-0001', flavor: JSON.parse(flavor), image_ref: randomUUID(), metadata: {}, tags: [], reservation_id: 'r-00000000', created_at: new Date().toISOString(), key_name: null, user_data: null, config_drive: '' });
const spec = JSON.stringify({ flavor: JSON.parse(flavor), image: { id: randomUUID(), min_ram: 0, min_disk: 0, properties: {} }, availability_zone: null, num_instances: 1, scheduler_hints: {}, ignore_hosts: [] });

/** Figures of one boot the floor assumes besides its rows: a cast to its host and one batched state report, one job per batch. */
export const floorMessagesPerBoot = 2;
export const floorRedisCallsPerBoot = 0.1;

/** CPU of everything together for one boot at the floor, in milliseconds. */
export function floorCpuMs(f: FloorResult): number {
  const cpu = (c: Cost): number => c.clientCpuMs + c.serverCpuMs;
  return cpu(f.db) + floorMessagesPerBoot * cpu(f.nats) + floorRedisCallsPerBoot * cpu(f.redis);
}

/** One batch of boots, as the pipeline's three steps would write it at the least: accept, route, finish. */
async function writeBatch(api: Run, cell: Run, providerId: number, n: number): Promise<void> {
  const uuids = Array.from({ length: n }, () => randomUUID());
  const rows = (width: number, count = n): string => Array.from({ length: count }, () => `(${Array(width).fill('?').join(', ')})`).join(', ');
  const list = Array(n).fill('?').join(', ');
  // Accepted: build request, request spec, cell-less mapping, the quota usage.
  await api('BEGIN', []);
  await api(`INSERT INTO build_requests (instance_uuid, project_id, user_id, instance, tags) VALUES ${rows(5)}`, uuids.flatMap((u) => [u, 'p', 'u', instance, '[]']));
  await api(`INSERT INTO request_specs (instance_uuid, spec) VALUES ${rows(2)}`, uuids.flatMap((u) => [u, spec]));
  await api(`INSERT INTO instance_mappings (instance_uuid, cell_id, project_id, user_id) VALUES ${rows(4)}`, uuids.flatMap((u) => [u, null, 'p', 'u']));
  await api("UPDATE quota_usages SET in_use = in_use + ? WHERE project_id = 'p' AND resource = 'instances'", [n]);
  await api('COMMIT', []);
  // Scheduled and routed: the claims, the cell rows, the build requests gone, the mappings naming the cell.
  await api(`INSERT INTO allocations (resource_provider_id, consumer_id, resource_class, used) VALUES ${rows(4, n * 3)}`, uuids.flatMap((u) => [providerId, u, 'VCPU', 1, providerId, u, 'MEMORY_MB', 512, providerId, u, 'DISK_GB', 1]));
  await cell('BEGIN', []);
  await cell(`INSERT INTO instances (uuid, project_id, user_id, host, node, vm_state, task_state, power_state, flavor) VALUES ${rows(9)}`, uuids.flatMap((u) => [u, 'p', 'u', 'h', 'h', 'building', 'scheduling', 0, flavor]));
  await cell(`INSERT INTO instance_actions (action, instance_uuid, request_id, user_id, project_id, start_time) VALUES ${rows(6)}`, uuids.flatMap((u) => ['create', u, 'req', 'u', 'p', new Date()]));
  await cell('COMMIT', []);
  await api('BEGIN', []);
  await api(`DELETE FROM build_requests WHERE instance_uuid IN (${list})`, uuids);
  await api(`UPDATE instance_mappings SET cell_id = 1 WHERE instance_uuid IN (${list})`, uuids);
  await api('COMMIT', []);
  // On the host: spawning with its event, then ACTIVE with the event finished.
  await cell(`UPDATE instances SET task_state = 'spawning' WHERE uuid IN (${list})`, uuids);
  await cell(
    `INSERT INTO instance_actions_events (action_id, event, host, start_time) SELECT id, 'compute_build_and_run_instance', 'h', NOW(6) FROM instance_actions WHERE instance_uuid IN (${list})`,
    uuids,
  );
  await cell(`UPDATE instances SET vm_state = 'active', task_state = NULL, power_state = 1, launched_at = NOW(6) WHERE uuid IN (${list})`, uuids);
  await cell(
    `UPDATE instance_actions_events e JOIN instance_actions a ON a.id = e.action_id SET e.finish_time = NOW(6), e.result = 'Success' WHERE a.instance_uuid IN (${list})`,
    uuids,
  );
}

/** Statements one writeBatch sends (BEGIN and COMMIT included): 17 for any batch size. */
const statementsPerBatch = 17;

export interface FloorOptions {
  dbServer: string;
  boots: number;
  batch: number;
  messages: number;
  redisUrl: string;
  natsServer: string;
  say: (line: string) => void;
}

export async function measureFloor(options: FloorOptions): Promise<FloorResult> {
  const mariadbd = [...pidsNamed(['mariadbd', 'mysqld']).keys()];
  const { db, dbSequelize } = await measureDatabase(options, mariadbd);
  options.say(`database: ${db.clientCpuMs.toFixed(3)} ms client CPU, ${db.serverCpuMs.toFixed(3)} ms server CPU a boot (Sequelize: ${dbSequelize.clientCpuMs.toFixed(3)} ms client CPU)`);
  const nats = await measureNats(options);
  options.say(`NATS: ${(nats.clientCpuMs * 1000).toFixed(1)} µs client CPU, ${(nats.serverCpuMs * 1000).toFixed(1)} µs server CPU a request and reply`);
  const redis = await measureRedis(options, [...pidsNamed(['redis-server']).keys()]);
  options.say(`Redis: ${(redis.clientCpuMs * 1000).toFixed(1)} µs client CPU, ${(redis.serverCpuMs * 1000).toFixed(1)} µs server CPU a round trip`);
  return { boots: options.boots, batch: options.batch, statementsPerBatch, db, dbSequelize, nats, redis };
}

async function measureDatabase(options: FloorOptions, mariadbd: number[]): Promise<{ db: Cost; dbSequelize: Cost }> {
  const base = options.dbServer.replace(/\/+$/, '');
  const apiUrl = `${base}/cellstack_bench_floor_api`;
  const cellUrl = `${base}/cellstack_bench_floor_cell`;
  await Promise.all([dropDatabase(apiUrl), dropDatabase(cellUrl)]);
  await syncApiDatabase(apiUrl);
  await syncCellDatabase(cellUrl);
  const [apiConn, cellConn] = await Promise.all([bare(apiUrl), bare(cellUrl)]);
  const sequelizeApi = openApiDatabase(apiUrl, { poolMax: 1 });
  const sequelizeCell = openCellDatabase(cellUrl, { poolMax: 1 });
  try {
    await apiConn.query("INSERT INTO resource_providers (uuid, name, generation, host) VALUES (?, 'h', 0, 'h')", [randomUUID()]);
    await apiConn.query("INSERT INTO cell_mappings (id, uuid, name, transport_url, database_url) VALUES (1, ?, 'floor', 'nats://127.0.0.1', ?)", [randomUUID(), cellUrl]);
    await apiConn.query("INSERT INTO quota_usages (project_id, resource, in_use) VALUES ('p', 'instances', 0)");
    const providerId = Number(((await apiConn.query('SELECT id FROM resource_providers LIMIT 1')) as { id: number }[])[0]?.id);
    const bareRun = (c: Connection): Run => (sql, params) => c.query(sql, params);
    // Sequelize outside a managed transaction: one pooled connection, so BEGIN/COMMIT hold.
    const viaSequelize = (s: { sequelize: typeof sequelizeApi.sequelize }): Run => (sql, params) => s.sequelize.query(sql, { replacements: params, type: QueryTypes.RAW });
    const batches = Math.ceil(options.boots / options.batch);
    await writeBatch(bareRun(apiConn), bareRun(cellConn), providerId, options.batch); // warm-up
    let m = startMeter(mariadbd);
    for (let i = 0; i < batches; i++) await writeBatch(bareRun(apiConn), bareRun(cellConn), providerId, options.batch);
    const db = costSince(m, mariadbd, batches * options.batch);
    await writeBatch(viaSequelize(sequelizeApi), viaSequelize(sequelizeCell), providerId, options.batch);
    m = startMeter(mariadbd);
    for (let i = 0; i < batches; i++) await writeBatch(viaSequelize(sequelizeApi), viaSequelize(sequelizeCell), providerId, options.batch);
    const dbSequelize = costSince(m, mariadbd, batches * options.batch);
    return { db, dbSequelize };
  } finally {
    await Promise.all([apiConn.end(), cellConn.end(), sequelizeApi.sequelize.close(), sequelizeCell.sequelize.close()]);
    await Promise.all([dropDatabase(apiUrl), dropDatabase(cellUrl)]);
  }
}

async function bare(url: string): Promise<Connection> {
  const t = parseDatabaseUrl(url);
  return createConnection({ host: t.host, port: t.port, user: t.user, password: t.password, database: t.database });
}

/** Request and reply through a nats-server of its own (the kind each cell runs), one at a time. */
async function measureNats(options: FloorOptions): Promise<Cost> {
  const port = await freePort();
  const server = spawn(options.natsServer, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  let nc: NatsConnection | undefined;
  try {
    const deadline = Date.now() + 30_000;
    while (!(await portAnswers('127.0.0.1', port))) {
      if (Date.now() > deadline || server.exitCode !== null) throw new Error(`nats-server did not start on port ${port}`);
      await new Promise((done) => setTimeout(done, 50));
    }
    nc = await connect({ servers: `127.0.0.1:${port}` });
    const conn = nc;
    conn.subscribe('floor', { callback: (_err, msg) => msg.respond(msg.data) });
    const payload = new TextEncoder().encode(JSON.stringify({ method: 'build_and_run_instance', args: { uuid: randomUUID() } }));
    for (let i = 0; i < 500; i++) await conn.request('floor', payload); // warm-up
    const pids = server.pid ? [server.pid] : [];
    const m = startMeter(pids);
    for (let i = 0; i < options.messages; i++) await conn.request('floor', payload);
    return costSince(m, pids, options.messages);
  } finally {
    await nc?.close();
    server.kill('SIGTERM');
  }
}

/** Round trips to the Redis the deployment uses (its server CPU is shared with anything else using it). */
async function measureRedis(options: FloorOptions, pids: number[]): Promise<Cost> {
  const redis = new Redis(options.redisUrl, { lazyConnect: true });
  await redis.connect();
  try {
    const key = `cellstack-bench-floor-${randomUUID()}`;
    for (let i = 0; i < 500; i++) await redis.incr(key);
    const m = startMeter(pids);
    for (let i = 0; i < options.messages; i++) await redis.incr(key);
    const cost = costSince(m, pids, options.messages);
    await redis.del(key);
    return cost;
  } finally {
    redis.disconnect();
  }
}
