import type { Server } from 'node:http';
import { parseListen, pingDatabase, type RunningService, type ServiceContext } from '../ops/runtime/index.js';
import { openApiDatabase } from './db/index.js';
import { createApp } from './http/app.js';

/** Starts the Compute API process. */
export async function startApi({ config, log }: ServiceContext): Promise<RunningService> {
  const { host, port } = parseListen(config.api.listen);
  const api = openApiDatabase(config.database.api_url, {
    poolMax: config.database.pool_max,
    connectTimeoutMs: config.database.connect_timeout_ms,
  });
  await pingDatabase(api.sequelize, api.url);
  const publicUrl = (config.api.public_url || `http://${host}:${port}`).replace(/\/$/, '');
  const app = createApp({ publicUrl, log });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s));
    s.once('error', reject);
  });
  log.info({ url: publicUrl }, 'Compute API listening');
  return {
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await api.close();
    },
  };
}
