import { setTimeout as delay } from 'node:timers/promises';
import { Batcher, callRpc, castRpc, CellstackError, RemoteError, type NatsConnection } from '../../ops/runtime/index.js';
import { conductorSubject } from '../bus/index.js';
import {
  BUILD_NOT_TAKEN_VERSION,
  CONDUCTOR_LATEST_VERSION,
  CONDUCTOR_VERSION,
  type BuildFailedArgs,
  type BuildFailedResult,
  type FinishMoveArgs,
  type FinishRevertArgs,
  type MoveFailedArgs,
  type HeartbeatArgs,
  type HostsDownArgs,
  type HostInstance,
  type HostInstancesArgs,
  type InstanceDestroyArgs,
  type InstanceUpdateArgs,
  type InstanceUpdatesResult,
  type PingResult,
  type RegisterHostArgs,
  type RegisterHostResult,
  type ReportResourcesArgs,
} from './messages.js';

interface PendingUpdate {
  args: InstanceUpdateArgs;
  requestId: string | undefined;
  error?: unknown;
  /** The batch message failed as a whole: this update still has to be sent. */
  unsent?: boolean;
}

/** The only way to reach a cell's conductors: each call goes to whichever conductor of the queue group is free. */
export class ConductorClient {
  private readonly subject: string;

  private updates: Batcher<PendingUpdate> | undefined;

  private readonly timeoutMs: number;
  /** How long a host keeps sending a report no conductor answers (see `report`). */
  private readonly reportPatienceMs: number;

  constructor(
    private readonly nc: NatsConnection,
    cellUuid: string,
    options: { timeoutMs?: number; reportPatienceMs?: number; batchUpdates?: boolean } = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.reportPatienceMs = options.reportPatienceMs ?? 15 * 60_000;
    // A pool's hosts share one client: their instance updates go together.
    if (options.batchUpdates) this.updates = new Batcher<PendingUpdate>((batch) => this.sendUpdates(batch), 200);
    this.subject = conductorSubject(cellUuid);
  }

  private call<R>(method: string, args: unknown, requestId?: string, timeoutMs = this.timeoutMs, version = CONDUCTOR_VERSION): Promise<R> {
    return callRpc<R>(this.nc, this.subject, method, args, { version, timeoutMs, requestId });
  }

  /**
   * What a host did (a build went on, a guest went away, a move finished) must reach the cell's
   * database: while no conductor answers (all restarting, the bus or database away) the call is
   * sent again, waiting 0.5 s, 1 s, 2 s ... up to 15 s between tries. Its handler is safe to run
   * twice, so a report that was applied but whose answer was lost is harmless to resend.
   */
  private async report<R>(method: string, args: unknown, requestId?: string, timeoutMs = this.timeoutMs, version = CONDUCTOR_VERSION): Promise<R> {
    const giveUpAt = Date.now() + this.reportPatienceMs;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.call<R>(method, args, requestId, timeoutMs, version);
      } catch (err) {
        const retryable = err instanceof CellstackError && err.retryable;
        if (!retryable || this.nc.isClosed() || Date.now() >= giveUpAt) throw err;
        await delay(Math.min(500 * 2 ** attempt, 15_000), undefined, { ref: false });
      }
    }
  }

  ping(timeoutMs = 2000): Promise<PingResult> {
    return this.call<PingResult>('ping', {}, undefined, timeoutMs);
  }

  registerHost(args: RegisterHostArgs): Promise<RegisterHostResult> {
    return this.call('register_host', args);
  }

  /** Fire and forget: a lost report is covered by the next one. */
  reportResources(args: ReportResourcesArgs): void {
    castRpc(this.nc, this.subject, 'report_resources', args, { version: CONDUCTOR_VERSION });
  }

  /** Fire and forget: a lost heartbeat is covered by the next one. */
  heartbeat(args: HeartbeatArgs): void {
    castRpc(this.nc, this.subject, 'heartbeat', args, { version: CONDUCTOR_VERSION });
  }

  hostsDown(args: HostsDownArgs): Promise<{ marked: number }> {
    return this.call('hosts_down', args);
  }

  /** The cell's live instances on these hosts (at most 1,000 hosts a call). */
  hostInstances(args: HostInstancesArgs): Promise<HostInstance[]> {
    return this.call('host_instances', args);
  }

  /**
   * With `batchUpdates`, the updates of every host sharing this client go together: those asked
   * for while one message is out leave in the next (instance_updates), one result each. A
   * conductor that does not know instance_updates yet gets them one by one from then on.
   */
  async instanceUpdate(args: InstanceUpdateArgs, requestId?: string): Promise<null> {
    if (!this.updates) return this.report('instance_update', args, requestId);
    const pending: PendingUpdate = { args, requestId };
    await this.updates.submit(pending);
    // The message did not get through, or this write hit a passing fault (its database away):
    // it goes alone, with the usual patience, outside the batch, so no other host waits on it.
    const retryable = pending.error instanceof CellstackError && pending.error.retryable;
    if (pending.unsent || retryable) return this.report('instance_update', args, requestId);
    if (pending.error) throw pending.error;
    return null;
  }

  /** One message for the batch, never retried here and never throwing: what it could not settle is marked unsent. */
  private async sendUpdates(batch: PendingUpdate[]): Promise<void> {
    if (!this.updates) {
      for (const p of batch) p.unsent = true;
      return;
    }
    const updates = batch.map((p) => ({ ...p.args, ...(p.requestId ? { request_id: p.requestId } : {}) }));
    let answer: InstanceUpdatesResult;
    try {
      answer = await this.call<InstanceUpdatesResult>('instance_updates', { updates }, undefined, this.timeoutMs, CONDUCTOR_LATEST_VERSION);
    } catch (err) {
      // An older conductor: one by one from now on.
      if (err instanceof RemoteError && /unknown method|is newer than/.test(err.message)) this.updates = undefined;
      for (const p of batch) p.unsent = true;
      return;
    }
    batch.forEach((p, i) => {
      const result = answer.results[i];
      if (!result) p.unsent = true;
      else if (!result.ok) p.error = new RemoteError(result.error);
    });
  }

  instanceDestroy(args: InstanceDestroyArgs, requestId?: string): Promise<{ deleted: boolean }> {
    return this.report('instance_destroy', args, requestId);
  }

  finishMove(args: FinishMoveArgs, requestId?: string): Promise<null> {
    return this.report('finish_move', args, requestId);
  }

  moveFailed(args: MoveFailedArgs, requestId?: string): Promise<null> {
    return this.report('move_failed', args, requestId);
  }

  finishRevert(args: FinishRevertArgs, requestId?: string): Promise<null> {
    return this.report('finish_revert', args, requestId);
  }

  buildFailed(args: BuildFailedArgs, requestId?: string): Promise<BuildFailedResult> {
    return this.report('build_failed', args, requestId, this.timeoutMs * 2);
  }

  /**
   * A cast its host did not take (v5): the conductor passes the build on to the alternates, as it
   * does a failed spawn, and leaves it when none takes it. Sent once: when no conductor answers,
   * the caller hands the build back to be scheduled again.
   */
  passBuildOn(args: Omit<BuildFailedArgs, 'not_taken'>, requestId: string, timeoutMs: number): Promise<BuildFailedResult> {
    return this.call('build_failed', { ...args, not_taken: true }, requestId, timeoutMs, BUILD_NOT_TAKEN_VERSION);
  }
}
