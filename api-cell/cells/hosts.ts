import { Op } from 'sequelize';
import { computeHosts, countInstances } from '../../child-cell/db/index.js';
import { ConflictError, NotFoundError } from '../../ops/runtime/index.js';
import type { ApiDatabase } from '../db/index.js';
import { isCell0, type CellMapping } from './mapping.js';
import type { CellRegistry } from './registry.js';

export interface HostMappingView {
  host: string;
  cell: string;
  cellUuid: string;
}

export interface DiscoveryResult {
  mapped: HostMappingView[];
  /** Hosts found in a cell but already mapped to another: a name clash the operator must solve. */
  conflicts: (HostMappingView & { mappedTo: string })[];
  /** Cells whose database did not answer; their hosts stay as they were. */
  unreachable: string[];
}

const insertBatch = 1000;

/**
 * Maps every compute host found in the cells' services tables that has no host mapping yet
 * (nova-manage cell_v2 discover_hosts --by-service). Idempotent: a second run maps nothing.
 */
export async function discoverHosts(api: ApiDatabase, registry: CellRegistry, only?: string): Promise<DiscoveryResult> {
  const cells = only === undefined ? (await registry.list()).filter((c) => !isCell0(c)) : [await registry.find(only)];
  const result: DiscoveryResult = { mapped: [], conflicts: [], unreachable: [] };
  const answers = await registry.scatterGather(cells, ({ db }) => computeHosts(db));
  const byId = new Map((await registry.list()).map((c) => [c.id, c]));
  for (const answer of answers) {
    if (answer.status !== 'ok') {
      result.unreachable.push(answer.cell.name);
      continue;
    }
    await mapCellHosts(api, answer.cell, answer.value, byId, result);
  }
  return result;
}

async function mapCellHosts(
  api: ApiDatabase,
  cell: CellMapping,
  hosts: string[],
  cells: Map<number, CellMapping>,
  result: DiscoveryResult,
): Promise<void> {
  for (let start = 0; start < hosts.length; start += insertBatch) {
    const batch = hosts.slice(start, start + insertBatch);
    const existing = await api.models.HostMapping.findAll({ where: { host: { [Op.in]: batch } } });
    const known = new Map(existing.map((m) => [m.host, Number(m.cell_id)]));
    const fresh = batch.filter((host) => !known.has(host));
    for (const [host, cellId] of known) {
      if (cellId !== cell.id) {
        const mappedTo = cells.get(cellId)?.name ?? String(cellId);
        result.conflicts.push({ host, cell: cell.name, cellUuid: cell.uuid, mappedTo });
      }
    }
    if (fresh.length === 0) continue;
    // Another discover running at once may map the same host: the unique key keeps one.
    await api.models.HostMapping.bulkCreate(
      fresh.map((host) => ({ host, cell_id: cell.id })),
      { ignoreDuplicates: true },
    );
    result.mapped.push(...fresh.map((host) => ({ host, cell: cell.name, cellUuid: cell.uuid })));
  }
}

export async function listHostMappings(api: ApiDatabase, registry: CellRegistry, only?: string): Promise<HostMappingView[]> {
  const cells = await registry.list();
  const filter = only === undefined ? undefined : await registry.find(only);
  const rows = await api.models.HostMapping.findAll({
    where: filter ? { cell_id: filter.id } : {},
    order: [['host', 'ASC']],
  });
  const byId = new Map(cells.map((c) => [c.id, c]));
  return rows.map((row) => {
    const cell = byId.get(Number(row.cell_id));
    return { host: row.host, cell: cell?.name ?? '?', cellUuid: cell?.uuid ?? '?' };
  });
}

/** Removes a host's mapping; refuses while the host still runs instances, unless forced. */
export async function unmapHost(api: ApiDatabase, registry: CellRegistry, host: string, force: boolean): Promise<HostMappingView> {
  const row = await api.models.HostMapping.findOne({ where: { host } });
  if (!row) throw new NotFoundError(`host ${host} is not mapped to any cell`);
  const cell = (await registry.list()).find((c) => c.id === Number(row.cell_id));
  if (cell && !force) {
    const live = await registry.withCell(cell, ({ db }) => countInstances(db, host));
    if (live > 0) throw new ConflictError(`host ${host} runs ${live} instances in cell ${cell.name}; use --force to unmap anyway`);
  }
  await row.destroy();
  return { host, cell: cell?.name ?? '?', cellUuid: cell?.uuid ?? '?' };
}
