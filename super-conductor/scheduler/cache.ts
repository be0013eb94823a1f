import { isCell0, type CellMapping, type CellRegistry } from '../../api-cell/cells/index.js';
import type { ApiDatabase } from '../../api-cell/db/index.js';
import { loadProviders, syncProviders, type Provider } from '../../api-cell/placement/index.js';
import { changedComputeHostRows, computeHostRows, type CellDatabase, type ComputeHostRow } from '../../child-cell/db/index.js';
import { select, type Logger } from '../../ops/runtime/index.js';
import type { HostState } from './host-state.js';

export interface HostStateCacheOptions {
  defaultAvailabilityZone: string;
  log: Logger;
}

interface Topology {
  cells: Map<number, CellMapping>;
  hostCell: Map<string, number>;
  hostZone: Map<string, string>;
  maxMappingId: number;
}

/**
 * Host states for the scheduler, kept warm instead of read per request: a full read at start
 * and now and then, and between them only what changed (providers whose generation moved,
 * nodes and services updated or heartbeating, new host mappings). Claims made by this process
 * are applied at once with `applyProviders`.
 */
export class HostStateCache {
  private readonly hosts = new Map<string, HostState>();
  private list: HostState[] = [];
  private readonly nodes = new Map<string, ComputeHostRow & { cellId: number }>();
  private readonly providers = new Map<string, Provider>();
  private topology: Topology = { cells: new Map(), hostCell: new Map(), hostZone: new Map(), maxMappingId: 0 };
  private lastRefresh: Date | undefined;
  private downCells = new Set<number>();

  constructor(
    private readonly api: ApiDatabase,
    private readonly registry: CellRegistry,
    private readonly options: HostStateCacheOptions,
  ) {}

  /** Every host state known now. */
  all(): HostState[] {
    return this.list;
  }

  get size(): number {
    return this.hosts.size;
  }

  /** Reads everything afresh. */
  async fullRefresh(): Promise<void> {
    const started = new Date(Date.now() - 1000);
    this.topology = await this.readTopology();
    const rows = await this.readCells(async (cell, db) => computeHostRows(db).then((r) => this.tagCell(r, cell.id)));
    this.nodes.clear();
    for (const row of rows) this.nodes.set(row.uuid, row);
    await this.syncInventories(rows);
    this.providers.clear();
    for (const p of await loadProviders(this.api)) this.providers.set(p.uuid, p);
    this.lastRefresh = started;
    this.rebuild();
  }

  /** Reads only what changed since the last refresh. */
  async refresh(): Promise<void> {
    if (!this.lastRefresh) return this.fullRefresh();
    const since = this.lastRefresh;
    const started = new Date(Date.now() - 1000);
    const fresh = await this.readNewMappings();
    this.topology.cells = new Map((await this.registry.list()).filter((c) => !isCell0(c)).map((c) => [c.id, c]));
    // Zones are few rows: re-read them each time, so a zone made or changed applies within a refresh.
    this.topology.hostZone = await this.readZones();
    const rows = await this.readCells(async (cell, db) => {
      const named = fresh.filter((m) => m.cell_id === cell.id).map((m) => m.host);
      return changedComputeHostRows(db, since, named).then((r) => this.tagCell(r, cell.id));
    });
    for (const row of rows) this.nodes.set(row.uuid, row);
    await this.syncInventories(rows.filter((r) => r.node_updated_at && r.node_updated_at >= since));
    for (const p of await loadProviders(this.api, { changedSince: since })) this.providers.set(p.uuid, p);
    this.lastRefresh = started;
    this.rebuild();
  }

  /** Takes in providers as a claim left them, so the next decision in this process sees them. */
  applyProviders(providers: Provider[]): void {
    for (const p of providers) {
      this.providers.set(p.uuid, p);
      // Host states are keyed by compute node uuid, which is their provider's uuid.
      const host = this.hosts.get(p.uuid);
      if (host) host.provider = p;
    }
  }

  /** Re-reads some providers from the database (after a claim found them fuller than thought). */
  async reloadProviders(ids: number[]): Promise<void> {
    this.applyProviders(await loadProviders(this.api, { ids }));
  }

  private tagCell(rows: ComputeHostRow[], cellId: number): (ComputeHostRow & { cellId: number })[] {
    return rows.map((r) => ({ ...r, cellId }));
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

  /** Asks every cell at once; a cell that does not answer keeps what was known and is marked down. */
  private async readCells<T>(read: (cell: CellMapping, db: CellDatabase) => Promise<T[]>): Promise<T[]> {
    const cells = [...this.topology.cells.values()];
    const answers = await this.registry.scatterGather(cells, ({ cell, db }) => read(cell, db));
    const rows: T[] = [];
    this.downCells = new Set();
    for (const answer of answers) {
      if (answer.status === 'ok') rows.push(...answer.value);
      else {
        this.downCells.add(answer.cell.id);
        this.options.log.warn({ cell: answer.cell.name, status: answer.status }, 'cell did not answer the host-state refresh');
      }
    }
    return rows;
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
    this.list = [];
    const { cells, hostCell, hostZone } = this.topology;
    for (const node of this.nodes.values()) {
      const cellId = hostCell.get(node.host);
      const cell = cellId === undefined ? undefined : cells.get(cellId);
      const provider = this.providers.get(node.uuid);
      if (!cell || cell.id !== node.cellId || !provider) continue;
      this.hosts.set(node.uuid, {
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
          lastSeenUp: node.last_seen_up ? node.last_seen_up.getTime() : 0,
        },
        provider,
      });
    }
    this.list = [...this.hosts.values()];
  }
}
