import { errorMessage, type Logger } from '../../../ops/runtime/index.js';
import { pingDatabase } from '../../../ops/runtime-db/index.js';
import { isCell0, listHostMappings, type CellMapping, type CellRegistry, type HostMappingView } from '../../cells/index.js';
import type { ApiDatabase } from '../../db/index.js';
import type { ConductorLoad, ConductorLoads } from './load.js';

/** One engine of a cell (its bus or its database) as the last probe found it. */
export interface EngineProbe {
  ok: boolean;
  /** Round trip of the probe; null when it failed or there is no such engine (cell0's bus). */
  ms: number | null;
  error?: string;
}

export interface CellProbe {
  uuid: string;
  name: string;
  disabled: boolean;
  state: 'up' | 'down' | 'disabled';
  bus: EngineProbe;
  db: EngineProbe;
  /** Its conductor's messages/s and CPU; null when its /metrics did not answer; absent when not configured. */
  conductor?: ConductorLoad | null;
  /** When the cell last went down (epoch ms), while it is down. */
  downSince: number | null;
  checkedAt: number;
}

export interface CellWatchOptions {
  intervalMs: number;
  timeoutMs: number;
}

class ProbeTimeout extends Error {
  override readonly name = 'ProbeTimeout';
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new ProbeTimeout(`${what} did not answer in ${ms} ms`)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function timed(work: () => Promise<unknown>, ms: number, what: string): Promise<EngineProbe> {
  const started = performance.now();
  try {
    await withTimeout(work(), ms, what);
    return { ok: true, ms: Math.round((performance.now() - started) * 10) / 10 };
  } catch (err) {
    return { ok: false, ms: null, error: errorMessage(err) };
  }
}

/**
 * Probes every cell's bus and database on its own (cellctl status's checks, every second), so
 * the cells page sees a cell go down within a probe or two; listeners hear each round.
 */
export class CellWatch {
  private probes: CellProbe[] = [];
  private hosts: HostMappingView[] = [];
  private hostsAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private scrapedAt = 0;
  /** Why the last round could not list the cells (its probes are then the round's before); undefined when it could. */
  listError: string | undefined;
  private readonly listeners = new Set<(probes: CellProbe[]) => void>();

  constructor(
    private readonly api: ApiDatabase,
    private readonly registry: CellRegistry,
    private readonly options: CellWatchOptions,
    private readonly log: Logger,
    private readonly loads?: ConductorLoads,
  ) {}

  start(): void {
    this.running = true;
    void this.round();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.listeners.clear();
  }

  latest(): CellProbe[] {
    return this.probes;
  }

  /** Calls `listener` after every probe round; returns how to stop. */
  listen(listener: (probes: CellProbe[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Which cell each host is mapped to (cellctl host list), read again at most every 10 s. */
  async hostCells(): Promise<Map<string, string>> {
    if (Date.now() - this.hostsAt > 10_000) {
      this.hosts = await listHostMappings(this.api, this.registry);
      this.hostsAt = Date.now();
    }
    return new Map(this.hosts.map((h) => [h.host, h.cell]));
  }

  private async round(): Promise<void> {
    try {
      const cells = await withTimeout(this.registry.list(), this.options.timeoutMs, 'the API database');
      const before = new Map(this.probes.map((p) => [p.uuid, p]));
      const [probes] = await Promise.all([Promise.all(cells.map((cell) => this.probe(cell, before.get(cell.uuid)))), this.scrapeLoads()]);
      this.probes = probes.map((p) => {
        const load = this.loads?.of(p.name);
        return load === undefined ? p : { ...p, conductor: load };
      });
      if (this.listError) this.log.info('the cells can be listed again');
      this.listError = undefined;
    } catch (err) {
      // Said once when it starts, not every round: the API database being away is logged by whoever owns it.
      if (!this.listError) this.log.warn({ err: errorMessage(err) }, 'could not list the cells; their last probes stand');
      this.listError = errorMessage(err);
    }
    for (const listener of this.listeners) listener(this.probes);
    if (this.running) this.timer = setTimeout(() => void this.round(), this.options.intervalMs);
  }

  /** Conductor metrics every 3 s at most: a rate over one second of a quiet cell is mostly noise. */
  private async scrapeLoads(): Promise<void> {
    if (!this.loads || Date.now() - this.scrapedAt < 3000) return;
    this.scrapedAt = Date.now();
    await this.loads.scrape();
  }

  private async probe(cell: CellMapping, before: CellProbe | undefined): Promise<CellProbe> {
    const { timeoutMs } = this.options;
    const db = this.registry.database(cell);
    const [dbProbe, busProbe] = await Promise.all([
      timed(() => pingDatabase(db.sequelize, cell.databaseUrl), timeoutMs, 'the database'),
      isCell0(cell) ? Promise.resolve<EngineProbe>({ ok: true, ms: null }) : timed(async () => (await this.registry.bus(cell)).rtt(), timeoutMs, 'the bus'),
    ]);
    const reachable = dbProbe.ok && busProbe.ok;
    const state = !reachable ? 'down' : cell.disabled ? 'disabled' : 'up';
    const now = Date.now();
    const downSince = state === 'down' ? (before?.downSince ?? now) : null;
    if (state === 'down' && before?.state !== 'down') this.log.warn({ cell: cell.name, bus: busProbe.error, db: dbProbe.error }, 'cell unreachable');
    return { uuid: cell.uuid, name: cell.name, disabled: cell.disabled, state, bus: busProbe, db: dbProbe, downSince, checkedAt: now };
  }
}
