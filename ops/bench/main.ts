import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { openCellDatabase } from '../../child-cell/db/index.js';
import { down, up } from '../launcher/deployment.js';
import { layoutOf, type DeploymentOptions } from '../launcher/layout.js';
import { errorMessage } from '../runtime/index.js';
import { execute, select } from '../runtime-db/index.js';
import { passwordToken } from '../loadtest/client.js';
import { runBootBench, type BootBenchResult } from './boot.js';
import { dashboardBench, type DashboardFlags } from './dashboard.js';
import { runListBench, seedServers, warmups } from './list.js';
import { assignRole, createProject, createUser, findRole } from '../../api-cell/identity/index.js';
import { openApiDatabase } from '../../api-cell/db/index.js';
import { openNetworkDatabase, setNetworkQuota } from '../../api-cell/network/index.js';
import { CpuMeter } from './cpu.js';
import { benchOptions, freshDeployment, processesToMeter } from './deployment.js';
import { idleBench, type IdleFlags } from './idle.js';
import { machineDescription } from './machine.js';
import { perBoot, sentCounts, type SentCounts } from './counts.js';
import { floorCpuMs, floorMessagesPerBoot, floorRedisCallsPerBoot, measureFloor } from './floor.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const positive = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number above 0');
  return n;
};

interface BootFlags {
  servers: number;
  hosts: number;
  cells: number;
  batch: number;
  concurrency: number;
  rate?: number;
  superConductors: number;
  apiWorkers: number;
  networks: 'none' | 'auto';
  floor?: boolean;
  keep?: boolean;
}

const program = new Command('bench').description('measure cellstack on this machine');
program
  .command('boot')
  .description('boot servers through the REST API onto fake hosts and report boots/s, POST->ACTIVE latency and CPU per boot')
  .option('--servers <n>', 'servers to boot', positive, 2000)
  .option('--hosts <n>', 'fake compute hosts, spread over the cells', positive, 1000)
  .option('--cells <n>', 'child cells', positive, 3)
  .option('--batch <n>', 'servers per POST (multi-create); 1 for single creates', positive, 1)
  .option('--concurrency <n>', 'POSTs in flight at once (closed loop)', positive, 32)
  .option('--rate <n>', 'offer this many servers per second instead (open loop)', positive)
  .option('--super-conductors <n>', 'super-conductor processes', positive, 1)
  .option('--api-workers <n>', 'API worker processes (deploy up runs 2 on 2 or more cores; 1 measures the pipeline without the redundancy)', positive, 1)
  .option('--networks <mode>', 'none, or auto: every server gets a port (an address) on the shared network', networksMode, 'none')
  .option('--floor', 'measure the floor first (bench floor, about 10 s) and give the CPU per boot as a multiple of it')
  .option('--keep', 'leave the benchmark deployment running afterwards')
  .action(bootBench);

function networksMode(value: string): 'none' | 'auto' {
  if (value !== 'none' && value !== 'auto') throw new InvalidArgumentError('none or auto');
  return value;
}

async function unlimitedPorts(url: string, projectId: string): Promise<void> {
  const network = openNetworkDatabase(url, { poolMax: 1 });
  try {
    await setNetworkQuota(network, projectId, { port: -1, security_group: -1, security_group_rule: -1 });
  } finally {
    await network.close();
  }
}

