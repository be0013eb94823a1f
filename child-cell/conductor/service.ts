import { CONDUCTOR_QUEUE, conductorSubject } from '../bus/index.js';
import { openCellDatabase } from '../db/index.js';
import {
  connectBus,
  Counter,
  Histogram,
  InvalidInputError,
  pingDatabase,
  serveRpc,
  type RunningService,
  type ServiceContext,
} from '../../ops/runtime/index.js';
import { conductorMethods } from './handler.js';

/** Starts a cell conductor: the cell's database on one side, its bus on the other. */
export async function startConductor({ config, log, metrics }: ServiceContext): Promise<RunningService> {
  const { uuid, database_url: databaseUrl, transport_url: transportUrl } = config.cell;
  if (!uuid || !databaseUrl || !transportUrl) {
    throw new InvalidInputError('a cell conductor needs cell.uuid, cell.database_url and cell.transport_url');
  }
  const db = openCellDatabase(databaseUrl, { poolMax: config.database.pool_max });
  await pingDatabase(db.sequelize, databaseUrl);
  const nc = await connectBus(transportUrl, { name: `cell-conductor ${config.cell.name || uuid}` });
  const handled = new Counter({
    name: 'cellstack_conductor_messages_total',
    help: 'Bus messages the conductor handled, by method and outcome.',
    labelNames: ['method', 'outcome'],
    registers: [metrics],
  });
  const seconds = new Histogram({
    name: 'cellstack_conductor_handle_seconds',
    help: 'Time to handle one bus message, by method.',
    labelNames: ['method'],
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
    registers: [metrics],
  });
  const subscription = serveRpc(nc, conductorSubject(uuid), {
    queue: CONDUCTOR_QUEUE,
    methods: conductorMethods({ cellUuid: uuid, db }),
    log: log.child({ cell: config.cell.name || uuid }),
    onHandled: (method, ok, took) => {
      handled.inc({ method, outcome: ok ? 'ok' : 'error' });
      seconds.observe({ method }, took);
    },
  });
  return {
    async stop() {
      subscription.unsubscribe();
      await nc.drain();
      await db.close();
    },
  };
}
