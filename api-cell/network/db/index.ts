export { networkDatabaseUrl, networkSchemaStatus, openNetworkDatabase, syncNetworkDatabase, type NetworkDatabase } from './database.js';
export { networkMigrations } from './migrations/index.js';
