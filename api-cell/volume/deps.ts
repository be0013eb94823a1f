import type { Config, Logger } from '../../ops/runtime/index.js';
import type { ApiDatabase } from '../db/index.js';
import type { FileBackend } from './backend.js';
import type { VolumeDatabase } from './db/index.js';

/** What the volume operations need, built once by the VolumeService. */
export interface VolumeDeps {
  db: VolumeDatabase;
  /** The API database, for the images volumes are made from. */
  api: ApiDatabase;
  config: Config;
  backend: FileBackend;
  log: Logger;
  /** Runs backend work after the request has been answered (Cinder's volume manager, in-process). */
  background(what: string, work: () => Promise<void>): void;
}
