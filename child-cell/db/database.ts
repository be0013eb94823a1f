import { QueryTypes } from 'sequelize';
import { databaseModule, type DatabaseHandle } from '../../ops/runtime-db/index.js';
import { cellMigrations } from './migrations/index.js';
import { COMPUTE_BINARY } from '../bus/index.js';

const cell = databaseModule(cellMigrations);

/** A connection to one cell's database; the statements on its tables are the functions of this module. */
export type CellDatabase = DatabaseHandle;

export const openCellDatabase = cell.open;
/** Creates the cell database if missing and applies pending migrations. */
export const syncCellDatabase = cell.sync;
export const cellSchemaStatus = cell.status;

/** Hosts that run a live compute service in this cell. */
export async function computeHosts(db: CellDatabase): Promise<string[]> {
  const rows = await db.sequelize.query<{ host: string }>(
    'SELECT DISTINCT host FROM services WHERE `binary` = ? AND deleted = 0 ORDER BY host',
    { replacements: [COMPUTE_BINARY], type: QueryTypes.SELECT },
  );
  return rows.map((r) => r.host);
}

/** Live (not deleted) instances in this cell, optionally only those on one host. */
export async function countInstances(db: CellDatabase, host?: string): Promise<number> {
  const where = host === undefined ? 'deleted = 0' : 'deleted = 0 AND host = ?';
  const rows = await db.sequelize.query<{ n: number }>(`SELECT COUNT(*) AS n FROM instances WHERE ${where}`, {
    replacements: host === undefined ? [] : [host],
    type: QueryTypes.SELECT,
  });
  return Number(rows[0]?.n ?? 0);
}
