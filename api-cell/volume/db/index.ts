export { openVolumeDatabase, syncVolumeDatabase, volumeSchemaStatus, type VolumeDatabase } from './database.js';
export { volumeMigrations } from './migrations/index.js';
