import type { HostFilter } from './types.js';

/** A move stays in the instance's cell: hosts of other cells are not candidates. */
export const requestedCellFilter: HostFilter = (host, spec) =>
  spec.requested_cell && spec.requested_cell !== host.cellUuid ? `in cell ${host.cellName}, not the instance's` : undefined;
