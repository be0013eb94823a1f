import { CONDUCTOR_QUEUE, conductorSubject } from '../bus/index.js';
import { ComputeClient } from '../compute/index.js';
import { openCellDatabase } from '../db/index.js';
import {
  connectBus,
  Counter,
  Dependencies,
  Histogram,
  InvalidInputError,
  serveRpc,
  type RunningService,
  type ServiceContext,
} from '../../ops/runtime/index.js';
import { pingDatabase } from '../../ops/runtime-db/index.js';
import { conductorMethods } from './handler.js';
import type { ConductorDeps } from './handlers/deps.js';
import { HeartbeatBatcher } from './handlers/hosts.js';
import { PlacementClient } from './placement-client.js';

/** Starts a cell conductor: the cell's database on one side, its bus on the other. */
export async function startConductor({ config, log, metrics }: ServiceContext): Promise<RunningService> {
  const { uuid, database_url: databaseUrl, transport_url: transportUrl } = config.cell;
  if (!uuid || !databaseUrl || !transportUrl) {
    throw new InvalidInputError('a cell conductor needs cell.uuid, cell.database_url and cell.transport_url');
  }
  const cellLog = log.child({ cell: config.cell.name || uuid });
  const db = openCellDatabase(databaseUrl, { poolMax: config.database.pool_max, connectTimeoutMs: config.database.connect_timeout_ms });
  const dependencies = new Dependencies(metrics, cellLog);
  await dependencies.waitFor('cell database', () => pingDatabase(db.sequelize, databaseUrl));
  dependencies.watchDatabase('cell database', () => pingDatabase(db.sequelize, databaseUrl));
  const nc = await dependencies.waitFor('cell bus', () => connectBus(transportUrl, { name: `cell-conductor ${config.cell.name || uuid}` }));
  dependencies.watchBus('cell bus', nc);
  const m = conductorMetrics(metrics);
  const deps: ConductorDeps = {
    cellUuid: uuid,
    db,
    compute: new ComputeClient(nc, uuid),
    placement: new PlacementClient({
      url: config.placement.url,
      serviceToken: config.placement.service_token,
      timeoutMs: config.placement.timeout_ms,
    }),
    castTimeoutMs: config.super_conductor.cast_timeout_ms,
    log: cellLog,
    onHeartbeatLag: (ms) => m.lag.observe(ms / 1000),
  };
  const heartbeats = new HeartbeatBatcher(deps);
  const subscription = serveRpc(nc, conductorSubject(uuid), {
    queue: CONDUCTOR_QUEUE,
    methods: conductorMethods(deps, heartbeats),
    log: cellLog,
    onHandled: (method, ok, took) => {
      m.handled.inc({ method, outcome: ok ? 'ok' : 'error' });
      m.seconds.observe({ method }, took);
    },
  });
  return {
    async stop() {
      dependencies.stop();
      subscription.unsubscribe();
      await heartbeats.close();
      await nc.drain();
      await db.close();
    },
  };
}

function conductorMetrics(registry: ServiceContext['metrics']) {
  const registers = [registry];
  return {
    handled: new Counter({
      name: 'cellstack_conductor_messages_total',
      help: 'Bus messages the conductor handled, by method and outcome.',
      labelNames: ['method', 'outcome'],
      registers,
    }),
    seconds: new Histogram({
      name: 'cellstack_conductor_handle_seconds',
      help: 'Time to handle one bus message, by method.',
      labelNames: ['method'],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
      registers,
    }),
    lag: new Histogram({
      name: 'cellstack_heartbeat_lag_seconds',
      help: "Time from a host sending its heartbeat to the conductor writing it.",
      // Fine from 1 ms to 10 s: a load test reads p50 and p99 from these buckets.
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10],
      registers,
    }),
  };
}
