import { resolve } from 'node:path';
import { errorMessage, type Config, type Logger } from '../../ops/runtime/index.js';
import { execute, type DatabaseOptions } from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';
import { FileBackend } from './backend.js';
import { openVolumeDatabase } from './db/index.js';
import type { VolumeDeps } from './deps.js';
import { redriveStalled } from './redrive.js';
import type { StatusTable } from './rows.js';

/**
 * The volume service as the API process runs it: its own database, the file backend, the
 * backend work requests leave behind (creating, copying, extending, deleting files), and a look
 * every so often for work a process that died left behind.
 */
export class VolumeService {
  readonly deps: VolumeDeps;
  private readonly pending = new Set<Promise<void>>();
  private readonly stalledMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(config: Config, api: ApiDatabase, log: Logger, options: DatabaseOptions = {}) {
    const volumeLog = log.child({ service: 'volume' });
    this.stalledMs = config.volume.stalled_work_s * 1000;
    const db = openVolumeDatabase(config.volume.database_url, options);
    this.deps = {
      db,
      api,
      config,
      backend: new FileBackend(resolve(config.volume.backend_dir), config.volume.volume_format),
      log: volumeLog,
      background: (what, work, row) => {
        const beat = row ? setInterval(() => void this.touch(row.table, row.uuid), Math.max(100, this.stalledMs / 3)) : undefined;
        const running: Promise<void> = work()
          .catch((err: unknown) => volumeLog.error({ err, what }, 'volume backend work failed'))
          .finally(() => {
            clearInterval(beat);
            this.pending.delete(running);
          });
        this.pending.add(running);
      },
    };
  }

  /** Starts looking for stalled work (every API process does; one takes each row). */
  start(): void {
    this.timer = setInterval(() => void this.redrive(), Math.min(60_000, Math.max(200, this.stalledMs / 2)));
    this.timer.unref();
  }

  async redrive(): Promise<number> {
    return redriveStalled(this.deps, this.stalledMs).catch((err: unknown) => {
      this.deps.log.warn({ err: errorMessage(err) }, 'could not look for stalled volume work');
      return 0;
    });
  }

  /** Waits for the backend work started so far. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.idle();
    await this.deps.db.close();
  }

  private async touch(table: StatusTable, uuid: string): Promise<void> {
    await execute(this.deps.db, `UPDATE ${table} SET updated_at = NOW(6) WHERE uuid = ? AND deleted = 0`, [uuid]).catch((err: unknown) => this.deps.log.debug({ err: errorMessage(err), uuid }, 'could not mark volume work as moving'));
  }
}
