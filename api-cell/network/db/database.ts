import { databaseModule, type DatabaseHandle } from '../../../ops/runtime-db/index.js';
import type { Config } from '../../../ops/runtime/index.js';
import { networkMigrations } from './migrations/index.js';

const network = databaseModule(networkMigrations);

/** A connection to the network service's database (global, like the API database). */
export type NetworkDatabase = DatabaseHandle;

export const openNetworkDatabase = network.open;
/** Creates the network database if missing and applies pending migrations. */
export const syncNetworkDatabase = network.sync;
export const networkSchemaStatus = network.status;

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
