// The database half of the runtime: Sequelize handles on MariaDB, raw SQL helpers, migrations
// and column helpers. Compute and virt-driver code must never reach this module (see
// ops/layering); everything else of the runtime is in ops/runtime.
export {
  describeDbError,
  dropDatabase,
  ensureDatabase,
  openDatabase,
  pingDatabase,
  probeDatabase,
  type DatabaseOptions,
} from './db.js';
export { applyMigrations, migrationStatus, syncDatabase, type Migration, type MigrationStatus, type SyncResult } from './migrate.js';
export { column, dropColumns, softDelete, timestamps } from './columns.js';
export { execute, fastSelect, inList, placeholders, select, type Runner } from './sql.js';
export { isDeadlock, retryDeadlocks } from './retry.js';
export { databaseModule, type DatabaseHandle, type DatabaseModule } from './module.js';
