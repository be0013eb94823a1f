import { createHash } from 'node:crypto';
import { errorMessage, type Logger, type NatsConnection } from '../../ops/runtime/index.js';
import { COMPUTE_BINARY } from '../bus/index.js';
import { ConductorClient, type HostInstance } from '../conductor/index.js';
import { FakeDriver, type FakeDriverOptions, type VirtDriver } from '../virt/index.js';
import { ComputeHost } from './host.js';
import type { RecoveryCounts } from './recover.js';

export interface HostPoolOptions {
  cellUuid: string;
  nc: NatsConnection;
  /** Host names are `${prefix}-${n}`, n from 1. */
  prefix: string;
  count: number;
  /** Hosts whose every spawn fails, to exercise rescheduling. */
  failingHosts?: string[];
  /** Hosts that take the first cast of each build and forget it (as if they died right after answering), to exercise the build watchdog. */
  losingHosts?: string[];
  driver: FakeDriverOptions;
  /** Another driver than the fake for each host (the QEMU driver), made from the host's name. */
  driverFor?: (host: string) => VirtDriver;
  ratios: { cpu: number; ram: number; disk: number };
  reportIntervalMs: number;
  resourceReportIntervalMs: number;
  log: Logger;
  onBuilt?: (ok: boolean) => void;
}

const tickMs = 100;
const registerConcurrency = 50;
const recoverConcurrency = 200;
/** Hosts per host_instances read: keeps a reply well under NATS's 1 MB message limit. */
const hostsPerRead = 250;

/** A compute node uuid that stays the same across restarts of the host (UUID v5 style). */
export function nodeUuid(cellUuid: string, host: string): string {
  const h = createHash('sha1').update(`cellstack:${cellUuid}:${host}`).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Many fake compute hosts in one process, each a real compute service to the rest of the system.
 * One timer drives every host's heartbeat and resource report, each at its own jittered phase,
 * so thousands of hosts do not all report in the same instant.
 */
export class HostPool {
  readonly hosts: ComputeHost[] = [];
  private readonly conductor: ConductorClient;
  private timer: NodeJS.Timeout | undefined;
  private nextBeat: number[] = [];
  private nextReport: number[] = [];

  constructor(private readonly options: HostPoolOptions) {
    this.conductor = new ConductorClient(options.nc, options.cellUuid, { batchUpdates: true });
    const failing = new Set(options.failingHosts ?? []);
    const losing = new Set(options.losingHosts ?? []);
    for (let n = 1; n <= options.count; n += 1) {
      const host = `${options.prefix}-${n}`;
      this.hosts.push(
        new ComputeHost({
          host,
          nodeUuid: nodeUuid(options.cellUuid, host),
          cellUuid: options.cellUuid,
          nc: options.nc,
          conductor: this.conductor,
          driver: options.driverFor?.(host) ?? new FakeDriver({ ...options.driver, failEverySpawn: failing.has(host) }),
          ratios: options.ratios,
          log: options.log,
          losesFirstCasts: losing.has(host),
          ...(options.onBuilt ? { onBuilt: options.onBuilt } : {}),
        }),
      );
    }
  }

  private registered = false;
  private driversReady = false;

  /**
   * Registers every host with the cell's conductor (safe to run again: a host is created or
   * brought back). A process starting beside its conductor runs this until the conductor answers.
   */
  async register(): Promise<void> {
    if (!this.driversReady) {
      for (const host of this.hosts) await host.initDriver();
      this.driversReady = true;
    }
    for (let i = 0; i < this.hosts.length; i += registerConcurrency) {
      await Promise.all(this.hosts.slice(i, i + registerConcurrency).map((h) => h.report()));
    }
    this.registered = true;
  }

  /**
   * Registers every host (a few dozen at a time), finds the instances the cell places on them
   * (Nova's init_host: guests at rest are taken back, cut-short work is finished or put in
   * ERROR, never left in BUILD), subscribes them, and starts reporting.
   */
  async start(): Promise<RecoveryCounts> {
    if (!this.registered) await this.register();
    const found = await this.instancesByHost();
    for (const host of this.hosts) host.adopt(found.get(host.host) ?? []);
    for (const host of this.hosts) host.serve();
    const counts: RecoveryCounts = { adopted: 0, finished: 0, errored: 0, deleted: 0, handedBack: 0 };
    for (let i = 0; i < this.hosts.length; i += recoverConcurrency) {
      await Promise.all(this.hosts.slice(i, i + recoverConcurrency).map((h) => h.recover(found.get(h.host) ?? [], counts)));
    }
    this.startReporting();
    return counts;
  }

  /** The cell's instances on this pool's hosts, a few hundred hosts a read. */
  private async instancesByHost(): Promise<Map<string, HostInstance[]>> {
    const byHost = new Map<string, HostInstance[]>();
    const names = this.hosts.map((h) => h.host);
    for (let i = 0; i < names.length; i += hostsPerRead) {
      for (const instance of await this.conductor.hostInstances({ hosts: names.slice(i, i + hostsPerRead) })) {
        const list = byHost.get(instance.host) ?? [];
        list.push(instance);
        byHost.set(instance.host, list);
      }
    }
    return byHost;
  }

  private startReporting(): void {
    const now = Date.now();
    const { reportIntervalMs, resourceReportIntervalMs } = this.options;
    this.nextBeat = this.hosts.map(() => now + Math.random() * reportIntervalMs);
    this.nextReport = this.hosts.map(() => now + Math.random() * resourceReportIntervalMs);
    this.timer = setInterval(() => this.tick(), Math.min(tickMs, reportIntervalMs));
  }

  private tick(): void {
    const now = Date.now();
    const { reportIntervalMs, resourceReportIntervalMs } = this.options;
    this.hosts.forEach((host, i) => {
      if ((this.nextBeat[i] ?? 0) <= now) {
        host.heartbeat();
        this.nextBeat[i] = now + reportIntervalMs;
      }
      if ((this.nextReport[i] ?? 0) <= now) {
        this.nextReport[i] = now + resourceReportIntervalMs;
        host.reportResources();
      }
    });
  }

  /** Stops reporting; a graceful stop also marks every host down at once. */
  async stop(graceful = true): Promise<void> {
    clearInterval(this.timer);
    for (const host of this.hosts) host.stopServing();
    for (const host of this.hosts) host.closeDriver();
    if (graceful) {
      await this.conductor.hostsDown({ hosts: this.hosts.map((h) => h.host), binary: COMPUTE_BINARY }).catch((err: unknown) =>
        this.options.log.warn({ err: errorMessage(err) }, 'could not mark hosts down'),
      );
    }
  }
}
