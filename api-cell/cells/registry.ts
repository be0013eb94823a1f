import { setTimeout as delay } from 'node:timers/promises';
import { ConnectionError } from 'sequelize';
import { openCellDatabase, type CellDatabase } from '../../child-cell/db/index.js';
import {
  connectBus,
  errorMessage,
  NotFoundError,
  UnavailableError,
  type NatsConnection,
} from '../../ops/runtime/index.js';
import {
  describeDbError,
  type DatabaseOptions,
} from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';
import { isCell0, toCellMapping, type CellMapping } from './mapping.js';

/** What code running "in" a cell gets: the cell, its database and its bus. */
export interface CellContext {
  cell: CellMapping;
  db: CellDatabase;
  bus(): Promise<NatsConnection>;
}

/** One cell's answer to a scatter-gather: a value, an error, or silence past the timeout. */
export type CellResult<T> =
  | { status: 'ok'; cell: CellMapping; value: T }
  | { status: 'error'; cell: CellMapping; error: unknown }
  | { status: 'timeout'; cell: CellMapping };

export interface CellRegistryOptions {
  database?: DatabaseOptions;
  scatterTimeoutMs?: number;
  /** Name this process gives its bus connections. */
  busName?: string;
}

/**
 * The one place that knows how to reach cells: it reads cell mappings from the API database and
 * keeps one database handle and one bus connection per cell, opened on first use.
 */
export class CellRegistry {
  private readonly databases = new Map<string, CellDatabase>();
  private readonly buses = new Map<string, Promise<NatsConnection>>();

  constructor(
    private readonly api: ApiDatabase,
    private readonly options: CellRegistryOptions = {},
  ) {}

  async list(): Promise<CellMapping[]> {
    const rows = await this.api.models.CellMapping.findAll({ order: [['id', 'ASC']] });
    return rows.map(toCellMapping);
  }

  /** Looks a cell up by name or uuid. */
  async find(nameOrUuid: string): Promise<CellMapping> {
    const cell = (await this.list()).find((c) => c.uuid === nameOrUuid || c.name === nameOrUuid);
    if (!cell) throw new NotFoundError(`no cell is named or has the uuid "${nameOrUuid}"`);
    return cell;
  }

  /** Runs `fn` bound to one cell; a cell that does not answer becomes an UnavailableError naming it. */
  async withCell<T>(cell: CellMapping, fn: (context: CellContext) => Promise<T>): Promise<T> {
    const context: CellContext = { cell, db: this.database(cell), bus: () => this.bus(cell) };
    try {
      return await fn(context);
    } catch (err) {
      if (err instanceof ConnectionError) {
        throw new UnavailableError(`cell ${cell.name} database does not answer: ${describeDbError(err)}`, {
          cause: err,
        });
      }
      throw err;
    }
  }

  /** Asks every given cell at once; cells that fail or stay silent past the timeout are marked, not fatal. */
  async scatterGather<T>(
    cells: CellMapping[],
    fn: (context: CellContext) => Promise<T>,
    timeoutMs = this.options.scatterTimeoutMs ?? 5000,
  ): Promise<CellResult<T>[]> {
    const abort = new AbortController();
    const timeout = delay(timeoutMs, 'timeout' as const, { signal: abort.signal }).catch(() => 'aborted' as const);
    try {
      return await Promise.all(
        cells.map(async (cell): Promise<CellResult<T>> => {
          const answer = this.withCell(cell, fn).then(
            (value) => ({ status: 'ok' as const, cell, value }),
            (error: unknown) => ({ status: 'error' as const, cell, error }),
          );
          const first = await Promise.race([answer, timeout]);
          return typeof first === 'string' ? { status: 'timeout', cell } : first;
        }),
      );
    } finally {
      abort.abort();
    }
  }

  /** The cell's database handle, reopened when the mapping's URL changes. */
  database(cell: CellMapping): CellDatabase {
    const key = `${cell.uuid} ${cell.databaseUrl}`;
    let db = this.databases.get(key);
    if (!db) {
      db = openCellDatabase(cell.databaseUrl, this.options.database);
      this.databases.set(key, db);
    }
    return db;
  }

  /** The cell's bus connection, made once and shared. cell0 has none. */
  bus(cell: CellMapping): Promise<NatsConnection> {
    if (isCell0(cell)) return Promise.reject(new NotFoundError('cell0 has no message bus'));
    const key = `${cell.uuid} ${cell.transportUrl}`;
    let bus = this.buses.get(key);
    if (!bus) {
      bus = connectBus(cell.transportUrl, { name: this.options.busName ?? 'cellstack' });
      bus.catch(() => this.buses.delete(key));
      this.buses.set(key, bus);
    }
    return bus;
  }

  async close(): Promise<void> {
    const closing: Promise<unknown>[] = [...this.databases.values()].map((db) => db.close());
    for (const bus of this.buses.values()) {
      closing.push(bus.then((nc) => nc.close()).catch((err: unknown) => errorMessage(err)));
    }
    this.databases.clear();
    this.buses.clear();
    await Promise.allSettled(closing);
  }
}
