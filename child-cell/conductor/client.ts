import { callRpc, castRpc, type NatsConnection } from '../../ops/runtime/index.js';
import { conductorSubject } from '../bus/index.js';
import {
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
  type PingResult,
  type RegisterHostArgs,
  type RegisterHostResult,
  type ReportResourcesArgs,
} from './messages.js';

/** The only way to reach a cell's conductors: each call goes to whichever conductor of the queue group is free. */
export class ConductorClient {
  private readonly subject: string;

  constructor(
    private readonly nc: NatsConnection,
    cellUuid: string,
    private readonly timeoutMs = 30_000,
  ) {
    this.subject = conductorSubject(cellUuid);
  }

  private call<R>(method: string, args: unknown, requestId?: string, timeoutMs = this.timeoutMs): Promise<R> {
    return callRpc<R>(this.nc, this.subject, method, args, { version: CONDUCTOR_VERSION, timeoutMs, requestId });
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

  instanceUpdate(args: InstanceUpdateArgs, requestId?: string): Promise<null> {
    return this.call('instance_update', args, requestId);
  }

  instanceDestroy(args: InstanceDestroyArgs, requestId?: string): Promise<{ deleted: boolean }> {
    return this.call('instance_destroy', args, requestId);
  }

  finishMove(args: FinishMoveArgs, requestId?: string): Promise<null> {
    return this.call('finish_move', args, requestId);
  }

  moveFailed(args: MoveFailedArgs, requestId?: string): Promise<null> {
    return this.call('move_failed', args, requestId);
  }

  finishRevert(args: FinishRevertArgs, requestId?: string): Promise<null> {
    return this.call('finish_revert', args, requestId);
  }

  buildFailed(args: BuildFailedArgs, requestId?: string): Promise<BuildFailedResult> {
    return this.call('build_failed', args, requestId, this.timeoutMs * 2);
  }
}
