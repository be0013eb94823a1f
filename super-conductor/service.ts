import { CellRegistry, discoverHosts } from '../api-cell/cells/index.js';
import { openApiDatabase, type ApiDatabase } from '../api-cell/db/index.js';
import { networkDatabaseUrl, openNetworkDatabase } from '../api-cell/network/index.js';
import {
  Batcher,
  Counter,
  Dependencies,
  errorMessage,
  Gauge,
  Histogram,
  type Logger,
  type RunningService,
  type ServiceContext,
} from '../ops/runtime/index.js';
import { pingDatabase } from '../ops/runtime-db/index.js';
import { buildReservations, failReservation, watchBuilds, type BuildDeps } from './boot/index.js';
import type { BuildJob } from './queue/index.js';
import { failInstanceJob, offloadShelved, reclaimSoftDeleted, runInstanceJob } from './move/index.js';
import { BuildQueue, MoveQueue } from './queue/index.js';
import { startBuildWorker, startMoveWorker } from './queue/worker/index.js';
import { reapOrphanedBuilds } from './reaper.js';
import { HostStateCache, Scheduler } from './scheduler/index.js';

/** Runs `task` every `ms`, never two at once, logging failures instead of dying of them. */
function every(ms: number, log: Logger, what: string, task: () => Promise<unknown>): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    task()
      .catch((err: unknown) => log.warn({ err: errorMessage(err) }, `${what} failed`))
      .finally(() => {
        running = false;
      });
  }, ms);
  return () => clearInterval(timer);
}

/** Starts a super-conductor: build workers, the scheduler's host-state cache, and the reaper. */
export async function startSuperConductor({ config, log, metrics }: ServiceContext): Promise<RunningService> {
  const api: ApiDatabase = openApiDatabase(config.database.api_url, {
    poolMax: config.database.pool_max,
    connectTimeoutMs: config.database.connect_timeout_ms,
  });
  const dependencies = new Dependencies(metrics, log);
  await dependencies.waitFor('API database', () => pingDatabase(api.sequelize, api.url));
  dependencies.watchDatabase('API database', () => pingDatabase(api.sequelize, api.url));
  const network = openNetworkDatabase(networkDatabaseUrl(config), { poolMax: config.database.pool_max, connectTimeoutMs: config.database.connect_timeout_ms });
  await dependencies.waitFor('network database', () => pingDatabase(network.sequelize, network.url));
  dependencies.watchDatabase('network database', () => pingDatabase(network.sequelize, network.url));
  const registry = new CellRegistry(api, {
    database: { poolMax: config.database.pool_max, connectTimeoutMs: config.database.connect_timeout_ms },
    scatterTimeoutMs: config.cells.scatter_timeout_ms,
    busName: 'super-conductor',
  });
  const cache = new HostStateCache(api, registry, {
    defaultAvailabilityZone: config.scheduler.default_availability_zone,
    serviceDownTimeMs: config.compute.service_down_time * 1000,
    log,
  });
  await cache.fullRefresh();
  const scheduler = new Scheduler(cache, api, {
    config: config.scheduler,
    serviceDownTimeMs: config.compute.service_down_time * 1000,
    log,
  });
  const m = buildMetrics(metrics, cache);
  const queue = new BuildQueue({ redisUrl: config.redis.url, prefix: config.redis.queue_prefix, attempts: config.super_conductor.job_attempts });
  queue.watch(dependencies);
  const deps: BuildDeps = {
    api,
    network,
    registry,
    scheduler,
    castTimeoutMs: config.super_conductor.cast_timeout_ms,
    requeue: (jobs, delayMs) => queue.enqueueMany(jobs, 3000, delayMs),
    waitForHostsMs: config.super_conductor.build_wait_for_hosts_ms,
    log,
    onBuilt: (o) => {
      m.placed.inc(o.placed);
      m.buried.inc(o.buried);
      m.decision.observe(o.decisionMs / 1000);
      m.conflicts.inc(o.conflicts);
      m.batch.observe(o.jobs);
    },
  };
  // Jobs taken at once are built as one batch (up to max_batch servers).
  const batcher = new Batcher<BuildJob>((jobs) => buildReservations(deps, jobs), config.super_conductor.max_batch, (job) => job.instance_uuids.length);
  const worker = startBuildWorker({
    redisUrl: config.redis.url,
    prefix: config.redis.queue_prefix,
    concurrency: config.super_conductor.concurrency,
    lockMs: config.super_conductor.job_lock_ms,
    log,
    run: async (job) => {
      const end = m.jobSeconds.startTimer();
      try {
        await batcher.submit(job);
      } finally {
        end();
      }
    },
    onFailed: (job, reason) => failReservation(deps, job, reason),
  });
  const moves = startMoveWorker({
    redisUrl: config.redis.url,
    prefix: config.redis.queue_prefix,
    concurrency: 8,
    lockMs: config.super_conductor.job_lock_ms,
    log,
    run: (job) => runInstanceJob({ ...deps, snapshotTimeoutMs: config.super_conductor.snapshot_timeout_ms }, job),
    onFailed: (job, reason) => failInstanceJob(deps, job, reason),
  });
  const stops = [
    every(config.scheduler.host_state_refresh_ms, log, 'host-state refresh', async () => {
      await cache.refresh();
      m.refreshes.inc();
    }),
    every(config.scheduler.host_state_full_refresh_ms, log, 'host-state full refresh', async () => {
      await cache.fullRefresh();
      m.refreshes.inc();
    }),
    every(config.super_conductor.reaper_interval_ms, log, 'reaper', async () => {
      if (!(await queue.lead('reaper', config.super_conductor.reaper_interval_ms))) return;
      m.reaped.inc(await reapOrphanedBuilds({ api, queue, staleMs: config.super_conductor.reaper_stale_ms, log }));
    }),
  ];
  const watchMs = config.super_conductor.build_watch_interval_ms;
  if (watchMs > 0) {
    stops.push(
      every(watchMs, log, 'build watchdog', async () => {
        if (!(await queue.lead('build-watchdog', watchMs))) return;
        const counts = await watchBuilds(deps, { stallMs: config.super_conductor.build_stall_ms, buildTimeoutMs: config.compute.instance_build_timeout * 1000 });
        m.redriven.inc(counts.recast + counts.returned + counts.deletes);
      }),
    );
  }
  const moveQueue = new MoveQueue({ redisUrl: config.redis.url, prefix: config.redis.queue_prefix, attempts: config.super_conductor.job_attempts });
  const offloadAfter = config.compute.shelved_offload_time;
  const pollMs = config.compute.shelved_poll_interval * 1000;
  if (offloadAfter > 0 && pollMs > 0) {
    stops.push(
      every(pollMs, log, 'shelved offload', async () => {
        if (!(await queue.lead('shelved-offload', pollMs))) return;
        await offloadShelved({ registry, moves: moveQueue, log }, offloadAfter);
      }),
    );
  }
  const reclaimAfter = config.compute.reclaim_instance_interval;
  if (reclaimAfter > 0) {
    // As in Nova, the interval is both how long a soft delete lasts and how often it is looked for.
    stops.push(
      every(reclaimAfter * 1000, log, 'soft-delete reclaim', async () => {
        if (!(await queue.lead('reclaim', reclaimAfter * 1000))) return;
        await reclaimSoftDeleted({ api, network, registry, terminateTimeoutMs: config.api.terminate_timeout_ms, log }, reclaimAfter);
      }),
    );
  }
  const discoverMs = config.scheduler.discover_hosts_in_cells_interval * 1000;
  if (discoverMs > 0) {
    stops.push(
      every(discoverMs, log, 'host discovery', async () => {
        if (!(await queue.lead('discover-hosts', discoverMs))) return;
        const found = await discoverHosts(api, registry);
        if (found.mapped.length > 0) log.info({ mapped: found.mapped.length }, 'new compute hosts mapped to their cells');
        for (const c of found.conflicts) log.warn({ host: c.host, cell: c.cell, mapped_to: c.mappedTo }, 'host found in a second cell; left mapped where it was');
      }),
    );
  }
  log.info({ hosts: cache.size }, 'host states loaded');
  return {
    async stop() {
      for (const stop of stops) stop();
      dependencies.stop();
      await worker.close();
      await moves.close();
      await moveQueue.close();
      await queue.close();
      await registry.close();
      await api.close();
      await network.close();
    },
  };
}

