import {
  COMPUTE_BINARY,
  deleteServiceRecord,
  hostWorkload,
  listServiceRecords,
  updateServiceRecord,
  type ServiceChanges,
  type ServiceFilter,
  type ServiceRecord,
} from '../../child-cell/db/index.js';
import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  UnavailableError,
  type Config,
  type Logger,
} from '../../ops/runtime/index.js';
import {
  execute,
  inList,
  select,
} from '../../ops/runtime-db/index.js';
import { hostZones, zoneName } from '../aggregates/index.js';
import { isCell0, type CellMapping, type CellRegistry } from '../cells/index.js';
import type { ApiDatabase } from '../db/index.js';
import { removeProviders } from '../placement/index.js';

/** What the host admin APIs reach: the API database, the cells, the configuration. */
export interface HostDeps {
  api: ApiDatabase;
  registry: CellRegistry;
  config: Config;
  log: Logger;
}

/** Nova's internal zone: where services that are not compute services live (hidden from zone lists). */
export const INTERNAL_ZONE = 'internal';

export interface ServiceInCell {
  cell: CellMapping;
  service: ServiceRecord;
  zone: string;
  up: boolean;
}

/** A compute service of a cell that did not answer: only what the host mappings know (microversion 2.69). */
export interface UnknownService {
  cell: CellMapping;
  host: string;
  binary: string;
}

export const isCompute = (s: Pick<ServiceRecord, 'binary'>): boolean => s.binary === COMPUTE_BINARY;

/** Up: heard from within service_down_time and not forced down (Nova's DB servicegroup driver). */
export function serviceUp(service: ServiceRecord, config: Config): boolean {
  const since = service.seconds_since_seen;
  return !service.forced_down && since !== null && since <= config.compute.service_down_time;
}

export const childCells = async (registry: CellRegistry): Promise<CellMapping[]> => (await registry.list()).filter((c) => !isCell0(c));

/**
 * Every service of every cell, one statement per cell at once, with its zone and state. Cells
 * that do not answer are logged and left out, or listed from their host mappings when
 * `unknownFromDownCells`.
 */
export async function listServices(
  deps: HostDeps,
  filter: Pick<ServiceFilter, 'host' | 'binary'>,
  unknownFromDownCells: boolean,
): Promise<{ services: ServiceInCell[]; unknown: UnknownService[] }> {
  const answers = await deps.registry.scatterGather(await childCells(deps.registry), ({ db }) => listServiceRecords(db, filter));
  const zones = await hostZones(deps.api);
  const services: ServiceInCell[] = [];
  const down: CellMapping[] = [];
  for (const answer of answers) {
    if (answer.status !== 'ok') {
      deps.log.warn({ cell: answer.cell.name, status: answer.status }, 'cell did not answer; its services are left out or shown as UNKNOWN');
      down.push(answer.cell);
      continue;
    }
    for (const service of answer.value) services.push(inCell(deps, answer.cell, service, zones));
  }
  const unknown = unknownFromDownCells ? await mappedHosts(deps, down, filter) : [];
  return { services, unknown };
}

function inCell(deps: HostDeps, cell: CellMapping, service: ServiceRecord, zones: Map<string, string[]>): ServiceInCell {
  const zone = isCompute(service) ? zoneName(zones, service.host, deps.config.scheduler.default_availability_zone) : INTERNAL_ZONE;
  return { cell, service, zone, up: serviceUp(service, deps.config) };
}

async function mappedHosts(deps: HostDeps, cells: CellMapping[], filter: Pick<ServiceFilter, 'host' | 'binary'>): Promise<UnknownService[]> {
  if (cells.length === 0 || (filter.binary !== undefined && filter.binary !== COMPUTE_BINARY)) return [];
  const rows = await select<{ host: string; cell_id: number }>(
    deps.api,
    `SELECT host, cell_id FROM host_mappings WHERE cell_id IN (${inList(cells.length)}) ORDER BY id`,
    cells.map((c) => c.id),
  );
  const byId = new Map(cells.map((c) => [c.id, c]));
  return rows.flatMap((r) => {
    const cell = byId.get(Number(r.cell_id));
    if (!cell || (filter.host !== undefined && r.host !== filter.host)) return [];
    return [{ cell, host: r.host, binary: COMPUTE_BINARY }];
  });
}

