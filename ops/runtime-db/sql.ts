import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { dbStatements } from '../runtime/index.js';
import { retryDeadlocks } from './retry.js';

/** Thin helpers over Sequelize's raw queries, so hot paths write one statement per batch. */
export interface Runner {
  sequelize: Sequelize;
  transaction?: Transaction | undefined;
}

export async function select<T extends object>(run: Runner, sql: string, values: unknown[] = []): Promise<T[]> {
  return run.sequelize.query<T>(sql, { replacements: values, type: QueryTypes.SELECT, transaction: run.transaction ?? null });
}

/**
 * Runs an INSERT / UPDATE / DELETE and returns the number of rows it changed. A statement of
 * its own that MariaDB picked as a deadlock victim changed nothing, so it is run again; inside
 * a transaction the whole transaction has to be, which is its owner's call.
 */
export async function execute(run: Runner, sql: string, values: unknown[] = []): Promise<number> {
  const once = async () => affectedRows(await run.sequelize.query(sql, { replacements: values, type: QueryTypes.RAW, transaction: run.transaction ?? null }));
  return run.transaction ? once() : retryDeadlocks(once);
}

/** Sequelize shapes a statement's result by what it guesses the SQL is; find the row count in any shape. */
function affectedRows(result: unknown): number {
  if (typeof result === 'number') return result;
  if (Array.isArray(result)) {
    const [first, second] = result as unknown[];
    if (typeof second === 'number') return second;
    return affectedRows(first);
  }
  if (result && typeof result === 'object' && 'affectedRows' in result) return Number(result.affectedRows);
  return 0;
}

/** `(?, ?, ?), (?, ?, ?)` for rows of `width` values. */
export function placeholders(rows: number, width: number): string {
  const row = `(${new Array<string>(width).fill('?').join(', ')})`;
  return new Array<string>(rows).fill(row).join(', ');
}

export function inList(count: number): string {
  return new Array<string>(count).fill('?').join(', ');
}

interface DriverConnection {
  query(options: { sql: string; typeCast?: undefined }, values: unknown[]): Promise<unknown>;
}

/**
 * A SELECT through the mariadb driver on one of Sequelize's pooled connections, without
 * Sequelize's per-field type casting: about a fifth of the CPU for a page of wide rows. Same
 * types back (dates as UTC Date objects, BIGINT as numbers). For the hottest reads only.
 */
export async function fastSelect<T extends object>(run: Runner, sql: string, values: unknown[] = []): Promise<T[]> {
  const manager = run.sequelize.connectionManager as unknown as {
    getConnection(options: { type: string }): Promise<DriverConnection>;
    releaseConnection(connection: DriverConnection): void;
  };
  const connection = await manager.getConnection({ type: 'read' });
  // Bypasses Sequelize's query hooks, so it counts itself.
  dbStatements.inc({ database: run.sequelize.config.database });
  try {
    return (await connection.query({ sql, typeCast: undefined }, values)) as T[];
  } finally {
    manager.releaseConnection(connection);
  }
}
