import type { Sequelize } from 'sequelize';
import {
  migrationStatus,
  openDatabase,
  syncDatabase,
  type DatabaseOptions,
  type MigrationStatus,
  type SyncResult,
} from '../../../ops/runtime-db/index.js';
import type { Config } from '../../../ops/runtime/index.js';
import { networkMigrations } from './migrations/index.js';

/** A connection to the network service's database (global, like the API database). */
export interface NetworkDatabase {
  url: string;
  sequelize: Sequelize;
  close(): Promise<void>;
}

export function openNetworkDatabase(url: string, options: DatabaseOptions = {}): NetworkDatabase {
  const sequelize = openDatabase(url, options);
  return { url, sequelize, close: () => sequelize.close() };
}

/** Creates the network database if missing and applies pending migrations. */
export function syncNetworkDatabase(url: string, options: DatabaseOptions = {}): Promise<SyncResult> {
  return syncDatabase(url, networkMigrations, options);
}

export function networkSchemaStatus(db: NetworkDatabase): Promise<MigrationStatus> {
  return migrationStatus(db.sequelize, networkMigrations);
}

/**
 * `database.network_url`, or beside the API database when it is empty: `…/cellstack_api`
 * gives `…/cellstack_network`, any other name gets `_network` appended.
 */
export function networkDatabaseUrl(config: Pick<Config, 'database'>): string {
  if (config.database.network_url) return config.database.network_url;
  const url = new URL(config.database.api_url);
  const name = url.pathname.replace(/^\//, '');
  url.pathname = `/${name.endsWith('_api') ? name.slice(0, -4) : name}_network`;
  return url.toString();
}
