import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import { parseListen } from './urls.js';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * SQL statements this process sent, by database name: summed over every process, a load test's
 * per-cell "DB statements/s". Counted at the client because MariaDB's own per-schema figures
 * need performance_schema, which is off by default.
 */
export const dbStatements = new Counter({
  name: 'cellstack_db_statements_total',
  help: 'SQL statements sent, by database.',
  labelNames: ['database'],
  registers: [],
});

/**
 * A registry with the process metrics (CPU, memory, event-loop lag, DB statements) every process
 * reports. Event-loop delay is sampled every 100 ms, not prom-client's 10 ms: the 10 ms timer
 * alone costs an idle process 0.4% of a core, and a deployment runs two dozen processes.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  registry.registerMetric(dbStatements);
  return registry;
}

/** Serves GET /metrics on `listen` (host:port); resolves once listening. */
export async function serveMetrics(registry: Pick<Registry, 'contentType' | 'metrics'>, listen: string): Promise<Server> {
  const { host, port } = parseListen(listen);
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return server;
}
