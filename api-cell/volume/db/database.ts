import { databaseModule, type DatabaseHandle } from '../../../ops/runtime-db/index.js';
import { volumeMigrations } from './migrations/index.js';

const volume = databaseModule(volumeMigrations);

/** A connection to the volume service's own database (Cinder keeps its own, apart from Nova's). */
export type VolumeDatabase = DatabaseHandle;

export const openVolumeDatabase = volume.open;
/** Creates the volume database if missing and applies pending migrations. */
export const syncVolumeDatabase = volume.sync;
export const volumeSchemaStatus = volume.status;
