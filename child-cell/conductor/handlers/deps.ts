import type { Logger } from '../../../ops/runtime/index.js';
import type { ComputeClient } from '../../compute/index.js';
import type { CellDatabase } from '../../db/index.js';
import type { PlacementClient } from '../placement-client.js';

/** What the conductor's handlers work with. */
export interface ConductorDeps {
  cellUuid: string;
  db: CellDatabase;
  compute: ComputeClient;
  placement: PlacementClient;
  castTimeoutMs: number;
  log: Logger;
  /** Called with each heartbeat's lag (ms from the host sending it to its row being written). */
  onHeartbeatLag?: (ms: number) => void;
}
