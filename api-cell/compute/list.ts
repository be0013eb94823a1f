import { findMapping, loadBuildInstance, recentBuilds } from '../builds/index.js';
import type { Instance } from '../../child-cell/instance/index.js';
import { isCell0, type CellMapping, type CellRegistry } from '../cells/index.js';
import type { ApiDatabase } from '../db/index.js';
import { canAccessProject, type RequestContext } from '../context.js';
import { getInstancesDetailed, instanceSortValues, listSortedInstances, type InstanceDetail } from '../../child-cell/db/index.js';
import { InvalidInputError } from '../../ops/runtime/index.js';
import { hostStatuses } from './host-status.js';
import { partialServers } from './partial.js';
import { matchesBuild, type ServerFilters } from './list-filters.js';
import { compareRows, sqlTime, type SortKey } from './list-sql.js';
import type { ServerRecord } from './records.js';

export interface ListDeps {
  api: ApiDatabase;
  registry: CellRegistry;
  serviceDownTimeMs: number;
  scatterTimeoutMs: number;
}

export interface ListRequest {
  filters: ServerFilters;
  sort: SortKey[];
  limit: number;
  marker?: string | undefined;
  /** 2.69+: servers of a cell that does not answer are listed partially instead of left out. */
  downCellSupport: boolean;
  hostStatus: boolean;
}

/** A candidate for the page: its sort values and where its full record comes from. */
interface Candidate {
  values: unknown[];
  uuid: string;
  cell?: CellMapping;
  build?: { instance: Instance; created: Date };
}

/** One cell's stream of sort-ordered rows, fetched a chunk at a time. */
interface CellCursor {
  cell: CellMapping;
  buffer: Candidate[];
  exhausted: boolean;
}

/**
 * Lists servers across all cells at once (Nova's multi-cell list, "distributed" batches): each
 * cell is asked for about its share of the page after the marker (sort values only), the
 * streams are merged with the pending build requests, a cell whose share ran out is asked for
 * more before the merge goes on, and full records are read for the page's servers only.
 * Cells that do not answer are left out, or (2.69+) listed from what the API database knows.
 */
export async function listServers(deps: ListDeps, context: RequestContext, request: ListRequest): Promise<ServerRecord[]> {
  const { sort, limit } = request;
  if (limit === 0) return [];
  const marker = request.marker === undefined ? undefined : await markerValues(deps, context, request.marker, sort);
  const cells = await deps.registry.list();
  const chunk = Math.max(20, Math.ceil((limit / Math.max(1, cells.length)) * 1.2));
  const fetchAfter = (cursor: CellCursor, after: unknown[] | undefined, size: number) =>
    deps.registry.withCell(cursor.cell, ({ db }) => listSortedInstances(db, request.filters, sort, after, size));
  const cursors: CellCursor[] = cells.map((cell) => ({ cell, buffer: [], exhausted: false }));
  const down: CellMapping[] = [];
  const fill = async (cursor: CellCursor, after: unknown[] | undefined): Promise<void> => {
    try {
      const rows = await timeout(fetchAfter(cursor, after, chunk), deps.scatterTimeoutMs);
      cursor.buffer = rows.map((row) => ({ ...row, cell: cursor.cell }));
      cursor.exhausted = rows.length < chunk;
    } catch {
      cursor.buffer = [];
      cursor.exhausted = true;
      down.push(cursor.cell);
    }
  };
  await Promise.all(cursors.map((c) => fill(c, marker)));
  const builds = await buildCandidates(deps, request, marker);
  builds.sort((a, b) => compareRows(sort, a.values, b.values));
  const page: Candidate[] = [];
  const placed = new Map<string, number>();
  const last = new Map<CellCursor, unknown[]>();
  while (page.length < limit) {
    // A cell whose batch ran out may still hold the next row: ask it before choosing.
    const dry = cursors.filter((c) => c.buffer.length === 0 && !c.exhausted);
    if (dry.length > 0) await Promise.all(dry.map((c) => fill(c, last.get(c))));
    let best: Candidate | undefined = builds[0];
    let from: CellCursor | undefined;
    for (const c of cursors) {
      const head = c.buffer[0];
      if (head && (!best || compareRows(sort, head.values, best.values) < 0)) {
        best = head;
        from = c;
      }
    }
    if (!best) break;
    if (from) {
      from.buffer.shift();
      last.set(from, best.values);
    } else {
      builds.shift();
    }
    // A server being routed this moment is in its cell and still a build request: list it once,
    // as its cell has it.
    const seen = placed.get(best.uuid);
    if (seen !== undefined) {
      if (from) page[seen] = best;
      continue;
    }
    placed.set(best.uuid, page.length);
    page.push(best);
  }
  const records = await fullRecords(deps, page, request.hostStatus);
  if (request.downCellSupport && !marker && records.length < limit) {
    records.push(...(await downRecords(deps, [...new Set(down)], request.filters, limit - records.length)));
  }
  return records;
}

