import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { openCellDatabase, type CellDatabase } from '../../child-cell/db/index.js';
import { COMPUTE_BINARY } from '../../child-cell/bus/index.js';
import { freshDeployment } from '../bench/deployment.js';
import { resolveOptions, up } from '../launcher/deployment.js';
import { defaultOptions, layoutOf, type DeploymentOptions, type Layout } from '../launcher/layout.js';
import { cellMetricsPorts } from '../launcher/plan.js';
import { readPid } from '../launcher/processes.js';
import { errorMessage } from '../runtime/index.js';
import { select } from '../runtime-db/index.js';
import type { CellProbe } from './sampler.js';
import { scenarioConfig, type Scenario } from './scenario.js';

const natsServer = '/usr/sbin/nats-server';

/** The deployment options a scenario asks for. */
export function scenarioOptions(root: string, s: Scenario): DeploymentOptions {
  const d = s.deployment;
  const stateDir = resolve(root, d.state_dir);
  if (d.reuse) {
    if (!existsSync(resolve(stateDir, 'deployment.json'))) throw new Error(`no deployment to reuse in ${stateDir} (deployment.json is missing)`);
    return resolveOptions(defaultOptions(root), { stateDir });
  }
  return resolveOptions(defaultOptions(root), {
    stateDir,
    cells: d.cells,
    dbPrefix: d.db_prefix,
    apiPort: d.api_port,
    natsPort: d.nats_port,
    natsMonitorPort: d.nats_monitor_port,
    metricsPort: d.metrics_port,
    hostsPerCell: d.hosts_per_cell,
    hostsPerPool: d.hosts_per_pool,
    superConductors: d.super_conductors,
    config: scenarioConfig(s),
    ...(d.db_server ? { dbServer: d.db_server } : {}),
    ...(d.redis_url ? { redisUrl: d.redis_url } : {}),
  });
}

/** Starts a fresh deployment (dropping the databases of an earlier one), unless the scenario reuses a running one. */
export async function bringUp(root: string, s: Scenario, options: DeploymentOptions, say: (line: string) => void): Promise<Layout> {
  if (s.deployment.reuse) return layoutOf(options);
  await freshDeployment(options);
  try {
    await up(options, root, natsServer, say);
  } catch (err) {
    // On a busy machine a process now and then misses its start-up check; one fresh try more
    // keeps a long study going.
    say(`start-up failed (${errorMessage(err).split('\n')[0] ?? ''}); starting afresh once more`);
    await freshDeployment(options);
    await up(options, root, natsServer, say);
  }
  return layoutOf(options);
}

/** Stops a deployment the run started and drops its databases, unless asked to keep it. */
export async function bringDown(s: Scenario, options: DeploymentOptions): Promise<void> {
  if (s.deployment.reuse || s.deployment.keep) return;
  await freshDeployment(options);
}

/** Every /metrics endpoint of the deployment, in the order the launcher hands out ports. */
export function metricsUrls(layout: Layout): string[] {
  if (layout.metricsUrls) return layout.metricsUrls;
  const { host, metricsPort, superConductors } = layout.options;
  const count = cellMetricsPorts(layout) + superConductors + 1;
  return Array.from({ length: count }, (_, i) => `http://${host}:${metricsPort + i}/metrics`);
}

export function cellProbes(layout: Layout): CellProbe[] {
  const { host, metricsPort } = layout.options;
  return layout.cells.map((cell, i) => ({
    name: cell.name,
    database: cell.databaseUrl.slice(cell.databaseUrl.lastIndexOf('/') + 1),
    conductorPid: readPid(layout.runDir, cell.conductor?.name ?? `${cell.name}-conductor`),
    conductorMetricsUrl: cell.conductor?.metricsUrl ?? `http://${host}:${metricsPort + i}/metrics`,
    natsMonitorUrl: `http://${host}:${cell.natsMonitorPort ?? 0}`,
  }));
}

export function openCells(layout: Layout): CellDatabase[] {
  return layout.cells.map((c) => openCellDatabase(c.databaseUrl, { poolMax: 1 }));
}

/** Compute services that heartbeated lately, over all cells. */
export async function hostsUp(cells: CellDatabase[], withinSeconds: number): Promise<number> {
  const counts = await Promise.all(
    cells.map((db) =>
      select<{ n: number }>(
        db,
        'SELECT COUNT(*) AS n FROM services WHERE `binary` = ? AND deleted = 0 AND last_seen_up > NOW() - INTERVAL ? SECOND',
        [COMPUTE_BINARY, Math.ceil(withinSeconds)],
      ),
    ),
  );
  return counts.reduce((sum, rows) => sum + Number(rows[0]?.n ?? 0), 0);
}
