import type { CellProbe, CellWatch } from './cells/watch.js';
import type { OpenStackClient } from './client.js';

/** One compute host as the Compute API's services and hypervisors show it, with its cell. */
export interface HostRow {
  host: string;
  cell: string;
  zone: string;
  /** Names of the host aggregates it is in. */
  aggregates: string[];
  /** unknown: its cell did not answer the API (a 2.69 partial record). */
  state: 'up' | 'down' | 'unknown';
  disabled: boolean;
  forcedDown: boolean;
  disabledReason: string | null;
  serviceId: string;
  /** Seconds since the host's last heartbeat the API knows of. */
  heartbeatAge: number | null;
  vcpus: number;
  vcpusUsed: number;
  ramMb: number;
  ramUsedMb: number;
  diskGb: number;
  diskUsedGb: number;
  servers: number;
}

interface ApiService {
  id?: string;
  host: string;
  zone?: string;
  status: string;
  state?: string;
  updated_at?: string | null;
  forced_down?: boolean;
  disabled_reason?: string | null;
}

interface ApiHypervisor {
  id: string;
  service: { host: string };
  vcpus: number;
  vcpus_used: number;
  memory_mb: number;
  memory_mb_used: number;
  local_gb: number;
  local_gb_used: number;
  running_vms: number;
}

export interface CellSummary extends CellProbe {
  hosts: { up: number; down: number; disabled: number; unknown: number };
  instances: number;
  /** Heartbeat age of the cell's hosts: median and oldest, in seconds. */
  heartbeat: { p50: number | null; max: number | null };
}

/** The shortest time a host list is kept; a list that took long to read is kept longer (`KEEP_FACTOR` times its read). */
const MIN_KEEP_MS = 3000;
const KEEP_FACTOR = 5;

/**
 * Every compute host, read through the API at most every few seconds however many pages ask:
 * at 10,000 hosts (services and ten pages of hypervisors) the API spends a share of a core on
 * each read, so the list is kept five times as long as it took to read, and never under 3 s.
 */
export class Fleet {
  private current: { hosts: Promise<HostRow[]>; until: number } | undefined;

  constructor(
    private readonly api: OpenStackClient,
    private readonly cells: CellWatch,
  ) {}

  /** Hosts as an admin sees them; `token` must carry the admin role (the API checks it too). */
  hosts(token: string): Promise<HostRow[]> {
    if (this.current && this.current.until > Date.now()) return this.current.hosts;
    const started = Date.now();
    const entry = { hosts: this.load(token), until: Number.POSITIVE_INFINITY };
    this.current = entry;
    void entry.hosts.then(
      () => (entry.until = Date.now() + Math.max(MIN_KEEP_MS, KEEP_FACTOR * (Date.now() - started))),
      () => {
        if (this.current === entry) this.current = undefined;
      },
    );
    return entry.hosts;
  }

  forget(): void {
    this.current = undefined;
  }

  private async load(token: string): Promise<HostRow[]> {
    const [services, hypervisors, aggregates, cellOf] = await Promise.all([
      this.api.get<{ services: ApiService[] }>(token, '/v2.1/os-services?binary=nova-compute'),
      this.api.getAll<ApiHypervisor>(token, '/v2.1/os-hypervisors/detail', 'hypervisors'),
      this.api.get<{ aggregates: { name: string; hosts: string[] }[] }>(token, '/v2.1/os-aggregates'),
      this.cells.hostCells(),
    ]);
    const byHost = new Map(hypervisors.map((h) => [h.service.host, h]));
    const aggregatesOf = new Map<string, string[]>();
    for (const a of aggregates.aggregates) for (const host of a.hosts) aggregatesOf.set(host, [...(aggregatesOf.get(host) ?? []), a.name]);
    const now = Date.now();
    return services.services.map((s): HostRow => {
      const h = byHost.get(s.host);
      const seen = s.updated_at ? Date.parse(s.updated_at.endsWith('Z') ? s.updated_at : `${s.updated_at}Z`) : NaN;
      return {
        host: s.host,
        cell: cellOf.get(s.host) ?? '?',
        zone: s.zone ?? '',
        aggregates: aggregatesOf.get(s.host) ?? [],
        state: s.status === 'UNKNOWN' ? 'unknown' : s.state === 'up' ? 'up' : 'down',
        disabled: s.status === 'disabled',
        forcedDown: s.forced_down ?? false,
        disabledReason: s.disabled_reason ?? null,
        serviceId: s.id ?? '',
        heartbeatAge: Number.isNaN(seen) ? null : Math.max(0, Math.round((now - seen) / 100) / 10),
        vcpus: h?.vcpus ?? 0,
        vcpusUsed: h?.vcpus_used ?? 0,
        ramMb: h?.memory_mb ?? 0,
        ramUsedMb: h?.memory_mb_used ?? 0,
        diskGb: h?.local_gb ?? 0,
        diskUsedGb: h?.local_gb_used ?? 0,
        servers: h?.running_vms ?? 0,
      };
    });
  }
}

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? null;
};

/** Each cell's probe with its hosts' figures beside it. */
export function summarizeCells(probes: CellProbe[], hosts: HostRow[]): CellSummary[] {
  return probes.map((probe) => {
    const mine = hosts.filter((h) => h.cell === probe.name);
    const ages = mine.map((h) => h.heartbeatAge).filter((a): a is number => a !== null);
    return {
      ...probe,
      hosts: {
        up: mine.filter((h) => h.state === 'up').length,
        down: mine.filter((h) => h.state === 'down').length,
        disabled: mine.filter((h) => h.disabled).length,
        unknown: mine.filter((h) => h.state === 'unknown').length,
      },
      instances: mine.reduce((n, h) => n + h.servers, 0),
      heartbeat: { p50: median(ages), max: ages.length > 0 ? Math.max(...ages) : null },
    };
  });
}
