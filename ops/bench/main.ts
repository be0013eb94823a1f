import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { openCellDatabase } from '../../child-cell/db/index.js';
import { down, resolveOptions, up } from '../launcher/deployment.js';
import { defaultOptions, layoutOf, type DeploymentOptions } from '../launcher/layout.js';
import { dropDatabase, errorMessage, execute, select } from '../runtime/index.js';
import { login, runBootBench, type BootBenchResult } from './boot.js';
import { assignRole, createProject, createUser, findRole } from '../../api-cell/identity/index.js';
import { openApiDatabase } from '../../api-cell/db/index.js';
import { CpuMeter, pidsNamed } from './cpu.js';
import { machineDescription } from './machine.js';

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
  .option('--keep', 'leave the benchmark deployment running afterwards')
  .action(bootBench);

async function bootBench(flags: BootFlags): Promise<void> {
  const defaults = defaultOptions(root);
  const options: DeploymentOptions = resolveOptions(defaults, {
    stateDir: resolve(root, '.cellstack/bench'),
    cells: flags.cells,
    dbPrefix: 'cellstack_bench',
    apiPort: 18774,
    natsPort: 14231,
    metricsPort: 19180,
    hostsPerCell: Math.ceil(flags.hosts / flags.cells),
    superConductors: flags.superConductors,
  });
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
    const token = await login(layout.apiUrl, 'bench', 'bench-password', 'bench');
    const image = (await select<{ uuid: string }>(api, 'SELECT uuid FROM images LIMIT 1'))[0]?.uuid ?? '';
    const meter = new CpuMeter(processesToMeter(layout.runDir));
    const bar = new SingleBar({ format: '  booting [{bar}] {value}/{total} settled | {eta}s left', hideCursor: true });
    bar.start(flags.servers, 0);
    meter.start();
    const result = await runBootBench({
      apiUrl: layout.apiUrl,
      token,
      imageId: image,
      flavorRef: '1',
      servers: flags.servers,
      batch: flags.batch,
      concurrency: flags.concurrency,
      rate: flags.rate,
      cells,
      onProgress: (n) => bar.update(Math.min(n, flags.servers)),
    });
    const cpu = meter.stop();
    bar.stop();
    report(result, cpu, flags);
  } finally {
    await Promise.all([api.close(), ...cells.map((c) => c.close())]);
    if (!flags.keep) {
      await down(options);
      console.log('benchmark deployment stopped (--keep leaves it running)');
    }
  }
}

/** Stops a previous benchmark deployment and drops its databases, so every run starts empty. */
async function freshDeployment(options: DeploymentOptions): Promise<void> {
  await down(options);
  const layout = layoutOf(options);
  for (const url of [layout.apiDatabaseUrl, layout.cell0DatabaseUrl, ...layout.cells.map((c) => c.databaseUrl)]) await dropDatabase(url);
}

/** Every process of the deployment (by pid file) plus the MariaDB and Redis servers. */
function processesToMeter(runDir: string): Map<number, string> {
  const processes = new Map<number, string>();
  for (const file of readdirSync(runDir).filter((f) => f.endsWith('.pid') && !f.endsWith('.server.pid'))) {
    const name = file.slice(0, -4);
    const label = name.replace(/^cell\d+-/, '').replace(/-\d+$/, '');
    processes.set(Number(readFileSync(resolve(runDir, file), 'utf8')), label);
  }
  for (const [pid, name] of pidsNamed(['mariadbd', 'redis-server'])) processes.set(pid, name);
  return processes;
}

function report(result: BootBenchResult, cpu: Record<string, number>, flags: BootFlags): void {
  const total = Object.values(cpu).reduce((a, b) => a + b, 0);
  const perBoot = result.active > 0 ? total / result.active : 0;
  const lines = [
    '',
    `machine:        ${machineDescription()}`,
    `date:           ${new Date().toISOString()}`,
    `scenario:       ${flags.servers} servers, ${flags.batch === 1 ? 'single creates' : `batches of ${flags.batch}`}, ${result.mode}, ${flags.hosts} hosts in ${flags.cells} cells`,
    `boots/s:        ${result.bootsPerSecond.toFixed(1)} (${result.active} ACTIVE in ${result.seconds.toFixed(2)} s; ${result.errors} ERROR, ${result.rejected} rejected)`,
    `POST->ACTIVE:   p50 ${result.postToActiveMs.p50} ms, p95 ${result.postToActiveMs.p95} ms, p99 ${result.postToActiveMs.p99} ms, max ${result.postToActiveMs.max} ms`,
    `POST->202:      p50 ${result.acceptMs.p50} ms, p99 ${result.acceptMs.p99} ms`,
    `CPU per boot:   ${(perBoot * 1000).toFixed(2)} ms (${total.toFixed(1)} CPU s in all)`,
    `ACTIVE per s:   ${result.activePerSecond.join(' ')}`,
    `CPU by process: ${Object.entries(cpu).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${((v / Math.max(1, result.active)) * 1000).toFixed(2)} ms`).join(', ')}`,
  ];
  console.log(lines.join('\n'));
  const out = resolve(root, 'ops/bench/out');
  mkdirSync(out, { recursive: true });
  const file = resolve(out, `boot-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ machine: machineDescription(), date: new Date().toISOString(), flags, result, cpuSeconds: cpu, cpuMsPerBoot: perBoot * 1000 }, null, 2)}\n`);
  console.log(`result:         ${file}`);
}

try {
  await program.parseAsync();
} catch (err) {
  console.error(`bench: ${errorMessage(err)}`);
  process.exitCode = 1;
}
