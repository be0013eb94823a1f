import type { Sequelize } from 'sequelize';
import { openDatabase, type DatabaseOptions } from './db.js';
import { migrationStatus, syncDatabase, type Migration, type MigrationStatus, type SyncResult } from './migrate.js';

/** A connection pool on one of cellstack's databases (API, cell, network, volume). */
export interface DatabaseHandle {
  url: string;
  sequelize: Sequelize;
  close(): Promise<void>;
}

/** What every database module offers over its own migrations: open a pool, create and migrate, say how far it is. */
export interface DatabaseModule {
  open: (url: string, options?: DatabaseOptions) => DatabaseHandle;
  /** Creates the database if missing and applies pending migrations. */
  sync: (url: string, options?: DatabaseOptions) => Promise<SyncResult>;
  status: (db: DatabaseHandle) => Promise<MigrationStatus>;
}

export function databaseModule(migrations: Migration[]): DatabaseModule {
  return {
    open: (url, options = {}) => {
      const sequelize = openDatabase(url, options);
      return { url, sequelize, close: () => sequelize.close() };
    },
    sync: (url, options = {}) => syncDatabase(url, migrations, options),
    status: (db) => migrationStatus(db.sequelize, migrations),
  };
}