function buildMetrics(registry: ServiceContext['metrics'], cache: HostStateCache) {
  const registers = [registry];
  new Gauge({ name: 'cellstack_scheduler_hosts', help: 'Host states the scheduler knows.', registers, collect() { this.set(cache.size); } });
  return {
    placed: new Counter({ name: 'cellstack_builds_placed_total', help: 'Instances placed on a host.', registers }),
    buried: new Counter({ name: 'cellstack_builds_buried_total', help: 'Instances buried in cell0 (no valid host).', registers }),
    conflicts: new Counter({ name: 'cellstack_claim_conflicts_total', help: 'Claim transactions retried after a generation conflict.', registers }),
    redriven: new Counter({ name: 'cellstack_builds_redriven_total', help: 'Stalled builds the watchdog cast again or handed back to be scheduled again.', registers }),
    reaped: new Counter({ name: 'cellstack_builds_reaped_total', help: 'Build requests queued again by the reaper.', registers }),
    refreshes: new Counter({ name: 'cellstack_scheduler_refreshes_total', help: 'Host-state refreshes done (incremental and full).', registers }),
    batch: new Histogram({
      name: 'cellstack_build_batch_jobs',
      help: 'Build jobs handled together in one batch.',
      buckets: [1, 2, 4, 8, 16, 32, 64],
      registers,
    }),
    decision: new Histogram({
      name: 'cellstack_scheduler_decision_seconds',
      help: 'Time to choose hosts for one reservation (filters and weighers).',
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5],
      registers,
    }),
    jobSeconds: new Histogram({
      name: 'cellstack_build_job_seconds',
      help: 'Time to build one reservation, queue to cast.',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    }),
  };
}
