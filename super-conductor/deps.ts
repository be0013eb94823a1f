import type { CellRegistry } from '../api-cell/cells/index.js';
import type { ApiDatabase } from '../api-cell/db/index.js';
import type { NetworkDatabase } from '../api-cell/network/index.js';
import type { Logger } from '../ops/runtime/index.js';
import type { Scheduler } from './scheduler/index.js';

/** What every super-conductor task (builds, moves, shelves, snapshots) works with; built once at start-up. */
export interface TaskDeps {
  api: ApiDatabase;
  /** The network service's database: ports are made once hosts are chosen. */
  network: NetworkDatabase;
  registry: CellRegistry;
  scheduler: Scheduler;
  /** How long a host has to take a cast. */
  castTimeoutMs: number;
  log: Logger;
}