async function bootBench(flags: BootFlags): Promise<void> {
  const options: DeploymentOptions = { ...benchOptions(root, flags.cells, Math.ceil(flags.hosts / flags.cells), flags.superConductors), apiWorkers: flags.apiWorkers };
  const floor = flags.floor
    ? floorCpuMs(await measureFloor({ dbServer: options.dbServer, boots: 5000, batch: 100, messages: 20_000, redisUrl: options.redisUrl, natsServer: '/usr/sbin/nats-server', say: (line) => console.log(`  floor: ${line}`) }))
    : undefined;
  await freshDeployment(options);
  const say = (line: string): void => console.log(`  ${line}`);
  console.log(`bringing up ${flags.cells} cells with ${options.hostsPerCell * flags.cells} fake hosts`);
  await up(options, root, '/usr/sbin/nats-server', say);
  const layout = layoutOf(options);
  const api = openApiDatabase(layout.apiDatabaseUrl, { poolMax: 2 });
  const cells = layout.cells.map((c) => openCellDatabase(c.databaseUrl, { poolMax: 2 }));
  try {
    const project = await createProject(api, { name: 'bench', description: 'benchmark runs' });
    const user = await createUser(api, { name: 'bench', password: 'bench-password', defaultProject: project.id });
    await assignRole(api, user.id, project.id, (await findRole(api, 'member')).id);
    await execute(api, "INSERT INTO quotas (project_id, resource, hard_limit) VALUES (?, 'instances', -1), (?, 'cores', -1), (?, 'ram', -1)", [project.id, project.id, project.id]);
    // A port per server: the network quotas (Neutron's 500 ports) must not stop the run.
    if (flags.networks === 'auto') await unlimitedPorts(layout.networkDatabaseUrl, project.id);
    const { token } = await passwordToken(layout.apiUrl, 'bench', 'bench-password', 'bench');
    const image = (await select<{ uuid: string }>(api, 'SELECT uuid FROM images LIMIT 1'))[0]?.uuid ?? '';
    const meter = new CpuMeter(processesToMeter(layout.runDir));
    const bar = new SingleBar({ format: '  booting [{bar}] {value}/{total} settled | {eta}s left', hideCursor: true });
    bar.start(flags.servers, 0);
    const sentBefore = await sentCounts(layout);
    meter.start();
    const result = await runBootBench({
      apiUrl: layout.apiUrl,
      token,
      imageId: image,
      flavorRef: '1',
      servers: flags.servers,
      batch: flags.batch,
      concurrency: flags.concurrency,
      networks: flags.networks,
      rate: flags.rate,
      cells,
      onProgress: (n) => bar.update(Math.min(n, flags.servers)),
    });
    const cpu = meter.stop();
    bar.stop();
    const sent = perBoot(sentBefore, await sentCounts(layout), result.active);
    report(result, cpu, flags, sent, floor);
  } finally {
    await Promise.all([api.close(), ...cells.map((c) => c.close())]);
    if (!flags.keep) {
      await down(options);
      console.log('benchmark deployment stopped (--keep leaves it running)');
    }
  }
}

