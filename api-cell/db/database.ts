import type { Sequelize } from 'sequelize';
import {
  migrationStatus,
  openDatabase,
  syncDatabase,
  type DatabaseOptions,
  type MigrationStatus,
  type SyncResult,
} from '../../ops/runtime-db/index.js';
import { apiMigrations } from './migrations/index.js';
import { defineApiModels, type ApiModels } from './models.js';

/** A connection to the API database with its models bound. */
export interface ApiDatabase {
  url: string;
  sequelize: Sequelize;
  models: ApiModels;
  close(): Promise<void>;
}

export function openApiDatabase(url: string, options: DatabaseOptions = {}): ApiDatabase {
  const sequelize = openDatabase(url, options);
  return { url, sequelize, models: defineApiModels(sequelize), close: () => sequelize.close() };
}

export type { SyncResult } from '../../ops/runtime-db/index.js';

/** Creates the API database if missing and applies pending migrations. */
export function syncApiDatabase(url: string, options: DatabaseOptions = {}): Promise<SyncResult> {
  return syncDatabase(url, apiMigrations, options);
}

export function apiSchemaStatus(db: ApiDatabase): Promise<MigrationStatus> {
  return migrationStatus(db.sequelize, apiMigrations);
}
