import { callRpc, type NatsConnection } from '../../ops/runtime/index.js';
import { computeSubject } from '../bus/index.js';
import {
  COMPUTE_VERSION,
  COMPUTE_VERSION_3,
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

/** The only way to reach a compute host: through its cell's bus, on the host's own subject. */
export class ComputeClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly cellUuid: string,
  ) {}

  /** Hands a build to a host; resolves once the host has taken it (not once it is ACTIVE). */
  buildAndRunInstance(host: string, args: BuildArgs, requestId: string, timeoutMs: number): Promise<BuildAccepted> {
    return callRpc<BuildAccepted>(this.nc, computeSubject(this.cellUuid, host), 'build_and_run_instance', args, {
      version: COMPUTE_VERSION,
      requestId,
      timeoutMs,
    });
  }

  /** Hands a power operation to a host; resolves once the host has taken it. */
  powerAction(host: string, args: PowerArgs, requestId: string, timeoutMs: number): Promise<BuildAccepted> {
    const version = ['rescue', 'unrescue', 'unshelve', 'changePassword', 'softDelete', 'restore'].includes(args.operation) ? COMPUTE_VERSION_3 : COMPUTE_VERSION;
    return callRpc<BuildAccepted>(this.nc, computeSubject(this.cellUuid, host), 'power_action', args, { version, requestId, timeoutMs });
  }

  rebuildInstance(host: string, args: RebuildArgs, requestId: string, timeoutMs: number): Promise<BuildAccepted> {
    return callRpc<BuildAccepted>(this.nc, computeSubject(this.cellUuid, host), 'rebuild_instance', args, { version: COMPUTE_VERSION, requestId, timeoutMs });
  }

  /** Asks the destination of a move to take the instance over; resolves once it has taken the job. */
  receiveMove(host: string, args: ReceiveMoveArgs, requestId: string, timeoutMs: number): Promise<BuildAccepted> {
    const version = args.kind === 'evacuation' ? COMPUTE_VERSION_3 : COMPUTE_VERSION;
    return callRpc<BuildAccepted>(this.nc, computeSubject(this.cellUuid, host), 'receive_move', args, { version, requestId, timeoutMs });
  }

  /** Asks the source of a resize to take the instance back. */
  revertMove(host: string, args: RevertMoveArgs, requestId: string, timeoutMs: number): Promise<BuildAccepted> {
    return callRpc<BuildAccepted>(this.nc, computeSubject(this.cellUuid, host), 'revert_move', args, { version: COMPUTE_VERSION, requestId, timeoutMs });
  }

  /** Tells a host to destroy its copy of a guest that now lives elsewhere; resolves when it has. */
  releaseGuest(host: string, args: ReleaseGuestArgs, requestId: string, timeoutMs: number): Promise<{ released: boolean }> {
    return callRpc<{ released: boolean }>(this.nc, computeSubject(this.cellUuid, host), 'release_guest', args, { version: COMPUTE_VERSION, requestId, timeoutMs });
  }

  /** Asks a host to copy a guest's disk into an image; resolves with the image data once it has. */
  snapshotInstance(host: string, args: SnapshotArgs, requestId: string, timeoutMs: number): Promise<SnapshotResult> {
    return callRpc<SnapshotResult>(this.nc, computeSubject(this.cellUuid, host), 'snapshot_instance', args, { version: COMPUTE_VERSION_3, requestId, timeoutMs });
  }

  /** The guest's console log as its host's hypervisor kept it. */
  getConsoleOutput(host: string, instanceUuid: string, requestId: string, timeoutMs: number): Promise<ConsoleResult> {
    return callRpc<ConsoleResult>(this.nc, computeSubject(this.cellUuid, host), 'get_console_output', { instance_uuid: instanceUuid }, { version: COMPUTE_VERSION_3, requestId, timeoutMs });
  }

  /** Sends a guest an NMI (a crash dump); resolves once the host has sent it. */
  triggerCrashDump(host: string, instanceUuid: string, requestId: string, timeoutMs: number): Promise<CrashDumpResult> {
    return callRpc<CrashDumpResult>(this.nc, computeSubject(this.cellUuid, host), 'trigger_crash_dump', { instance_uuid: instanceUuid }, { version: COMPUTE_VERSION_3, requestId, timeoutMs });
  }

  /** What the host's hypervisor tells of a guest. */
  getDiagnostics(host: string, instanceUuid: string, requestId: string, timeoutMs: number): Promise<DiagnosticsResult> {
    return callRpc<DiagnosticsResult>(this.nc, computeSubject(this.cellUuid, host), 'get_diagnostics', { instance_uuid: instanceUuid }, { version: COMPUTE_VERSION_3, requestId, timeoutMs });
  }

  /** Asks a host to power a guest off and copy its disk for shelving; resolves with the image data. */
  shelveInstance(host: string, args: ShelveArgs, requestId: string, timeoutMs: number): Promise<SnapshotResult> {
    return callRpc<SnapshotResult>(this.nc, computeSubject(this.cellUuid, host), 'shelve_instance', args, { version: COMPUTE_VERSION_3, requestId, timeoutMs });
  }

  /** Asks a host to spawn a shelved-offloaded instance; resolves once it runs (and is ACTIVE in the cell). */
  unshelveInstance(host: string, args: UnshelveArgs, requestId: string, timeoutMs: number): Promise<UnshelveResult> {
    return callRpc<UnshelveResult>(this.nc, computeSubject(this.cellUuid, host), 'unshelve_instance', args, { version: COMPUTE_VERSION_3, requestId, timeoutMs });
  }

  /** Asks a host to destroy a guest; resolves once the instance is deleted in the cell. */
  terminateInstance(host: string, args: TerminateArgs, requestId: string, timeoutMs: number): Promise<TerminateResult> {
    return callRpc<TerminateResult>(this.nc, computeSubject(this.cellUuid, host), 'terminate_instance', args, {
      version: COMPUTE_VERSION,
      requestId,
      timeoutMs,
    });
  }

  /** The host's uptime line, as its hypervisor reports it. */
  getHostUptime(host: string, requestId: string, timeoutMs: number): Promise<UptimeResult> {
    return callRpc<UptimeResult>(this.nc, computeSubject(this.cellUuid, host), 'get_host_uptime', {}, {
      version: COMPUTE_VERSION,
      requestId,
      timeoutMs,
    });
  }
}
