import { InvalidInputError } from '../../../ops/runtime/index.js';
import { select } from '../../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../../db/index.js';
import type { Target } from '../target.js';

/**
 * A host an admin names for a move (migrate, live-migrate, unshelve) must exist and be in the
 * server's cell: servers move only inside their cell, and Nova looks the host up there, so one
 * elsewhere is not found (400).
 */
export async function checkHostInCell(api: ApiDatabase, host: string, target: Target): Promise<void> {
  const found = await select(api, 'SELECT 1 FROM resource_providers WHERE host = ? LIMIT 1', [host]);
  if (found.length === 0) throw new InvalidInputError(`Compute host ${host} could not be found.`);
  const inCell = await select(api, 'SELECT 1 FROM host_mappings WHERE host = ? AND cell_id = (SELECT id FROM cell_mappings WHERE uuid = ?) LIMIT 1', [host, target.cell.uuid]);
  if (inCell.length === 0) throw new InvalidInputError(`Compute host ${host} could not be found in the cell of server ${target.instance.uuid}.`);
}