/** A service by its id (integer, ambiguous across cells: Nova's ServiceNotUnique) or uuid, looked for in every cell. */
export async function findService(deps: HostDeps, id: { id: number } | { uuid: string }, shown: string): Promise<ServiceInCell> {
  const answers = await deps.registry.scatterGather(await childCells(deps.registry), ({ db }) => listServiceRecords(db, id));
  const found = answers.flatMap((a) => (a.status === 'ok' ? a.value.map((service) => ({ cell: a.cell, service })) : []));
  if (found.length > 1) throw new InvalidInputError(`Service id ${shown} refers to multiple services.`);
  const [match] = found;
  if (!match) {
    const silent = answers.filter((a) => a.status !== 'ok').map((a) => a.cell.name);
    if (silent.length > 0) throw new UnavailableError(`Service ${shown} was not found in the cells that answered; cells ${silent.join(', ')} did not.`);
    throw new NotFoundError(`Service ${shown} could not be found.`);
  }
  return inCell(deps, match.cell, match.service, await hostZones(deps.api, [match.service.host]));
}

/** The cell a host is mapped to (exact name), or Nova's HostMappingNotFound. */
export async function hostCell(deps: HostDeps, host: string): Promise<CellMapping> {
  const rows = await select<{ host: string; cell_id: number }>(deps.api, 'SELECT host, cell_id FROM host_mappings WHERE host = ?', [host]);
  const row = rows.find((r) => r.host === host);
  const cell = row ? (await deps.registry.list()).find((c) => c.id === Number(row.cell_id)) : undefined;
  if (!cell) throw new NotFoundError(`Host '${host}' is not mapped to any cell`);
  return cell;
}

/** A service by host and binary, in the host's cell (the pre-2.53 PUT actions). */
export async function findServiceByHost(deps: HostDeps, host: string, binary: string): Promise<ServiceInCell> {
  const cell = await hostCell(deps, host);
  const [service] = await deps.registry.withCell(cell, ({ db }) => listServiceRecords(db, { host, binary }));
  if (!service) throw new NotFoundError(`Could not find binary ${binary} on host ${host}.`);
  return inCell(deps, cell, service, await hostZones(deps.api, [host]));
}

/** Writes a status change to the service's cell (the API writes cell databases, as Nova's does). */
export async function updateService(deps: HostDeps, target: ServiceInCell, changes: ServiceChanges): Promise<ServiceInCell> {
  const updated = await deps.registry.withCell(target.cell, ({ db }) => updateServiceRecord(db, target.service.id, changes));
  if (!updated) throw new NotFoundError(`Service ${target.service.uuid} could not be found.`);
  return { ...target, service: updated, up: serviceUp(updated, deps.config) };
}

/**
 * Deletes a service (Nova's DELETE /os-services/{id}): refused while its host has instances or
 * unfinished migrations; a compute service takes its compute nodes, their resource providers,
 * its aggregate memberships and its host mapping with it.
 */
export async function deleteService(deps: HostDeps, target: ServiceInCell): Promise<void> {
  const { cell, service } = target;
  const compute = isCompute(service);
  const nodes = await deps.registry.withCell(cell, async ({ db }) => {
    if (compute) {
      const work = await hostWorkload(db, service.host);
      if (work.instances > 0) {
        throw new ConflictError('Unable to delete compute service that is hosting instances. Migrate or delete the instances first.');
      }
      if (work.migrations > 0) {
        throw new ConflictError('Unable to delete compute service that has in-progress migrations. Complete the migrations or delete the instances first.');
      }
    }
    return deleteServiceRecord(db, service, compute);
  });
  if (!compute) return;
  await deps.api.sequelize.transaction(async (transaction) => {
    const run = { sequelize: deps.api.sequelize, transaction };
    // Exact names: the collation would take "H-1" for "h-1".
    await execute(run, 'DELETE FROM aggregate_hosts WHERE host = ? AND BINARY host = ?', [service.host, service.host]);
    await execute(run, 'DELETE FROM host_mappings WHERE host = ? AND BINARY host = ? AND cell_id = ?', [service.host, service.host, cell.id]);
  });
  await removeProviders(deps.api, nodes);
}
