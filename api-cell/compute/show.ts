import { findMapping, loadBuildInstance, type BuildInstance } from '../builds/index.js';
import type { CellMapping, CellRegistry } from '../cells/index.js';
import type { ApiDatabase } from '../db/index.js';
import { canAccessProject, type RequestContext } from '../context.js';
import { getInstance, type InstanceDetail } from '../../child-cell/db/index.js';
import { NotFoundError } from '../../ops/runtime/index.js';

/** A server as the API finds it: still a build request, or an instance in a cell. */
export type ServerRecord =
  | { source: 'build'; instance: BuildInstance; created: Date }
  | { source: 'cell'; cell: CellMapping; instance: InstanceDetail };

export interface ShowDeps {
  api: ApiDatabase;
  registry: CellRegistry;
}

export const notFound = (uuid: string): NotFoundError => new NotFoundError(`Instance ${uuid} could not be found.`);

/** Finds a server through its mapping: the build request while it has no cell, the cell's row after. */
export async function getServer(deps: ShowDeps, context: RequestContext, uuid: string): Promise<ServerRecord> {
  // A build request becomes an instance between the two reads: then the second pass finds the cell.
  for (let pass = 0; pass < 2; pass += 1) {
    const mapping = await findMapping(deps.api, uuid);
    if (!mapping || !canAccessProject(context, mapping.project_id)) throw notFound(uuid);
    if (mapping.cell_id === null) {
      const build = await loadBuildInstance(deps.api, uuid);
      if (build) return { source: 'build', instance: build, created: build.created };
      continue;
    }
    const cell = (await deps.registry.list()).find((c) => c.id === mapping.cell_id);
    if (!cell) throw notFound(uuid);
    const instance = await deps.registry.withCell(cell, ({ db }) => getInstance(db, uuid));
    if (!instance) throw notFound(uuid);
    return { source: 'cell', cell, instance };
  }
  throw notFound(uuid);
}
