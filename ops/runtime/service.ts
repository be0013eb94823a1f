import type { Server } from 'node:http';
import { parseArgs } from 'node:util';
import { answerPrimaryForMetrics, isClusterWorker, runPrimary } from './cluster.js';
import { loadConfig, type Config } from './config.js';
import { errorMessage } from './errors.js';
import { createLogger, type Logger } from './log.js';
import { createMetricsRegistry, serveMetrics, type Registry } from './metrics.js';

export interface ServiceContext {
  config: Config;
  log: Logger;
  metrics: Registry;
  /** Command-line options the service declared, beyond --config. */
  args: Record<string, string | undefined>;
}

export interface RunningService {
  stop(): Promise<void>;
}

export interface ServiceDefinition {
  /** Process kind, as it appears in logs and metrics: `api`, `cell-conductor`, ... */
  name: string;
  /** Extra string options the process takes (`--cell`, ...). */
  options?: string[];
  start(context: ServiceContext): Promise<RunningService>;
  /** How many worker processes share the service's listening socket (Node's cluster); 1 or absent: this process alone. */
  workers?: (config: Config) => number;
}

const stopTimeoutMs = 15_000;

/**
 * The life of every cellstack process: read the config, start, serve metrics, and on SIGTERM
 * or SIGINT stop cleanly (or give up after a while and exit non-zero).
 */
export async function runService(definition: ServiceDefinition, argv = process.argv.slice(2)): Promise<void> {
  let log = createLogger(definition.name);
  try {
    const extra = Object.fromEntries((definition.options ?? []).map((name) => [name, { type: 'string' as const }]));
    const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, ...extra }, strict: true });
    const config = loadConfig({ file: values.config });
    log = createLogger(definition.name, config.logging.level);
    const workers = definition.workers?.(config) ?? 1;
    if (workers > 1 && !isClusterWorker()) {
      await runPrimary({ name: definition.name, workers, metricsListen: config.metrics.listen, log });
      return;
    }
    const metrics = createMetricsRegistry(definition.name);
    const args = values as Record<string, string | undefined>;
    const service = await definition.start({ config, log, metrics, args });
    // A worker's figures are summed and served by its primary.
    if (isClusterWorker()) answerPrimaryForMetrics(metrics);
    const metricsServer = config.metrics.listen && !isClusterWorker() ? await serveMetrics(metrics, config.metrics.listen) : undefined;
    log.info({ metrics: config.metrics.listen || undefined }, `${definition.name} started`);
    // Lines are buffered a few KiB at a time: write the start-up ones now, so a process killed
    // early (SIGKILL, a crash outside JavaScript) still leaves them in its log.
    log.flush();
    handleSignals(definition.name, log, service, metricsServer);
  } catch (err) {
    log.fatal({ err: errorMessage(err) }, `${definition.name} failed to start`);
    process.exitCode = 1;
    // Let the log line flush, then leave even if some handle keeps the loop alive.
    setTimeout(() => process.exit(1), 100).unref();
  }
}

function handleSignals(name: string, log: Logger, service: RunningService, metricsServer?: Server): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, `${name} stopping`);
    const timer = setTimeout(() => {
      log.error(`${name} did not stop within ${stopTimeoutMs} ms`);
      process.exit(1);
    }, stopTimeoutMs);
    timer.unref();
    service
      .stop()
      .then(() => metricsServer?.close())
      .then(() => {
        log.info(`${name} stopped`);
        process.exit(0);
      })
      .catch((err: unknown) => {
        log.error({ err: errorMessage(err) }, `${name} failed to stop cleanly`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
