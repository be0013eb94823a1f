import type { Server } from 'node:http';
import { Dependencies, InvalidInputError, parseListen, type RunningService, type ServiceContext } from '../ops/runtime/index.js';
import { pingDatabase } from '../ops/runtime-db/index.js';
import { BuildQueue } from '../super-conductor/queue/index.js';
import { CellRegistry } from './cells/index.js';
import { openApiDatabase } from './db/index.js';
import { networkDatabaseUrl, openNetworkDatabase } from './network/index.js';
import { createApp } from './http/app.js';
import { apiServices } from './http/routes/services.js';

/** Starts the Compute API process. */
export async function startApi({ config, log, metrics }: ServiceContext): Promise<RunningService> {
  const { host, port } = parseListen(config.api.listen);
  const dbOptions = { poolMax: config.database.pool_max, connectTimeoutMs: config.database.connect_timeout_ms };
  const api = openApiDatabase(config.database.api_url, dbOptions);
  const dependencies = new Dependencies(metrics, log);
  await dependencies.waitFor('API database', () => pingDatabase(api.sequelize, api.url));
  dependencies.watchDatabase('API database', () => pingDatabase(api.sequelize, api.url));
  const network = openNetworkDatabase(networkDatabaseUrl(config), dbOptions);
  dependencies.watchDatabase('network database', () => pingDatabase(network.sequelize, network.url));
  const registry = new CellRegistry(api, { database: dbOptions, scatterTimeoutMs: config.cells.scatter_timeout_ms, busName: 'api' });
  const queue = new BuildQueue({ redisUrl: config.redis.url, prefix: config.redis.queue_prefix, attempts: config.super_conductor.job_attempts });
  queue.watch(dependencies);
  const publicUrl = (config.api.public_url || `http://${host}:${port}`).replace(/\/$/, '');
  if (config.api.auth_strategy === 'trusted-headers') {
    log.warn('api.auth_strategy is trusted-headers: anyone who can reach this port can act as anyone. For tests and development only.');
  }
  if (config.api.auth_strategy === 'keystone' && !config.identity.token_secret && !config.identity.external_url) {
    throw new InvalidInputError('api.auth_strategy keystone needs identity.token_secret (or identity.external_url for an external Keystone)');
  }
  const services = apiServices(config, api, network, registry, queue, publicUrl, log);
  await services.identity.start();
  services.volumes.start();
  const app = createApp({ config, log, services });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s));
    s.once('error', reject);
  });
  server.keepAliveTimeout = 65_000;
  log.info({ url: publicUrl }, 'Compute API listening');
  return {
    async stop() {
      dependencies.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      services.identity.stop();
      await services.volumes.close();
      await queue.close();
      await services.moves.close();
      await registry.close();
      await api.close();
      await network.close();
    },
  };
}
