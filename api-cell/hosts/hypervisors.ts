import { ComputeClient } from '../../child-cell/compute/index.js';
import { listComputeNodes, type ComputeNodeQuery, type ComputeNodeRecord } from '../../child-cell/db/index.js';
import { errorMessage, InvalidInputError, NotFoundError, UnavailableError } from '../../ops/runtime/index.js';
import type { CellMapping, CellResult } from '../cells/index.js';
import { childCells, serviceUp, type HostDeps } from './services.js';
import { nodeUsage, type NodeUsage } from './usage.js';

/** A compute node as os-hypervisors shows it: its cell, its row and service, placement's usage. */
export interface Hypervisor {
  cell: CellMapping;
  node: ComputeNodeRecord;
  usage: NodeUsage;
  up: boolean;
}

export interface HypervisorListQuery {
  limit?: number;
  marker?: string;
  /** Markers (and ids) are node uuids from microversion 2.53, integer ids below. */
  byUuid: boolean;
  pattern?: string;
  withServers?: boolean;
}

const notFound = (id: string): NotFoundError => new NotFoundError(`Hypervisor with ID '${id}' could not be found.`);

async function gather(deps: HostDeps, query: ComputeNodeQuery): Promise<{ answers: CellResult<Awaited<ReturnType<typeof listComputeNodes>>>[] }> {
  const answers = await deps.registry.scatterGather(await childCells(deps.registry), ({ db }) => listComputeNodes(db, query));
  for (const a of answers) {
    if (a.status !== 'ok') deps.log.warn({ cell: a.cell.name, status: a.status }, 'cell did not answer; its hypervisors are left out');
  }
  return { answers };
}

async function withUsage(deps: HostDeps, found: { cell: CellMapping; node: ComputeNodeRecord }[]): Promise<Hypervisor[]> {
  const usage = await nodeUsage(deps.api, found.map((f) => f.node.uuid));
  return found.map(({ cell, node }) => ({ cell, node, usage: usage(node.uuid), up: serviceUp(node.service, deps.config) }));
}

/**
 * A page of hypervisors across cells, cells in mapping order and nodes by id within a cell (as
 * Nova pages them): every cell is asked at once for a page after the marker, and the pages are
 * joined from the marker's cell on.
 */
export async function listHypervisors(deps: HostDeps, query: HypervisorListQuery): Promise<Hypervisor[]> {
  const cellQuery: ComputeNodeQuery = {};
  if (query.limit !== undefined) cellQuery.limit = query.limit;
  if (query.pattern !== undefined) cellQuery.pattern = query.pattern;
  if (query.withServers) cellQuery.withServers = true;
  const marker = query.marker;
  if (marker !== undefined) {
    if (query.byUuid) cellQuery.marker = { uuid: marker };
    else if (/^\d+$/.test(marker)) cellQuery.marker = { id: Number(marker) };
    else throw new InvalidInputError(`marker [${marker}] not found`);
  }
  const { answers } = await gather(deps, cellQuery);
  const ok = answers.flatMap((a) => (a.status === 'ok' ? [{ cell: a.cell, page: a.value }] : []));
  let from = 0;
  if (marker !== undefined) {
    from = ok.findIndex((a) => a.page.markerFound);
    if (from < 0) throw new InvalidInputError(`marker [${marker}] not found`);
  }
  const found = ok
    .slice(from)
    .flatMap(({ cell, page }, i) => (marker !== undefined && i === 0 ? page.after : page.nodes).map((node) => ({ cell, node })));
  return withUsage(deps, query.limit === undefined ? found : found.slice(0, query.limit));
}

