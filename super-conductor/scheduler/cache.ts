import { isCell0, type CellMapping, type CellRegistry } from '../../api-cell/cells/index.js';
import type { ApiDatabase } from '../../api-cell/db/index.js';
import { loadProviders, syncProviders, type Provider } from '../../api-cell/placement/index.js';
import { COMPUTE_BINARY } from '../../child-cell/bus/index.js';
import { changedComputeHostRows, computeHostRows, removedComputeNodes, staleServices, type CellDatabase, type ComputeHostRow } from '../../child-cell/db/index.js';
import { type Logger } from '../../ops/runtime/index.js';
import { select } from '../../ops/runtime-db/index.js';
import type { HostState } from './host-state.js';

export interface HostStateCacheOptions {
  defaultAvailabilityZone: string;
  /** A host whose last heartbeat is older than this is down (compute.service_down_time). */
  serviceDownTimeMs: number;
  log: Logger;
}

interface Topology {
  cells: Map<number, CellMapping>;
  hostCell: Map<string, number>;
  hostZone: Map<string, string>;
  maxMappingId: number;
}

type Node = ComputeHostRow & { cellId: number };
interface CellRead {
  cellId: number;
  rows: Node[];
  /** Hosts that stopped heartbeating (or were marked down), with their last heartbeat. */
  stale: Map<string, number>;
  /** Nodes deleted since the last refresh (incremental refreshes only). */
  removed: string[];
}

/**
 * Host states for the scheduler, kept warm instead of read per request: a full read at start
 * and now and then, and between them only what changed (nodes and services whose record moved,
 * providers whose generation moved, new host mappings), applied to those hosts alone. Liveness
 * is read apart: each refresh asks every cell which hosts stopped heartbeating, a handful of
 * rows, instead of reading every heartbeat. Claims made by this process are applied at once
 * with `applyProviders`.
 */
export class HostStateCache {
  private readonly hosts = new Map<string, HostState>();
  private list: HostState[] = [];
  private readonly nodes = new Map<string, Node>();
  private readonly providers = new Map<string, Provider>();
  private topology: Topology = { cells: new Map(), hostCell: new Map(), hostZone: new Map(), maxMappingId: 0 };
  private lastRefresh: Date | undefined;
  private downCells = new Set<number>();
  private stale = new Map<number, Map<string, number>>();
  private running: Promise<void> | undefined;
  /** When the last incremental or full refresh began (ms since epoch). */
  private refreshBegan = 0;

  constructor(
    private readonly api: ApiDatabase,
    private readonly registry: CellRegistry,
    private readonly options: HostStateCacheOptions,
  ) {}

  /** A host that did not answer counts as down until `until` (ms since epoch). */
  markUnreachable(host: string, until: number): void {
    for (const state of this.list) if (state.host === host) state.service.unreachableUntil = until;
  }

  /** Every host state known now. */
  all(): HostState[] {
    return this.list;
  }

  get size(): number {
    return this.hosts.size;
  }

  /** Reads everything afresh. */
  async fullRefresh(): Promise<void> {
    this.refreshBegan = Date.now();
    const started = new Date(Date.now() - 1000);
    this.topology = await this.readTopology();
    const reads = await this.readCells((db, cellId) => computeHostRows(db).then((rows) => rows.map((r) => ({ ...r, cellId }))));
    this.nodes.clear();
    const rows = reads.flatMap((r) => r.rows);
    for (const row of rows) this.nodes.set(row.uuid, row);
    await this.syncInventories(rows);
    const known = new Map(this.providers);
    this.providers.clear();
    for (const p of await loadProviders(this.api)) this.providers.set(p.uuid, newer(known.get(p.uuid), p));
    this.lastRefresh = started;
    this.rebuild();
    this.applyLiveness(reads);
  }

