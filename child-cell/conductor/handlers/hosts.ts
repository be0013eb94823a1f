import type { RpcMethods } from '../../../ops/runtime/index.js';
import { markHostsDown, recordHeartbeats, upsertComputeNode, upsertService } from '../../db/index.js';
import { HeartbeatArgs, HostsDownArgs, RegisterHostArgs, ReportResourcesArgs, CONDUCTOR_VERSION, type RegisterHostResult } from '../messages.js';
import type { ConductorDeps } from './deps.js';

const flushEveryMs = 250;
const flushAtCount = 1000;

/**
 * Collects heartbeats for a moment and writes them in one statement per binary: 500 hosts
 * reporting at once cost a handful of statements, not 500.
 */
export class HeartbeatBatcher {
  private pending = new Map<string, { hosts: Set<string>; sentAt: number[] }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ConductorDeps) {}

  add(binary: string, host: string, sentAt: number | undefined): void {
    let batch = this.pending.get(binary);
    if (!batch) this.pending.set(binary, (batch = { hosts: new Set(), sentAt: [] }));
    batch.hosts.add(host);
    if (sentAt !== undefined) batch.sentAt.push(sentAt);
    if (batch.hosts.size >= flushAtCount) this.flushSoon(0);
    else this.flushSoon(flushEveryMs);
  }

  private flushSoon(ms: number): void {
    if (this.timer && ms > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flushing.then(() => this.flush());
    }, ms);
  }

  /** Writes what has been collected; resolves when it is written. */
  async flush(): Promise<void> {
    const batches = this.pending;
    this.pending = new Map();
    for (const [binary, batch] of batches) {
      try {
        await recordHeartbeats(this.deps.db, binary, [...batch.hosts]);
        const now = Date.now();
        for (const sent of batch.sentAt) this.deps.onHeartbeatLag?.(now - sent);
      } catch (err) {
        this.deps.log.warn({ err: String(err), hosts: batch.hosts.size }, 'heartbeats could not be written');
      }
    }
  }

  /**
   * Drops what was collected for `hosts` and waits out a write under way: a heartbeat a host sent
   * just before it stopped must not mark it up again after its stop marked it down.
   */
  async forget(binary: string, hosts: string[]): Promise<void> {
    const batch = this.pending.get(binary);
    for (const host of hosts) batch?.hosts.delete(host);
    await this.flushing;
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    await this.flushing;
    await this.flush();
  }
}

export function hostMethods(deps: ConductorDeps, heartbeats: HeartbeatBatcher): RpcMethods {
  // What this conductor last wrote for each host's node: a periodic report that says the same
  // again is not written (thousands of hosts report every minute; their resources rarely move).
  const written = new Map<string, string>();
  return {
    register_host: {
      version: CONDUCTOR_VERSION,
      schema: RegisterHostArgs,
      handle: async (args: RegisterHostArgs): Promise<RegisterHostResult> => {
        const service_uuid = await upsertService(deps.db, { host: args.host, binary: args.binary, topic: args.topic, version: args.version });
        const compute_node_uuid = await upsertComputeNode(deps.db, { ...args.node, host: args.host });
        written.set(args.host, JSON.stringify(args.node));
        return { service_uuid, compute_node_uuid };
      },
    },
    report_resources: {
      version: CONDUCTOR_VERSION,
      schema: ReportResourcesArgs,
      handle: async (args: ReportResourcesArgs) => {
        const report = JSON.stringify(args.node);
        if (written.get(args.host) === report) return null;
        await upsertComputeNode(deps.db, { ...args.node, host: args.host });
        written.set(args.host, report);
        return null;
      },
    },
    heartbeat: {
      version: CONDUCTOR_VERSION,
      schema: HeartbeatArgs,
      handle: async (args: HeartbeatArgs, context) => {
        heartbeats.add(args.binary, args.host, context.sentAt);
        return null;
      },
    },
    hosts_down: {
      version: CONDUCTOR_VERSION,
      schema: HostsDownArgs,
      handle: async (args: HostsDownArgs) => {
        await heartbeats.forget(args.binary, args.hosts);
        return { marked: await markHostsDown(deps.db, args.binary, args.hosts) };
      },
    },
  };
}