/** One hypervisor by node id (the first cell that has it, below 2.53) or uuid. */
export async function getHypervisor(deps: HostDeps, id: string, byUuid: boolean, withServers = false): Promise<Hypervisor> {
  if (!byUuid && !/^\d+$/.test(id)) throw notFound(id);
  const query: ComputeNodeQuery = byUuid ? { uuid: id } : { id: Number(id) };
  if (withServers) query.withServers = true;
  const { answers } = await gather(deps, query);
  for (const a of answers) {
    const node = a.status === 'ok' ? a.value.nodes[0] : undefined;
    if (node) return (await withUsage(deps, [{ cell: a.cell, node }]))[0] as Hypervisor;
  }
  const silent = answers.filter((a) => a.status !== 'ok').map((a) => a.cell.name);
  if (silent.length > 0) throw new UnavailableError(`Hypervisor ${id} was not found in the cells that answered; cells ${silent.join(', ')} did not.`);
  throw notFound(id);
}

/** Hypervisors whose hostname contains `pattern` (Nova's search); none is a 404. */
export async function searchHypervisors(deps: HostDeps, pattern: string, withServers = false): Promise<Hypervisor[]> {
  const found = await listHypervisors(deps, { byUuid: true, pattern, withServers });
  if (found.length === 0) throw new NotFoundError(`No hypervisor matching '${pattern}' could be found.`);
  return found;
}

export interface HypervisorStatistics {
  count: number;
  vcpus: number;
  memory_mb: number;
  local_gb: number;
  vcpus_used: number;
  memory_mb_used: number;
  local_gb_used: number;
  free_ram_mb: number;
  free_disk_gb: number;
  current_workload: number;
  running_vms: number;
  disk_available_least: number;
}

/** Sums over the compute nodes of enabled services (Nova's compute_node_statistics), before 2.88. */
export async function hypervisorStatistics(deps: HostDeps): Promise<HypervisorStatistics> {
  const { answers } = await gather(deps, { enabledOnly: true });
  const nodes = answers.flatMap((a) => (a.status === 'ok' ? a.value.nodes : []));
  const usage = await nodeUsage(deps.api);
  const stats: HypervisorStatistics = {
    count: 0, vcpus: 0, memory_mb: 0, local_gb: 0, vcpus_used: 0, memory_mb_used: 0, local_gb_used: 0,
    free_ram_mb: 0, free_disk_gb: 0, current_workload: 0, running_vms: 0, disk_available_least: 0,
  };
  for (const node of nodes) {
    const used = usage(node.uuid);
    stats.count += 1;
    stats.vcpus += node.vcpus;
    stats.memory_mb += node.memory_mb;
    stats.local_gb += node.local_gb;
    stats.vcpus_used += used.vcpus_used;
    stats.memory_mb_used += used.memory_mb_used;
    stats.local_gb_used += used.local_gb_used;
    stats.free_ram_mb += node.memory_mb - used.memory_mb_used;
    stats.free_disk_gb += node.local_gb - used.local_gb_used;
    stats.current_workload += node.current_workload;
    stats.running_vms += node.running_vms;
    stats.disk_available_least += node.local_gb - used.local_gb_used;
  }
  return stats;
}

const uptimeTimeoutMs = 2000;

/**
 * Asks the host for its uptime over its cell's bus (Nova's get_host_uptime). A host that is
 * down is not asked: Nova's ComputeServiceUnavailable, which callers turn into 400 or null.
 */
export async function hypervisorUptime(deps: HostDeps, hypervisor: Hypervisor, requestId: string): Promise<string | null> {
  const host = hypervisor.node.host;
  const unavailable = () => new InvalidInputError(`Compute service of ${host} is unavailable at this time.`);
  if (!hypervisor.up) throw unavailable();
  try {
    const compute = await ComputeClient.forCell(deps.registry, hypervisor.cell);
    return (await compute.getHostUptime(host, requestId, uptimeTimeoutMs)).uptime;
  } catch (err) {
    deps.log.warn({ host, err: errorMessage(err) }, 'host did not say its uptime');
    throw unavailable();
  }
}

/** Uptime for many hosts at once (the 2.88 detail view); null where a host is down or silent. */
export async function uptimes(deps: HostDeps, hypervisors: Hypervisor[], requestId: string): Promise<Map<string, string | null>> {
  const answers = await Promise.all(
    hypervisors.map(async (h) => [h.node.uuid, h.up ? await hypervisorUptime(deps, h, requestId).catch(() => null) : null] as const),
  );
  return new Map(answers);
}
