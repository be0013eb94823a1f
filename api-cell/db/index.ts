export { apiSchemaStatus, openApiDatabase, syncApiDatabase, type ApiDatabase, type SyncResult } from './database.js';
export { apiMigrations } from './migrations/index.js';
export type {
  ApiModels,
  CellMappingAttributes,
  CellMappingRow,
  HostMappingAttributes,
  HostMappingRow,
  InstanceMappingAttributes,
  InstanceMappingRow,
} from './models.js';
