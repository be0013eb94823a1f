import { COMPUTE_BINARY, serviceStates, type ServiceState } from '../../child-cell/db/index.js';
import type { CellMapping, CellRegistry } from '../cells/index.js';

/**
 * Nova's host_status for the hosts of one cell, in one query: UP, MAINTENANCE (disabled),
 * DOWN (forced down), UNKNOWN (no recent heartbeat), "" for no host.
 */
export async function hostStatuses(registry: CellRegistry, cell: CellMapping, hosts: string[], serviceDownTimeMs: number): Promise<Map<string, string>> {
  const wanted = [...new Set(hosts)];
  const statuses = new Map<string, string>();
  if (wanted.length === 0) return statuses;
  const rows = await registry
    .withCell(cell, ({ db }) => serviceStates(db, COMPUTE_BINARY, wanted))
    // A cell whose database does not answer leaves its hosts UNKNOWN: the server is still shown.
    .catch(() => [] as ServiceState[]);
  const now = Date.now();
  for (const host of wanted) statuses.set(host, 'UNKNOWN');
  for (const r of rows) {
    const up = !r.forced_down && r.last_seen_up !== null && now - r.last_seen_up.getTime() <= serviceDownTimeMs;
    statuses.set(r.host, r.disabled ? 'MAINTENANCE' : up ? 'UP' : r.forced_down ? 'DOWN' : 'UNKNOWN');
  }
  return statuses;
}
