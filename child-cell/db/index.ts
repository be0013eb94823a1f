export {
  cellSchemaStatus,
  computeHosts,
  countInstances,
  openCellDatabase,
  syncCellDatabase,
  type CellDatabase,
} from './database.js';
export { cellMigrations } from './migrations/index.js';
export { COMPUTE_BINARY, type CellModels, type ServiceAttributes, type ServiceRow } from './models.js';
