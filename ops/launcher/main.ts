import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { errorMessage } from '../runtime/index.js';
import { bootstrapInventory, downInventory, inventoryCa, planHosts, upInventory } from '../inventory/index.js';
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

/**
 * A TLS deployment's buses and API answer only to clients trusting its CA, and Node reads the
 * trusted set once at start: so the launcher runs itself again with the CA in NODE_EXTRA_CA_CERTS.
 */
function trustInventoryCa(inventory: string, given: Flags): void {
  const ca = inventoryCa(inventory, defaults, given);
  if (!ca || process.env['NODE_EXTRA_CA_CERTS'] === ca) return;
  const again = spawnSync(process.execPath, process.argv.slice(1), { stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: ca } });
  process.exit(again.status ?? 1);
}

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
  .option('--inventory <file>', 'a multi-machine deployment: the machines and what runs on each (docs/multi-machine.md)')
  .action(async (flags: Flags & { natsServer: string; inventory?: string }) => {
    const { natsServer, inventory, ...given } = flags;
    if (!existsSync(natsServer)) throw new Error(`${natsServer} not found; install the nats-server package`);
    if (inventory) trustInventoryCa(inventory, given);
    const say = (line: string): void => console.log(line);
    const result = inventory
      ? await upInventory(inventory, defaults, given, root, natsServer, say)
      : await up(resolveOptions(defaults, given), root, natsServer, say);
    const { options } = result.layout;
    const { layout } = result;
    if (result.alreadyRunning.length > 0) console.log(`already running: ${result.alreadyRunning.join(', ')}`);
    console.log(`\ncellstack is up with ${layout.cells.length} cells.`);
    console.log(`  Compute API:  ${layout.apiUrl}/v2.1`);
    if (layout.dashboardUrl) console.log(`  dashboard:    ${layout.dashboardUrl}   (sign in as admin with the credentials in ${layout.cloudsFile})`);
    console.log(`  credentials:  export OS_CLIENT_CONFIG_FILE=${layout.cloudsFile} OS_CLOUD=cellstack   (or: . ${layout.openrcFile})`);
    console.log(`  config:       ${layout.configFile}`);
    console.log(`  logs:         ${layout.logDir}`);
    const trust = layout.caFile ? `NODE_EXTRA_CA_CERTS=${layout.caFile} ` : '';
    console.log(`  check it:     ${trust}CELLSTACK_CONFIG=${layout.configFile} ops/bin/cellctl status`);
    console.log(`  stop it:      ops/bin/deploy down${options.stateDir === defaults.stateDir ? '' : ` --state-dir ${options.stateDir}`}`);
  });

withState(program.command('down'))
  .description('stop every process of the deployment (and remove the machines an inventory deployment made)')
  .option('--inventory <file>', 'the inventory it was brought up with (deployment.json remembers it too)')
  .action(async (flags: Flags & { inventory?: string }) => {
    const { inventory, ...given } = flags;
    const options = resolveOptions(defaults, given);
    if (inventory || options.inventory) {
      const { stopped, removed } = await downInventory(options);
      for (const p of stopped) console.log(`${p.alive ? 'FAILED to stop' : 'stopped'} ${p.name} (pid ${p.pid})`);
      if (removed.length > 0) console.log(`removed ${removed.join(', ')}`);
      if (stopped.some((p) => p.alive)) throw new Error('some processes did not stop');
      return;
    }
    const { stopped, leftPorts } = await down(options);
    for (const p of stopped) console.log(`${p.alive ? 'FAILED to stop' : 'stopped'} ${p.name} (pid ${p.pid})`);
    if (stopped.length === 0) console.log('nothing was running');
    if (leftPorts.length > 0) throw new Error(`ports still answering after stop: ${leftPorts.join(', ')}`);
    if (stopped.some((p) => p.alive)) throw new Error('some processes did not stop');
  });

withState(program.command('plan'))
  .description('for real machines: write the deployment\'s files into the state dir and print what to start on each machine, in order')
  .requiredOption('--inventory <file>', 'the inventory (network.kind hosts)')
  .action(async (flags: Flags & { inventory: string }) => {
    const { inventory, ...given } = flags;
    console.log(await planHosts(inventory, defaults, given, root, '/usr/sbin/nats-server', (line) => console.error(line)));
  });

withState(program.command('bootstrap'))
  .description('for real machines, once their engines run: create the databases, map the cells, make the admin user')
  .requiredOption('--inventory <file>', 'the inventory (network.kind hosts)')
  .action(async (flags: Flags & { inventory: string }) => {
    const { inventory, ...given } = flags;
    trustInventoryCa(inventory, given);
    const plan = await bootstrapInventory(inventory, defaults, given, root, '/usr/sbin/nats-server', (line) => console.log(line));
    console.log(`bootstrapped; \`deploy plan --inventory ${inventory}\` now lists the cells' processes. Credentials: ${plan.layout.cloudsFile}`);
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
