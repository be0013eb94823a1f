import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { errorMessage } from '../runtime/index.js';
import { down, resolveOptions, status, up } from './deployment.js';
import { defaultOptions, type DeploymentOptions } from './layout.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
// `deploy up` serves the dashboard; tools that deploy for one run (bench, loadtest, chaos) do not.
const defaults = { ...defaultOptions(root), dashboardPort: 8780 };

const int = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('must be a whole number from 1 to 65535');
  return n;
};

const count = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 100_000) throw new InvalidArgumentError('must be a whole number from 0 to 100000');
  return n;
};

type Flags = Partial<DeploymentOptions>;

const program = new Command('deploy').description('bring a local cellstack deployment up or down');
const withState = (cmd: Command): Command =>
  cmd.option('--state-dir <dir>', `where pids, logs and config live (default ${defaults.stateDir})`, (v) => resolve(v));

withState(program.command('up'))
  .description('start everything that is not running yet')
  .option('--cells <n>', `number of child cells (default ${defaults.cells})`, int)
  .option('--db-server <url>', `MariaDB server, mysql://user:pass@host:port (default ${defaults.dbServer})`)
  .option('--db-prefix <name>', `database name prefix (default ${defaults.dbPrefix})`)
  .option('--redis-url <url>', `Redis (default ${defaults.redisUrl})`)
  .option('--api-port <port>', `Compute API port (default ${defaults.apiPort})`, int)
  .option('--dashboard-port <port>', `dashboard port (default ${defaults.dashboardPort})`, int)
  .option('--nats-port <port>', `first cell's NATS port; cell N uses port + N - 1 (default ${defaults.natsPort})`, int)
  .option('--metrics-port <port>', `first /metrics port (default ${defaults.metricsPort})`, int)
  .option('--hosts-per-cell <n>', `fake compute hosts in each cell, 0 for none (default ${defaults.hostsPerCell})`, count)
  .option('--qemu-hosts <n>', 'QEMU compute hosts (real guests) in cell1, beside the fake ones; see docs/real-guests.md (default 0)', count)
  .option('--hosts-per-pool <n>', 'most fake hosts in one compute pool process; a cell with more runs several (default: one pool per cell)', count)
  .option('--nats-monitor-port <port>', "first cell's NATS monitoring port (/varz, which `ops/bin/loadtest` reads); cell N uses port + N - 1 (default: none)", int)
  .option('--super-conductors <n>', `super-conductor processes (default ${defaults.superConductors})`, int)
  .option('--api-workers <n>', `API worker processes sharing the API port; a dead one is replaced while the others serve (default ${defaults.apiWorkers ?? 1})`, int)
  .option('--nats-server <path>', 'the nats-server binary', '/usr/sbin/nats-server')
  .action(async (flags: Flags & { natsServer: string }) => {
    const { natsServer, ...given } = flags;
    if (!existsSync(natsServer)) throw new Error(`${natsServer} not found; install the nats-server package`);
    const options = resolveOptions(defaults, given);
    const result = await up(options, root, natsServer, (line) => console.log(line));
    const { layout } = result;
    if (result.alreadyRunning.length > 0) console.log(`already running: ${result.alreadyRunning.join(', ')}`);
    console.log(`\ncellstack is up with ${layout.cells.length} cells.`);
    console.log(`  Compute API:  ${layout.apiUrl}/v2.1`);
    if (layout.dashboardUrl) console.log(`  dashboard:    ${layout.dashboardUrl}   (sign in as admin with the credentials in ${layout.cloudsFile})`);
    console.log(`  credentials:  export OS_CLIENT_CONFIG_FILE=${layout.cloudsFile} OS_CLOUD=cellstack   (or: . ${layout.openrcFile})`);
    console.log(`  config:       ${layout.configFile}`);
    console.log(`  logs:         ${layout.logDir}`);
    console.log(`  check it:     CELLSTACK_CONFIG=${layout.configFile} ops/bin/cellctl status`);
    console.log(`  stop it:      ops/bin/deploy down${options.stateDir === defaults.stateDir ? '' : ` --state-dir ${options.stateDir}`}`);
  });

withState(program.command('down'))
  .description('stop every process of the deployment')
  .action(async (flags: Flags) => {
    const options = resolveOptions(defaults, flags);
    const { stopped, leftPorts } = await down(options);
    for (const p of stopped) console.log(`${p.alive ? 'FAILED to stop' : 'stopped'} ${p.name} (pid ${p.pid})`);
    if (stopped.length === 0) console.log('nothing was running');
    if (leftPorts.length > 0) throw new Error(`ports still answering after stop: ${leftPorts.join(', ')}`);
    if (stopped.some((p) => p.alive)) throw new Error('some processes did not stop');
  });

withState(program.command('status'))
  .description('list the deployment processes')
  .action((flags: Flags) => {
    const states = status(resolveOptions(defaults, flags));
    for (const p of states) console.log(`${p.alive ? 'running' : 'stopped'}  ${p.name}  (pid ${p.pid})`);
    if (states.length === 0) console.log('nothing is running');
  });

try {
  await program.parseAsync();
} catch (err) {
  console.error(`deploy: ${errorMessage(err)}`);
  process.exitCode = 1;
}
