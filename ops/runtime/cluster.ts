import cluster, { type Worker } from 'node:cluster';
import type { Server } from 'node:http';
import { AggregatorRegistry, Gauge, type Registry } from 'prom-client';
import type { Logger } from './log.js';
import { createMetricsRegistry, serveMetrics } from './metrics.js';

/** A worker that dies sooner than this after it started counts as failing to start: the next waits longer. */
const quickDeathMs = 5000;
const stopTimeoutMs = 15_000;

export interface ClusterOptions {
  name: string;
  workers: number;
  /** host:port for the primary's /metrics (every worker's figures summed), or empty. */
  metricsListen: string;
  log: Logger;
}

/**
 * The primary of a process kind that runs as several workers on one listening socket (Node's
 * cluster module): it keeps `workers` alive, starting one again when it dies, so a killed
 * worker never leaves the port without a listener; it serves the workers' metrics summed
 * (prom-client's AggregatorRegistry) and stops them all on SIGTERM or SIGINT.
 */
export async function runPrimary(options: ClusterOptions): Promise<void> {
  const { log } = options;
  let stopping = false;
  let restartDelayMs = 100;
  const own = createMetricsRegistry(`${options.name}-primary`);
  const aggregator = new AggregatorRegistry<typeof own.contentType>();
  const alive = new Gauge({ name: 'cellstack_workers_alive', help: 'Worker processes alive under this primary.', registers: [own] });
  const restarts = new Gauge({ name: 'cellstack_worker_restarts', help: 'Workers started again after one died.', registers: [own] });
  const listening = new Gauge({ name: 'cellstack_workers_listening', help: 'Worker processes accepting connections on the shared socket.', registers: [own] });
  const started = new Map<number, number>();
  const listeners = new Set<number>();
  // Every worker is told how many of its kind listen, for its health check (cellctl status reads it).
  const announce = (): void => {
    for (const w of Object.values(cluster.workers ?? {})) {
      if (w?.isConnected()) w.send({ type: workersMessage, wanted: options.workers, listening: listeners.size });
    }
  };
  cluster.on('listening', (worker: Worker) => {
    listeners.add(worker.id);
    listening.set(listeners.size);
    announce();
  });

  // Workers accept from the shared socket themselves: a connection the kernel queued is taken by
  // a live worker, where the primary's round robin could hand one to a worker dying that moment.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const fork = (): void => {
    const worker = cluster.fork({ CELLSTACK_CLUSTER_WORKER: '1' });
    started.set(worker.id, Date.now());
    alive.set(Object.keys(cluster.workers ?? {}).length);
  };
  cluster.on('exit', (worker: Worker, code, signal) => {
    alive.set(Object.keys(cluster.workers ?? {}).length);
    listeners.delete(worker.id);
    listening.set(listeners.size);
    announce();
    if (stopping) return;
    const lived = Date.now() - (started.get(worker.id) ?? 0);
    started.delete(worker.id);
    restartDelayMs = lived < quickDeathMs ? Math.min(restartDelayMs * 2, 10_000) : 100;
    log.error({ pid: worker.process.pid, code, signal, restart_in_ms: restartDelayMs }, `${options.name} worker died; starting another`);
    restarts.inc();
    setTimeout(() => {
      if (!stopping) fork();
    }, restartDelayMs).unref();
  });
  for (let i = 0; i < options.workers; i += 1) fork();

  let metricsServer: Server | undefined;
  if (options.metricsListen) {
    const summed = {
      contentType: own.contentType,
      metrics: async () => `${await aggregator.clusterMetrics()}\n${await own.metrics()}`,
    };
    metricsServer = await serveMetrics(summed, options.metricsListen);
  }
  log.info({ workers: options.workers, metrics: options.metricsListen || undefined }, `${options.name} primary started`);

  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, `${options.name} primary stopping its workers`);
    setTimeout(() => process.exit(1), stopTimeoutMs).unref();
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => Boolean(w));
    const exits = workers.map((w) => new Promise((done) => w.once('exit', done)));
    for (const w of workers) w.process.kill('SIGTERM');
    void Promise.all(exits).then(() => {
      metricsServer?.close();
      log.info(`${options.name} stopped`);
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

const workersMessage = 'cellstack:workers';
let siblings: { wanted: number; listening: number } | undefined;
if (cluster.isWorker) {
  process.on('message', (message: unknown) => {
    const m = message as { type?: unknown; wanted?: unknown; listening?: unknown };
    if (m.type === workersMessage && typeof m.wanted === 'number' && typeof m.listening === 'number') siblings = { wanted: m.wanted, listening: m.listening };
  });
}

/** In a worker: how many workers its primary keeps, and how many listen now (undefined in a process of its own). */
export function workerCounts(): { wanted: number; listening: number } | undefined {
  return siblings;
}

/** In a worker: the primary collects this registry's figures instead of the worker serving them. */
export function isClusterWorker(): boolean {
  return cluster.isWorker && process.env['CELLSTACK_CLUSTER_WORKER'] === '1';
}

/** In a worker: answer the primary's requests for figures from `registry`. */
export function answerPrimaryForMetrics(registry: Registry): void {
  AggregatorRegistry.setRegistries(registry);
  // prom-client starts answering the primary when an AggregatorRegistry is made in the worker.
  new AggregatorRegistry();
}