function report(result: BootBenchResult, cpu: Record<string, number>, flags: BootFlags, sent: SentCounts, floorMs?: number): void {
  const total = Object.values(cpu).reduce((a, b) => a + b, 0);
  const perBoot = result.active > 0 ? total / result.active : 0;
  const lines = [
    '',
    `machine:        ${machineDescription()}`,
    `date:           ${new Date().toISOString()}`,
    `scenario:       ${flags.servers} servers, ${flags.batch === 1 ? 'single creates' : `batches of ${flags.batch}`}, ${result.mode}, ${flags.hosts} hosts in ${flags.cells} cells, networks ${flags.networks}`,
    `boots/s:        ${result.bootsPerSecond.toFixed(1)} (${result.active} ACTIVE in ${result.seconds.toFixed(2)} s; ${result.errors} ERROR, ${result.rejected} rejected)`,
    `POST->ACTIVE:   p50 ${result.postToActiveMs.p50} ms, p95 ${result.postToActiveMs.p95} ms, p99 ${result.postToActiveMs.p99} ms, max ${result.postToActiveMs.max} ms`,
    `POST->202:      p50 ${result.acceptMs.p50} ms, p99 ${result.acceptMs.p99} ms`,
    `CPU per boot:   ${(perBoot * 1000).toFixed(2)} ms (${total.toFixed(1)} CPU s in all)${floorMs ? `, ${((perBoot * 1000) / floorMs).toFixed(1)} x the floor of ${floorMs.toFixed(3)} ms` : ''}`,
    `sent per boot:  ${sent.apiStatements.toFixed(2)} statements to the API database, ${sent.cellStatements.toFixed(2)} to cell databases, ${sent.busMessages.toFixed(2)} bus messages`,
    `ACTIVE per s:   ${result.activePerSecond.join(' ')}`,
    `CPU by process: ${Object.entries(cpu).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${((v / Math.max(1, result.active)) * 1000).toFixed(2)} ms`).join(', ')}`,
  ];
  console.log(lines.join('\n'));
  const out = resolve(root, 'ops/bench/out');
  mkdirSync(out, { recursive: true });
  const file = resolve(out, `boot-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ machine: machineDescription(), date: new Date().toISOString(), flags, result, cpuSeconds: cpu, cpuMsPerBoot: perBoot * 1000, floorCpuMsPerBoot: floorMs ?? null, sentPerBoot: sent }, null, 2)}\n`);
  console.log(`result:         ${file}`);
}

interface ListFlags {
  servers: number;
  cells: number;
  repeats: number;
  keep?: boolean;
}

program
  .command('list')
  .description('list latency across cells: GET /servers/detail?limit=1000 over servers spread through the cells, and paging through all')
  .option('--servers <n>', 'servers in all', positive, 100_000)
  .option('--cells <n>', 'child cells', positive, 10)
  .option('--repeats <n>', 'times the first page is asked for', positive, 50)
  .option('--keep', 'leave the benchmark deployment running afterwards')
  .action(listBench);

program
  .command('dashboard')
  .description("the dashboard at many hosts: the host list through the API, the heat map's draw in chromium, the cells page's first event")
  .option('--hosts <n>', 'fake compute hosts, spread over the cells', positive, 10_000)
  .option('--cells <n>', 'child cells', positive, 2)
  .option('--keep', 'leave the benchmark deployment running afterwards')
  .action((flags: DashboardFlags) => dashboardBench(root, flags));

async function listBench(flags: ListFlags): Promise<void> {
  const options = benchOptions(root, flags.cells, 0);
  await freshDeployment(options);
  console.log(`bringing up ${flags.cells} cells`);
  await up(options, root, '/usr/sbin/nats-server', (line) => console.log(`  ${line}`));
  const layout = layoutOf(options);
  const api = openApiDatabase(layout.apiDatabaseUrl, { poolMax: 2 });
  const cells = layout.cells.map((c) => openCellDatabase(c.databaseUrl, { poolMax: 2 }));
  try {
    const project = await createProject(api, { name: 'bench', description: 'benchmark runs' });
    const user = await createUser(api, { name: 'bench', password: 'bench-password', defaultProject: project.id });
    await assignRole(api, user.id, project.id, (await findRole(api, 'member')).id);
    const mappings = await select<{ id: number; name: string }>(api, "SELECT id, name FROM cell_mappings WHERE name <> 'cell0' ORDER BY id");
    const seeding = new SingleBar({ format: '  seeding [{bar}] {value}/{total} servers', hideCursor: true });
    seeding.start(flags.servers, 0);
    const perCell = Math.ceil(flags.servers / flags.cells);
    const written = await seedServers(api, mappings.map((m, i) => ({ id: m.id, db: cells[i] as (typeof cells)[number] })), perCell, project.id, (n) => seeding.update(n));
    seeding.stop();
    const { token } = await passwordToken(layout.apiUrl, 'bench', 'bench-password', 'bench');
    const paging = new SingleBar({ format: '  paging  [{bar}] {value}/{total} servers', hideCursor: true });
    paging.start(written, 0);
    const result = await runListBench(layout.apiUrl, token, flags.repeats, (n) => paging.update(n));
    paging.stop();
    const lines = [
      '',
      `machine:        ${machineDescription()}`,
      `date:           ${new Date().toISOString()}`,
      `scenario:       ${written} servers of one project spread over ${flags.cells} cells`,
      `first page:     GET /servers/detail?limit=1000 p50 ${result.firstPageMs.p50} ms, p95 ${result.firstPageMs.p95} ms, p99 ${result.firstPageMs.p99} ms (${flags.repeats} times after ${warmups} not counted)`,
      `index page:     GET /servers?limit=1000 p50 ${result.indexPageMs.p50} ms, p99 ${result.indexPageMs.p99} ms`,
      `paging all:     ${result.pages} pages, ${result.walkedServers} servers (${result.duplicates} seen twice) in ${result.walkSeconds.toFixed(1)} s; per page p50 ${result.pageMs.p50} ms, p99 ${result.pageMs.p99} ms, max ${result.pageMs.max} ms`,
    ];
    console.log(lines.join('\n'));
    const out = resolve(root, 'ops/bench/out');
    mkdirSync(out, { recursive: true });
    const file = resolve(out, `list-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify({ machine: machineDescription(), date: new Date().toISOString(), flags, servers: written, ...result }, null, 2)}\n`);
    console.log(`result:         ${file}`);
  } finally {
    await Promise.all([api.close(), ...cells.map((c) => c.close())]);
    if (!flags.keep) {
      await down(options);
      console.log('benchmark deployment stopped (--keep leaves it running)');
    }
  }
}

program
  .command('idle')
  .description('CPU of every process while fake hosts only heartbeat and report (no boots)')
  .option('--hosts <n>', 'fake compute hosts, spread over the cells', positive, 10_000)
  .option('--cells <n>', 'child cells', positive, 10)
  .option('--warmup <s>', 'seconds to wait after every host is up', positive, 30)
  .option('--seconds <s>', 'seconds to measure (at least one resource report interval)', positive, 60)
  .option('--keep', 'leave the benchmark deployment running afterwards')
  .action((flags: IdleFlags) => idleBench(root, flags));

interface FloorFlags {
  boots: number;
  batch: number;
  messages: number;
}

program
  .command('floor')
  .description("the least this machine's MariaDB, NATS and Redis spend on what one boot must do: the yardstick for the boot figures")
  .option('--boots <n>', 'boots whose rows are written', positive, 5000)
  .option('--batch <n>', 'boots written per batch', positive, 100)
  .option('--messages <n>', 'NATS requests and Redis round trips timed', positive, 20_000)
  .action(floorBench);

async function floorBench(flags: FloorFlags): Promise<void> {
  const options = benchOptions(root, 1, 0);
  const say = (line: string): void => console.log(`  ${line}`);
  console.log(`measuring the floor: ${flags.boots} boots' rows in batches of ${flags.batch}, ${flags.messages} NATS requests and Redis calls`);
  const f = await measureFloor({ dbServer: options.dbServer, boots: flags.boots, batch: flags.batch, messages: flags.messages, redisUrl: options.redisUrl, natsServer: '/usr/sbin/nats-server', say });
  const ms = (n: number): string => n.toFixed(3);
  console.log([
    '',
    `machine:   ${machineDescription()}`,
    `date:      ${new Date().toISOString()}`,
    `database:  ${f.statementsPerBatch} statements a batch of ${f.batch}; a boot: ${ms(f.db.wallMs)} ms wall, ${ms(f.db.clientCpuMs)} ms client CPU, ${ms(f.db.serverCpuMs)} ms MariaDB CPU`,
    `           through Sequelize: ${ms(f.dbSequelize.wallMs)} ms wall, ${ms(f.dbSequelize.clientCpuMs)} ms client CPU, ${ms(f.dbSequelize.serverCpuMs)} ms MariaDB CPU`,
    `NATS:      a request and reply: ${ms(f.nats.wallMs)} ms wall, ${ms(f.nats.clientCpuMs)} ms client CPU, ${ms(f.nats.serverCpuMs)} ms nats-server CPU`,
    `Redis:     a round trip: ${ms(f.redis.wallMs)} ms wall, ${ms(f.redis.clientCpuMs)} ms client CPU, ${ms(f.redis.serverCpuMs)} ms redis-server CPU`,
    `floor:     ${ms(floorCpuMs(f))} ms of CPU a boot, everything together (rows + ${floorMessagesPerBoot} NATS requests + ${floorRedisCallsPerBoot} Redis calls)`,
  ].join('\n'));
}

try {
  await program.parseAsync();
} catch (err) {
  console.error(`bench: ${errorMessage(err)}`);
  process.exitCode = 1;
}
