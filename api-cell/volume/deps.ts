import type { Config, Logger } from '../../ops/runtime/index.js';
import type { ApiDatabase } from '../db/index.js';
import type { FileBackend } from './backend.js';
import type { VolumeDatabase } from './db/index.js';
import type { StatusTable } from './rows.js';

/** What the volume operations need, built once by the VolumeService. */
export interface VolumeDeps {
  db: VolumeDatabase;
  /** The API database, for the images volumes are made from. */
  api: ApiDatabase;
  config: Config;
  backend: FileBackend;
  log: Logger;
  /**
   * Runs backend work after the request has been answered (Cinder's volume manager, in-process).
   * With `row`, its updated_at is kept fresh while the work runs, so no other process takes the
   * work up as stalled (see redrive.ts).
   */
  background(what: string, work: () => Promise<void>, row?: { table: StatusTable; uuid: string }): void;
}