  /** Reads only what changed since the last refresh, and which hosts stopped heartbeating; one at a time. */
  refresh(): Promise<void> {
    this.running ??= this.readChanges().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /**
   * Refreshes now unless a refresh began at or after `time` (ms since epoch), so that the host
   * states hold what changed up to then: a decision that found no host looks again (an admin who
   * has just put a host in a zone boots into it at once, as Tempest does).
   */
  async catchUp(time: number): Promise<void> {
    await this.running?.catch(() => undefined);
    if (this.refreshBegan < time) await this.refresh();
  }

  private async readChanges(): Promise<void> {
    if (!this.lastRefresh) return this.fullRefresh();
    this.refreshBegan = Date.now();
    const since = this.lastRefresh;
    const started = new Date(Date.now() - 1000);
    const fresh = await this.readNewMappings();
    const cells = new Map((await this.registry.list()).filter((c) => !isCell0(c)).map((c) => [c.id, c]));
    // Zones are few rows: re-read them each time, so a zone made or changed applies within a refresh.
    const zones = await this.readZones();
    const reshaped = fresh.length > 0 || !sameCells(cells, this.topology.cells) || !sameEntries(zones, this.topology.hostZone);
    this.topology.cells = cells;
    this.topology.hostZone = zones;
    const wasDown = [...this.downCells].join();
    const reads = await this.readCells((db, cellId) => {
      const named = fresh.filter((m) => m.cell_id === cellId).map((m) => m.host);
      return changedComputeHostRows(db, since, named).then((rows) => rows.map((r) => ({ ...r, cellId })));
    });
    const rows = reads.flatMap((r) => r.rows);
    for (const row of rows) this.nodes.set(row.uuid, row);
    const removed = reads.flatMap((r) => r.removed);
    for (const uuid of removed) this.nodes.delete(uuid);
    // Hosts mapped since the last refresh registered earlier: their inventories go to placement now.
    const mapped = new Set(fresh.map((m) => m.host));
    await this.syncInventories(rows.filter((r) => mapped.has(r.host) || (r.node_updated_at && r.node_updated_at >= since)));
    // Their providers may be older than the last refresh (a conductor made them at registration).
    const providers = [
      ...(await loadProviders(this.api, { changedSince: since })),
      ...(await loadProviders(this.api, { uuids: rows.filter((r) => mapped.has(r.host)).map((r) => r.uuid) })),
    ];
    for (const p of providers) this.providers.set(p.uuid, newer(this.providers.get(p.uuid), p));
    this.lastRefresh = started;
    if (reshaped || wasDown !== [...this.downCells].join()) this.rebuild();
    else this.update([...rows.map((r) => r.uuid), ...providers.map((p) => p.uuid), ...removed]);
    this.applyLiveness(reads);
  }

  /**
   * Takes in providers as a claim left them, so the next decision in this process sees them. A
   * provider older than the one held (a read that began before a claim committed) is ignored.
   */
  applyProviders(providers: Provider[]): void {
    for (const p of providers) {
      const kept = newer(this.providers.get(p.uuid), p);
      this.providers.set(p.uuid, kept);
      // Host states are keyed by compute node uuid, which is their provider's uuid.
      const host = this.hosts.get(p.uuid);
      if (host) host.provider = kept;
    }
  }

  private async readTopology(): Promise<Topology> {
    const [cells, mappings, hostZone] = await Promise.all([
      this.registry.list(),
      select<{ id: number; host: string; cell_id: number }>(this.api, 'SELECT id, host, cell_id FROM host_mappings'),
      this.readZones(),
    ]);
    return {
      cells: new Map(cells.filter((c) => !isCell0(c)).map((c) => [c.id, c])),
      hostCell: new Map(mappings.map((m) => [m.host, Number(m.cell_id)])),
      hostZone,
      maxMappingId: Math.max(0, ...mappings.map((m) => Number(m.id))),
    };
  }

  /** Host -> availability zone, from the aggregates that carry one. */
  private async readZones(): Promise<Map<string, string>> {
    const zones = await select<{ host: string; zone: string }>(
      this.api,
      `SELECT ah.host, am.value AS zone FROM aggregate_hosts ah
         JOIN aggregate_metadata am ON am.aggregate_id = ah.aggregate_id AND am.\`key\` = 'availability_zone'`,
    );
    return new Map(zones.map((z) => [z.host, z.zone]));
  }

  private async readNewMappings(): Promise<{ host: string; cell_id: number }[]> {
    const rows = await select<{ id: number; host: string; cell_id: number }>(
      this.api,
      'SELECT id, host, cell_id FROM host_mappings WHERE id > ? ORDER BY id',
      [this.topology.maxMappingId],
    );
    for (const r of rows) {
      this.topology.hostCell.set(r.host, Number(r.cell_id));
      this.topology.maxMappingId = Math.max(this.topology.maxMappingId, Number(r.id));
    }
    return rows.map((r) => ({ host: r.host, cell_id: Number(r.cell_id) }));
  }

  /** Asks every cell at once (its rows and its stale hosts); a cell that does not answer keeps what was known and is marked down. */
  private async readCells(read: (db: CellDatabase, cellId: number) => Promise<Node[]>): Promise<CellRead[]> {
    const cells = [...this.topology.cells.values()];
    const seenBefore = new Date(Date.now() - this.options.serviceDownTimeMs);
    const since = this.lastRefresh;
    const answers = await this.registry.scatterGather(cells, async ({ cell, db }) => {
      const [rows, stale, removed] = await Promise.all([
        read(db, cell.id),
        staleServices(db, COMPUTE_BINARY, seenBefore),
        since ? removedComputeNodes(db, since) : [],
      ]);
      return { cellId: cell.id, rows, removed, stale: new Map(stale.map((s) => [s.host, s.last_seen_up ? s.last_seen_up.getTime() : 0])) };
    });
    const reads: CellRead[] = [];
    this.downCells = new Set();
    for (const answer of answers) {
      if (answer.status === 'ok') reads.push(answer.value);
      else {
        this.downCells.add(answer.cell.id);
        this.options.log.warn({ cell: answer.cell.name, status: answer.status }, 'cell did not answer the host-state refresh');
      }
    }
    return reads;
  }

  /** Compute nodes' inventories into placement, for the nodes that reported a change. */
  private async syncInventories(rows: ComputeHostRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 500) {
      await syncProviders(
        this.api,
        rows.slice(i, i + 500).map((r) => ({
          uuid: r.uuid,
          name: r.hypervisor_hostname,
          host: r.host,
          vcpus: r.vcpus,
          memory_mb: r.memory_mb,
          local_gb: r.local_gb,
          cpu_allocation_ratio: Number(r.cpu_allocation_ratio),
          ram_allocation_ratio: Number(r.ram_allocation_ratio),
          disk_allocation_ratio: Number(r.disk_allocation_ratio),
        })),
      );
    }
  }

