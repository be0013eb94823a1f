import type { ComputeApi } from './client.js';
import type { Scenario } from './scenario.js';

interface ServerView {
  id: string;
  status: string;
  'OS-SRV-USG:launched_at'?: string | null;
}

/** What the client saw of the servers it booted. */
export interface BootOutcome {
  /** POST sent -> server ACTIVE (its launched_at), ms, one per server that went ACTIVE. */
  postToActiveMs: number[];
  /** POST sent -> 202, ms. */
  acceptMs: number[];
  requested: number;
  accepted: number;
  rejected: number;
  active: number;
  errors: number;
  /** Servers still building when the run ended. */
  unsettled: number;
  /** Servers that went ACTIVE in each second since the start. */
  activePerSecond: number[];
}

export interface ChurnOutcome {
  /** Operation -> [accepted, refused]. */
  operations: Record<string, { accepted: number; refused: number }>;
}

const parseLaunched = (value: string | null | undefined): number | undefined => (value ? Date.parse(`${value.slice(0, 23)}Z`) : undefined);

/**
 * Boots, churns and watches servers through the REST API only, as a client would: POST /servers,
 * server actions and DELETE, and GET /servers/detail?changes-since to see them settle (one list
 * call every half second, whatever the number of servers).
 */
export class ServerDriver {
  private readonly sentAt = new Map<string, number>();
  private readonly status = new Map<string, string>();
  private readonly settled = new Set<string>();
  /** Servers whose DELETE was accepted: they stay 'DELETED' whatever a later list shows while they go. */
  private readonly deleted = new Set<string>();
  private readonly outcome: BootOutcome;
  private readonly churn: ChurnOutcome = { operations: {} };
  /** Boots and churn are over: the watch ends once every accepted boot settled. */
  private loadDone = false;
  /** Asked to stop watching (the caller checks the outcome itself). */
  private stopped = false;

  constructor(
    private readonly api: ComputeApi,
    private readonly scenario: Scenario,
    private readonly imageId: string,
    private readonly started: number,
  ) {
    this.outcome = { postToActiveMs: [], acceptMs: [], requested: 0, accepted: 0, rejected: 0, active: 0, errors: 0, unsettled: 0, activePerSecond: [] };
  }

  /** Ends the watch at its next turn, settled or not. */
  stop(): void {
    this.stopped = true;
  }

  get settledCount(): number {
    return this.settled.size;
  }

  /** Accepted boots not yet ACTIVE or ERROR. */
  get unsettledCount(): number {
    return this.outcome.accepted - this.settled.size;
  }

  /** Every accepted server and its status as last seen ('DELETED' once its DELETE was accepted). */
  servers(): ReadonlyMap<string, string> {
    return this.status;
  }

  /** Runs boots, churn and the watch until the duration is over and boots in flight settled (or `settle` ran out). */
  async run(onTick?: () => void): Promise<{ boots: BootOutcome; churn: ChurnOutcome }> {
    const { duration, settle } = this.scenario;
    const end = this.started + duration * 1000;
    const watching = this.watch(end + settle * 1000, onTick);
    const booting = this.boot(end);
    const churning = this.churnUntil(end);
    await Promise.all([booting, churning]);
    this.loadDone = true;
    await watching;
    this.outcome.unsettled = this.outcome.accepted - this.settled.size;
    return { boots: this.outcome, churn: this.churn };
  }

  private async boot(end: number): Promise<void> {
    const { count, rate, concurrency } = this.scenario.boots;
    let next = 0;
    const one = async (): Promise<void> => {
      const i = next++;
      if (i >= count || Date.now() >= end) return;
      await this.post(i);
    };
    if (rate > 0) {
      const inFlight: Promise<void>[] = [];
      for (let i = 0; i < count; i += 1) {
        const wait = this.started + (i * 1000) / rate - Date.now();
        if (wait > 0) await sleep(wait);
        if (Date.now() >= end) break;
        inFlight.push(one());
      }
      await Promise.all(inFlight);
      return;
    }
    await Promise.all(
      Array.from({ length: Math.min(concurrency, count) }, async () => {
        while (next < count && Date.now() < end) await one();
      }),
    );
  }

  private async post(i: number): Promise<void> {
    const body = { server: { name: `${this.scenario.name}-${i}`, flavorRef: this.scenario.boots.flavor, imageRef: this.imageId, networks: 'none' } };
    this.outcome.requested += 1;
    const sent = Date.now();
    const res = await this.api.call<{ server?: { id: string } }>('POST', '/servers', body);
    this.outcome.acceptMs.push(Date.now() - sent);
    const id = res.body?.server?.id;
    if (res.status !== 202 || !id) {
      this.outcome.rejected += 1;
      return;
    }
    this.outcome.accepted += 1;
    this.sentAt.set(id, sent);
    if (!this.status.has(id)) this.status.set(id, 'BUILD');
  }

