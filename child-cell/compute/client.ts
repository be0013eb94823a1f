import { callRpc, type NatsConnection } from '../../ops/runtime/index.js';
import { computeSubject } from '../bus/index.js';
import {
  COMPUTE_BASE_VERSION,
  COMPUTE_LATEST_VERSION,
  type SnapshotArgs,
  type SnapshotResult,
  type BuildAccepted,
  type ShelveArgs,
  type UnshelveArgs,
  type UnshelveResult,
  type ConsoleResult,
  type CrashDumpResult,
  type DiagnosticsResult,
  type BuildArgs,
  type PowerArgs,
  type RebuildArgs,
  type ReceiveMoveArgs,
  type ReleaseGuestArgs,
  type RevertMoveArgs,
  type TerminateArgs,
  type TerminateResult,
  type UptimeResult,
} from './messages.js';

/** Power operations that came with version 3; the older ones are still sent as 2. */
const LATEST_POWER_OPERATIONS: readonly string[] = ['rescue', 'unrescue', 'unshelve', 'changePassword', 'softDelete', 'restore'];

/** The only way to reach a compute host: through its cell's bus, on the host's own subject. */
export class ComputeClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly cellUuid: string,
  ) {}

  /** A client for the hosts of one cell, on that cell's bus (a registry opens the bus once). */
  static async forCell(registry: { bus(cell: { uuid: string }): Promise<NatsConnection> }, cell: { uuid: string }): Promise<ComputeClient> {
    return new ComputeClient(await registry.bus(cell), cell.uuid);
  }

  private call<R>(host: string, method: string, args: unknown, requestId: string, timeoutMs: number, version = COMPUTE_BASE_VERSION): Promise<R> {
    return callRpc<R>(this.nc, computeSubject(this.cellUuid, host), method, args, { version, requestId, timeoutMs });
  }

  /** Hands a build to a host; resolves once the host has taken it (not once it is ACTIVE). */
  buildAndRunInstance(host: string, args: BuildArgs, requestId: string, timeoutMs: number): Promise<BuildAccepted> {
    return this.call(host, 'build_and_run_instance', args, requestId, timeoutMs);
  }

  /** Hands a power operation to a host; resolves once the host has taken it. */
  powerAction(host: string, args: PowerArgs, requestId: string, timeoutMs: number): Promise<BuildAccepted> {
    const version = LATEST_POWER_OPERATIONS.includes(args.operation) ? COMPUTE_LATEST_VERSION : COMPUTE_BASE_VERSION;
    return this.call(host, 'power_action', args, requestId, timeoutMs, version);
  }

  rebuildInstance(host: string, args: RebuildArgs, requestId: string, timeoutMs: number): Promise<BuildAccepted> {
    return this.call(host, 'rebuild_instance', args, requestId, timeoutMs);
  }

  /** Asks the destination of a move to take the instance over; resolves once it has taken the job. */
  receiveMove(host: string, args: ReceiveMoveArgs, requestId: string, timeoutMs: number): Promise<BuildAccepted> {
    const version = args.kind === 'evacuation' ? COMPUTE_LATEST_VERSION : COMPUTE_BASE_VERSION;
    return this.call(host, 'receive_move', args, requestId, timeoutMs, version);
  }

  /** Asks the source of a resize to take the instance back. */
  revertMove(host: string, args: RevertMoveArgs, requestId: string, timeoutMs: number): Promise<BuildAccepted> {
    return this.call(host, 'revert_move', args, requestId, timeoutMs);
  }

  /** Tells a host to destroy its copy of a guest that now lives elsewhere; resolves when it has. */
  releaseGuest(host: string, args: ReleaseGuestArgs, requestId: string, timeoutMs: number): Promise<{ released: boolean }> {
    return this.call(host, 'release_guest', args, requestId, timeoutMs);
  }

  /** Asks a host to copy a guest's disk into an image; resolves with the image data once it has. */
  snapshotInstance(host: string, args: SnapshotArgs, requestId: string, timeoutMs: number): Promise<SnapshotResult> {
    return this.call(host, 'snapshot_instance', args, requestId, timeoutMs, COMPUTE_LATEST_VERSION);
  }

  /** The guest's console log as its host's hypervisor kept it. */
  getConsoleOutput(host: string, instanceUuid: string, requestId: string, timeoutMs: number): Promise<ConsoleResult> {
    return this.call(host, 'get_console_output', { instance_uuid: instanceUuid }, requestId, timeoutMs, COMPUTE_LATEST_VERSION);
  }

  /** Sends a guest an NMI (a crash dump); resolves once the host has sent it. */
  triggerCrashDump(host: string, instanceUuid: string, requestId: string, timeoutMs: number): Promise<CrashDumpResult> {
    return this.call(host, 'trigger_crash_dump', { instance_uuid: instanceUuid }, requestId, timeoutMs, COMPUTE_LATEST_VERSION);
  }

  /** What the host's hypervisor tells of a guest. */
  getDiagnostics(host: string, instanceUuid: string, requestId: string, timeoutMs: number): Promise<DiagnosticsResult> {
    return this.call(host, 'get_diagnostics', { instance_uuid: instanceUuid }, requestId, timeoutMs, COMPUTE_LATEST_VERSION);
  }

  /** Asks a host to power a guest off and copy its disk for shelving; resolves with the image data. */
  shelveInstance(host: string, args: ShelveArgs, requestId: string, timeoutMs: number): Promise<SnapshotResult> {
    return this.call(host, 'shelve_instance', args, requestId, timeoutMs, COMPUTE_LATEST_VERSION);
  }

  /** Asks a host to spawn a shelved-offloaded instance; resolves once it runs (and is ACTIVE in the cell). */
  unshelveInstance(host: string, args: UnshelveArgs, requestId: string, timeoutMs: number): Promise<UnshelveResult> {
    return this.call(host, 'unshelve_instance', args, requestId, timeoutMs, COMPUTE_LATEST_VERSION);
  }

  /** Asks a host to destroy a guest; resolves once the instance is deleted in the cell. */
  terminateInstance(host: string, args: TerminateArgs, requestId: string, timeoutMs: number): Promise<TerminateResult> {
    return this.call(host, 'terminate_instance', args, requestId, timeoutMs);
  }

  /** The host's uptime line, as its hypervisor reports it. */
  getHostUptime(host: string, requestId: string, timeoutMs: number): Promise<UptimeResult> {
    return this.call(host, 'get_host_uptime', {}, requestId, timeoutMs);
  }
}
