import { UnavailableError } from '../../ops/runtime/index.js';
import type { FlavorSnapshot } from '../../child-cell/instance/index.js';
import { cellMappings } from '../builds/index.js';
import type { CellMapping } from '../cells/index.js';
import type { ApiDatabase } from '../db/index.js';
import type { PartialServer } from './records.js';

/**
 * What the API database knows of servers in a cell that does not answer (2.69): the mapping,
 * and with `withSpecs` the request spec (flavor, image, zone, user) for a single server's show.
 */
export async function partialServers(api: ApiDatabase, cellId: number, filter: { uuids?: string[]; projectId?: string }, withSpecs: boolean): Promise<PartialServer[]> {
  const rows = await cellMappings(api, cellId, filter, withSpecs);
  return rows.map((r) => ({
    uuid: r.instance_uuid,
    project_id: r.project_id,
    user_id: r.user_id,
    created_at: r.created_at,
    flavor: (r.spec?.flavor as FlavorSnapshot | undefined) ?? null,
    image_ref: r.spec?.image.id ?? null,
    availability_zone: r.spec?.availability_zone ?? null,
  }));
}

/** A cell that does not answer, as an error the API turns into 503. */
export const cellDown = (cell: CellMapping, cause?: unknown): UnavailableError =>
  new UnavailableError(`Cell ${cell.name} is not responding; its servers cannot be shown or changed now.`, { cause });
