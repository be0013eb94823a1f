import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { down, resolveOptions } from '../launcher/deployment.js';
import { defaultOptions, layoutOf, type DeploymentOptions } from '../launcher/layout.js';
import { dropDatabase } from '../runtime-db/index.js';
import { pidsNamed } from './cpu.js';

/** Moves every benchmark port by this much (CELLSTACK_BENCH_PORT_SHIFT), for a machine where they are taken. */
const portShift = Number(process.env['CELLSTACK_BENCH_PORT_SHIFT'] ?? '0') || 0;

/** The benchmarks' own deployment: its own state directory, databases and ports, beside a developer's. */
export function benchOptions(root: string, cells: number, hostsPerCell: number, superConductors = 1): DeploymentOptions {
  return resolveOptions(defaultOptions(root), {
    stateDir: resolve(root, '.cellstack/bench'),
    cells,
    dbPrefix: 'cellstack_bench',
    apiPort: 18774 + portShift,
    natsPort: 14231 + portShift,
    metricsPort: 19180 + portShift,
    // The cells' buses count their messages (/varz) so a run can say how many a boot took.
    natsMonitorPort: 18222 + portShift,
    hostsPerCell,
    superConductors,
  });
}

/** Stops a previous benchmark deployment and drops its databases, so every run starts empty. */
export async function freshDeployment(options: DeploymentOptions): Promise<void> {
  await down(options);
  stopOnSignal(options);
  const layout = layoutOf(options);
  for (const url of [layout.apiDatabaseUrl, layout.networkDatabaseUrl, layout.cell0DatabaseUrl, ...layout.cells.map((c) => c.databaseUrl)]) await dropDatabase(url);
}

/** Every process of the deployment (by pid file, labelled by role) plus the MariaDB and Redis servers. */
export function processesToMeter(runDir: string): Map<number, string> {
  const processes = new Map<number, string>();
  for (const file of readdirSync(runDir).filter((f) => f.endsWith('.pid') && !f.endsWith('.server.pid'))) {
    const name = file.slice(0, -4);
    const label = name.replace(/^cell\d+-/, '').replace(/-\d+$/, '');
    processes.set(Number(readFileSync(resolve(runDir, file), 'utf8')), label);
  }
  for (const [pid, name] of pidsNamed(['mariadbd', 'redis-server'])) processes.set(pid, name);
  return processes;
}

/**
 * A benchmark stopped by a signal (Ctrl-C, a timing harness ending its process group) takes its
 * deployment down with it: its engines and processes run detached, and left behind they would hold
 * the benchmark's ports for the next run from any checkout.
 */
function stopOnSignal(options: DeploymentOptions): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`\n${signal}: stopping the benchmark deployment`);
      void down(options).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
}