  /** Joins nodes, mappings, cells and providers into host states; hosts missing a piece are left out. */
  private rebuild(): void {
    this.hosts.clear();
    for (const node of this.nodes.values()) {
      const state = this.join(node);
      if (state) this.hosts.set(node.uuid, state);
    }
    this.list = [...this.hosts.values()];
  }

  /** Re-joins only the hosts whose node, service or provider changed. */
  private update(uuids: string[]): void {
    if (uuids.length === 0) return;
    for (const uuid of new Set(uuids)) {
      const node = this.nodes.get(uuid);
      const state = node && this.join(node);
      if (state) this.hosts.set(uuid, state);
      else this.hosts.delete(uuid);
    }
    this.list = [...this.hosts.values()];
  }

  private join(node: Node): HostState | undefined {
    const { cells, hostCell, hostZone } = this.topology;
    const cellId = hostCell.get(node.host);
    const cell = cellId === undefined ? undefined : cells.get(cellId);
    const provider = this.providers.get(node.uuid);
    if (!cell || cell.id !== node.cellId || !provider) return undefined;
    const previous = this.hosts.get(node.uuid);
    return {
      host: node.host,
      node: node.hypervisor_hostname,
      cellId: cell.id,
      cellUuid: cell.uuid,
      cellName: cell.name,
      cellDisabled: cell.disabled,
      cellDown: this.downCells.has(cell.id),
      availabilityZone: hostZone.get(node.host) ?? this.options.defaultAvailabilityZone,
      service: {
        disabled: Boolean(node.disabled),
        disabledReason: node.disabled_reason,
        forcedDown: Boolean(node.forced_down),
        lastSeenUp: previous?.service.lastSeenUp ?? (node.last_seen_up ? node.last_seen_up.getTime() : 0),
        unreachableUntil: previous?.service.unreachableUntil ?? 0,
      },
      provider,
    };
  }

  /**
   * Hosts of the cells that answered are up as of now unless their cell named them stale; hosts
   * of a cell that did not answer keep what was last known.
   */
  private applyLiveness(reads: CellRead[]): void {
    const now = Date.now();
    for (const read of reads) this.stale.set(read.cellId, read.stale);
    const answered = new Set(reads.map((r) => r.cellId));
    for (const host of this.list) {
      if (!answered.has(host.cellId)) continue;
      host.service.lastSeenUp = this.stale.get(host.cellId)?.get(host.host) ?? now;
    }
  }
}

function sameCells(a: Map<number, CellMapping>, b: Map<number, CellMapping>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, cell] of a) {
    const other = b.get(id);
    if (!other || other.uuid !== cell.uuid || other.name !== cell.name || other.disabled !== cell.disabled) return false;
  }
  return true;
}

function sameEntries(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/**
 * Of two reads of one provider, the later: every change to a provider bumps its generation, so
 * a lower one is older. A provider made again (same uuid, new row) is a new id and always wins.
 */
function newer(held: Provider | undefined, read: Provider): Provider {
  return held && held.id === read.id && held.generation > read.generation ? held : read;
}
