import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { down } from '../launcher/deployment.js';
import { layoutOf, type DeploymentOptions } from '../launcher/layout.js';
import { dropDatabase } from '../runtime/index.js';
import { pidsNamed } from './cpu.js';

/** Stops a previous benchmark deployment and drops its databases, so every run starts empty. */
export async function freshDeployment(options: DeploymentOptions): Promise<void> {
  await down(options);
  const layout = layoutOf(options);
  for (const url of [layout.apiDatabaseUrl, layout.cell0DatabaseUrl, ...layout.cells.map((c) => c.databaseUrl)]) await dropDatabase(url);
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
