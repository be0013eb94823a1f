// The compute service's contract: how the super-conductor and conductors reach a host.
// Its server side (hosts, pools) starts from main.ts.
export { ComputeClient } from './client.js';
export {
  AllocationArgs,
  AlternateArgs,
  BuildArgs,
  COMPUTE_BASE_VERSION,
  MoveKind,
  PowerArgs,
  RebuildArgs,
  ReceiveMoveArgs,
  ReleaseGuestArgs,
  RevertMoveArgs,
  TerminateArgs,
  type BuildAccepted,
  type DiagnosticsResult,
  type PowerOperation,
  type TerminateResult,
  type UptimeResult,
} from './messages.js';
