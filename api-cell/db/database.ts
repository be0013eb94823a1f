import type { Sequelize } from 'sequelize';
import {
  applyMigrations,
  ensureDatabase,
  migrationStatus,
  openDatabase,
  type DatabaseOptions,
  type MigrationStatus,
} from '../../ops/runtime/index.js';
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

export interface SyncResult {
  created: boolean;
  applied: string[];
}

/** Creates the API database if missing and applies pending migrations. */
export async function syncApiDatabase(url: string, options: DatabaseOptions = {}): Promise<SyncResult> {
  const created = await ensureDatabase(url, options);
  const db = openDatabase(url, options);
  try {
    return { created, applied: await applyMigrations(db, apiMigrations) };
  } finally {
    await db.close();
  }
}

export function apiSchemaStatus(db: ApiDatabase): Promise<MigrationStatus> {
  return migrationStatus(db.sequelize, apiMigrations);
}
