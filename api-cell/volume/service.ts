import { resolve } from 'node:path';
import type { Config, Logger } from '../../ops/runtime/index.js';
import type { DatabaseOptions } from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';
import { FileBackend } from './backend.js';
import { openVolumeDatabase } from './db/index.js';
import type { VolumeDeps } from './deps.js';

/**
 * The volume service as the API process runs it: its own database, the file backend, and the
 * backend work requests leave behind (creating, copying, extending, deleting files).
 */
export class VolumeService {
  readonly deps: VolumeDeps;
  private readonly pending = new Set<Promise<void>>();

  constructor(config: Config, api: ApiDatabase, log: Logger, options: DatabaseOptions = {}) {
    const volumeLog = log.child({ service: 'volume' });
    this.deps = {
      db: openVolumeDatabase(config.volume.database_url, options),
      api,
      config,
      backend: new FileBackend(resolve(config.volume.backend_dir), config.volume.volume_format),
      log: volumeLog,
      background: (what, work) => {
        const running: Promise<void> = work()
          .catch((err: unknown) => volumeLog.error({ err, what }, 'volume backend work failed'))
          .finally(() => this.pending.delete(running));
        this.pending.add(running);
      },
    };
  }

  /** Waits for the backend work started so far. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    await this.idle();
    await this.deps.db.close();
  }
}
