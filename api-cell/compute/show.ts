import { findMapping, loadBuildInstance } from '../builds/index.js';
import type { CellRegistry } from '../cells/index.js';
import type { ApiDatabase } from '../db/index.js';
import { canAccessProject, type RequestContext } from '../context.js';
import { getInstance } from '../../child-cell/db/index.js';
import { NotFoundError, UnavailableError } from '../../ops/runtime/index.js';
import { groupsOf } from '../groups/index.js';
import { hostStatuses } from './host-status.js';
import { cellDown, partialServers } from './partial.js';
import type { ServerRecord } from './records.js';

export type { ServerRecord } from './records.js';

export interface ShowDeps {
  api: ApiDatabase;
  registry: CellRegistry;
  serviceDownTimeMs: number;
}

export interface ShowOptions {
  /** 2.69+: a server in a cell that does not answer is shown partially instead of failing. */
  downCellSupport?: boolean;
  hostStatus?: boolean;
  serverGroups?: boolean;
}

export const notFound = (uuid: string): NotFoundError => new NotFoundError(`Instance ${uuid} could not be found.`);

/** Finds a server through its mapping: the build request while it has no cell, the cell's row after. */
export async function getServer(deps: ShowDeps, context: RequestContext, uuid: string, options: ShowOptions = {}): Promise<ServerRecord> {
  // A build request becomes an instance between the two reads: then the second pass finds the cell.
  for (let pass = 0; pass < 2; pass += 1) {
    const mapping = await findMapping(deps.api, uuid);
    if (!mapping || !canAccessProject(context, mapping.project_id)) throw notFound(uuid);
    if (mapping.cell_id === null) {
      const build = await loadBuildInstance(deps.api, uuid);
      if (build) return withGroups(deps, { source: 'build', instance: build, created: new Date(build.created_at) }, options);
      continue;
    }
    const cell = (await deps.registry.list()).find((c) => c.id === mapping.cell_id);
    if (!cell) throw notFound(uuid);
    let instance;
    try {
      instance = await deps.registry.withCell(cell, ({ db }) => getInstance(db, uuid));
    } catch (err) {
      if (!(err instanceof UnavailableError)) throw err;
      if (!options.downCellSupport) throw cellDown(cell, err);
      const [partial] = await partialServers(deps.api, cell.id, { uuids: [uuid] }, true);
      if (!partial) throw notFound(uuid);
      return withGroups(deps, { source: 'down', cell, partial }, options);
    }
    if (!instance) throw notFound(uuid);
    const record: ServerRecord = { source: 'cell', cell, instance };
    if (options.hostStatus && instance.host) {
      const statuses = await hostStatuses(deps.registry, cell, [instance.host], deps.serviceDownTimeMs);
      record.extras = { hostStatus: statuses.get(instance.host) ?? 'UNKNOWN' };
    }
    return withGroups(deps, record, options);
  }
  throw notFound(uuid);
}

async function withGroups(deps: ShowDeps, record: ServerRecord, options: ShowOptions): Promise<ServerRecord> {
  if (!options.serverGroups) return record;
  const uuid = record.source === 'down' ? record.partial.uuid : record.instance.uuid;
  const groups = await groupsOf(deps.api, [uuid]);
  record.extras = { ...record.extras, serverGroups: groups.get(uuid) ?? [] };
  return record;
}
