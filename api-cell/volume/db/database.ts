import type { Sequelize } from 'sequelize';
import { migrationStatus, openDatabase, syncDatabase, type DatabaseOptions, type MigrationStatus, type SyncResult } from '../../../ops/runtime-db/index.js';
import { volumeMigrations } from './migrations/index.js';

/** A connection to the volume service's own database (Cinder keeps its own, apart from Nova's). */
export interface VolumeDatabase {
  url: string;
  sequelize: Sequelize;
  close(): Promise<void>;
}

export function openVolumeDatabase(url: string, options: DatabaseOptions = {}): VolumeDatabase {
  const sequelize = openDatabase(url, options);
  return { url, sequelize, close: () => sequelize.close() };
}

/** Creates the volume database if missing and applies pending migrations. */
export function syncVolumeDatabase(url: string, options: DatabaseOptions = {}): Promise<SyncResult> {
  return syncDatabase(url, volumeMigrations, options);
}

export function volumeSchemaStatus(db: VolumeDatabase): Promise<MigrationStatus> {
  return migrationStatus(db.sequelize, volumeMigrations);
}
