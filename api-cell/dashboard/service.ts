import type { Server } from 'node:http';
import { Dependencies, parseListen, type RunningService, type ServiceContext } from '../../ops/runtime/index.js';
import { pingDatabase } from '../../ops/runtime-db/index.js';
import { CellRegistry } from '../cells/index.js';
import { openApiDatabase } from '../db/index.js';
import { createDashboardApp } from './app.js';
import { ConductorLoads, parseTargets } from './cells/load.js';
import { CellWatch } from './cells/watch.js';
import { OpenStackClient } from './client.js';
import { Fleet } from './fleet.js';
import { Sessions } from './session.js';

/** The URL the dashboard reaches the deployment's APIs at: the one clients use. */
export const apiBaseUrl = (config: ServiceContext['config']): string => (config.api.public_url || `http://${config.api.listen}`).replace(/\/$/, '');

/** Starts the dashboard: its pages under /dashboard, and the probes of every cell behind the cells page. */
export async function startDashboard({ config, log, metrics }: ServiceContext): Promise<RunningService> {
  const { host, port } = parseListen(config.dashboard.listen);
  // Cell mappings and host mappings (what `cellctl cell list` and `host list` read): only to know
  // which bus and database each cell has, and which cell a host is in. Everything else is the API's.
  const api = openApiDatabase(config.database.api_url, { poolMax: 2, connectTimeoutMs: config.dashboard.probe_timeout_ms });
  const dependencies = new Dependencies(metrics, log);
  await dependencies.waitFor('API database', () => pingDatabase(api.sequelize, api.url));
  const registry = new CellRegistry(api, { database: { poolMax: 1, connectTimeoutMs: config.dashboard.probe_timeout_ms }, busName: 'dashboard' });
  const { probe_interval_ms: intervalMs, probe_timeout_ms: timeoutMs, conductor_metrics: metricsTargets } = config.dashboard;
  const loads = metricsTargets ? new ConductorLoads(parseTargets(metricsTargets), timeoutMs, log) : undefined;
  const cells = new CellWatch(api, registry, { intervalMs, timeoutMs }, log, loads);
  const client = new OpenStackClient(apiBaseUrl(config));
  const app = createDashboardApp({ api: client, sessions: new Sessions(client, config.identity.token_secret), cells, fleet: new Fleet(client, cells), log });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s));
    s.once('error', reject);
  });
  cells.start();
  log.info({ url: `http://${host}:${port}/dashboard`, api: client.baseUrl }, 'dashboard listening');
  return {
    async stop() {
      cells.stop();
      dependencies.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await registry.close();
      await api.close();
    },
  };
}