  private async watch(until: number, onTick?: () => void): Promise<void> {
    let since = new Date(this.started - 2000);
    for (;;) {
      const polled = Date.now();
      // A list the API did not answer (a part of it down) is asked again from the same point, so no change is missed.
      if (await this.poll(since)) since = new Date(polled - 2000);
      onTick?.();
      if ((this.loadDone && this.settled.size >= this.outcome.accepted) || this.stopped || Date.now() >= until) return;
      await sleep(500);
    }
  }

  /** Every server changed since `since`, page by page; false when a page did not come. */
  private async poll(since: Date): Promise<boolean> {
    let marker = '';
    for (;;) {
      const query = `/servers/detail?changes-since=${encodeURIComponent(since.toISOString())}&limit=1000${marker ? `&marker=${marker}` : ''}`;
      const res = await this.api.call<{ servers?: ServerView[] }>('GET', query);
      if (res.status !== 200) return false;
      const servers = res.body?.servers ?? [];
      for (const server of servers) this.seen(server);
      const last = servers[servers.length - 1];
      if (servers.length < 1000 || !last) return true;
      marker = last.id;
    }
  }

  private seen(server: ServerView): void {
    const sent = this.sentAt.get(server.id);
    if (sent === undefined) return;
    this.status.set(server.id, this.deleted.has(server.id) ? 'DELETED' : server.status);
    if (this.settled.has(server.id)) return;
    if (server.status === 'ERROR') {
      this.settled.add(server.id);
      this.outcome.errors += 1;
      return;
    }
    const launched = parseLaunched(server['OS-SRV-USG:launched_at']);
    if (launched === undefined) return;
    this.settled.add(server.id);
    this.outcome.active += 1;
    this.outcome.postToActiveMs.push(Math.max(0, launched - sent));
    const second = Math.max(0, Math.floor((launched - this.started) / 1000));
    while (this.outcome.activePerSecond.length <= second) this.outcome.activePerSecond.push(0);
    this.outcome.activePerSecond[second] = (this.outcome.activePerSecond[second] ?? 0) + 1;
  }

  private async churnUntil(end: number): Promise<void> {
    const { rate } = this.scenario.churn;
    if (rate <= 0) return;
    const inFlight: Promise<void>[] = [];
    for (let n = 0; ; n += 1) {
      const wait = this.started + (n * 1000) / rate - Date.now();
      if (wait > 0) await sleep(wait);
      if (Date.now() >= end) break;
      inFlight.push(this.churnOnce());
    }
    await Promise.all(inFlight);
  }

  private async churnOnce(): Promise<void> {
    const operation = this.pickOperation();
    const wanted = operation === 'start' ? ['SHUTOFF'] : operation === 'delete' ? ['ACTIVE', 'SHUTOFF'] : ['ACTIVE'];
    const candidates = [...this.status].filter(([, status]) => wanted.includes(status)).map(([id]) => id);
    const id = candidates[Math.floor(Math.random() * candidates.length)];
    if (id === undefined) return;
    // Until the watch sees the outcome, treat the server as busy so it is not picked twice.
    const before = this.status.get(id) ?? 'ACTIVE';
    this.status.set(id, 'BUSY');
    const res =
      operation === 'delete'
        ? await this.api.call('DELETE', `/servers/${id}`)
        : await this.api.call('POST', `/servers/${id}/action`, operation === 'reboot' ? { reboot: { type: 'SOFT' } } : { [`os-${operation}`]: null });
    const tally = (this.churn.operations[operation] ??= { accepted: 0, refused: 0 });
    if (res.status === 202 || res.status === 204) {
      tally.accepted += 1;
      if (operation === 'delete') {
        this.deleted.add(id);
        this.status.set(id, 'DELETED');
      }
    } else {
      tally.refused += 1;
      if (this.status.get(id) === 'BUSY') this.status.set(id, before);
    }
  }

  private pickOperation(): string {
    const { delete: del, reboot, stop, start } = this.scenario.churn;
    const weights: [string, number][] = [['delete', del], ['reboot', reboot], ['stop', stop], ['start', start]];
    const total = weights.reduce((sum, [, w]) => sum + w, 0);
    let roll = Math.random() * total;
    for (const [name, w] of weights) {
      if (roll < w) return name;
      roll -= w;
    }
    return 'reboot';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));