/** A cell that does not answer within the scatter timeout counts as down. */
function timeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(new Error('cell did not answer in time')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Sort values of the marker server, wherever it is; an unknown marker is Nova's 400. */
async function markerValues(deps: ListDeps, context: RequestContext, marker: string, sort: SortKey[]): Promise<unknown[]> {
  const missing = new InvalidInputError(`marker [${marker}] not found`);
  const mapping = await findMapping(deps.api, marker);
  if (!mapping || !canAccessProject(context, mapping.project_id)) throw missing;
  if (mapping.cell_id === null) {
    const build = await loadBuildInstance(deps.api, marker);
    if (!build) throw missing;
    return buildValues(build, new Date(build.created_at), sort);
  }
  const cell = (await deps.registry.list()).find((c) => c.id === mapping.cell_id);
  if (!cell) throw missing;
  const values = await deps.registry.withCell(cell, ({ db }) => instanceSortValues(db, marker, sort));
  if (!values) throw missing;
  return values;
}

/** A build request's sort values, computed as the database would for an instance. */
function buildValues(b: Instance, created: Date, sort: SortKey[]): unknown[] {
  const values: Record<string, unknown> = {
    created_at: sqlTime(created),
    updated_at: sqlTime(created),
    launched_at: sqlTime(null),
    terminated_at: sqlTime(null),
    display_name: b.display_name,
    display_description: b.display_description ?? '',
    hostname: b.hostname,
    host: '',
    node: '',
    availability_zone: b.availability_zone ?? '',
    key_name: b.key_name ?? '',
    image_ref: b.image_ref,
    project_id: b.project_id,
    user_id: b.user_id,
    vm_state: 'building',
    task_state: 'scheduling',
    locked_by: '',
    config_drive: b.config_drive,
    power_state: 0,
    progress: 0,
    launch_index: b.launch_index,
    locked: b.locked ? 1 : 0,
    instance_type_id: b.flavor.id,
    uuid: b.uuid,
  };
  return sort.map((k) => values[k.key]);
}

/** Build requests that match, as candidates (a project has few at a time). */
async function buildCandidates(deps: ListDeps, request: ListRequest, marker: unknown[] | undefined): Promise<Candidate[]> {
  const f = request.filters;
  const result: Candidate[] = [];
  for (const { instance } of await recentBuilds(deps.api, f.projectId, 1000)) {
    // The creation time the instance will keep once in its cell, so paging stays stable.
    const created = new Date(instance.created_at);
    if (!matchesBuild(f, instance, created)) continue;
    const values = buildValues(instance, created, request.sort);
    if (marker && compareRows(request.sort, values, marker) <= 0) continue;
    result.push({ uuid: instance.uuid, values, build: { instance, created } });
  }
  return result;
}

/** Full records for the page, one read per cell, in page order. */
async function fullRecords(deps: ListDeps, page: Candidate[], withHostStatus: boolean): Promise<ServerRecord[]> {
  const byCell = new Map<number, { cell: CellMapping; uuids: string[] }>();
  for (const c of page) {
    if (!c.cell) continue;
    const entry = byCell.get(c.cell.id) ?? { cell: c.cell, uuids: [] };
    entry.uuids.push(c.uuid);
    byCell.set(c.cell.id, entry);
  }
  const details = new Map<string, InstanceDetail>();
  const statuses = new Map<string, string>();
  await Promise.all(
    [...byCell.values()].map(async ({ cell, uuids }) => {
      const rows = await deps.registry.withCell(cell, ({ db }) => getInstancesDetailed(db, uuids));
      for (const row of rows) details.set(row.uuid, row);
      if (withHostStatus && !isCell0(cell)) {
        const hosts = rows.flatMap((r) => (r.host ? [r.host] : []));
        for (const [host, status] of await hostStatuses(deps.registry, cell, hosts, deps.serviceDownTimeMs)) statuses.set(`${cell.id} ${host}`, status);
      }
    }),
  );
  const records: ServerRecord[] = [];
  for (const c of page) {
    if (c.build) records.push({ source: 'build', instance: c.build.instance, created: c.build.created });
    const instance = details.get(c.uuid);
    if (c.cell && instance) {
      const hostStatus = instance.host ? statuses.get(`${c.cell.id} ${instance.host}`) : '';
      records.push({ source: 'cell', cell: c.cell, instance, ...(withHostStatus ? { extras: { hostStatus: hostStatus ?? '' } } : {}) });
    }
  }
  return records;
}

async function downRecords(deps: ListDeps, cells: CellMapping[], f: ServerFilters, room: number): Promise<ServerRecord[]> {
  const records: ServerRecord[] = [];
  for (const cell of cells) {
    const partials = await partialServers(deps.api, cell.id, f.projectId !== undefined ? { projectId: f.projectId } : {}, false);
    for (const partial of partials.slice(0, room - records.length)) records.push({ source: 'down', cell, partial });
  }
  return records;
}
