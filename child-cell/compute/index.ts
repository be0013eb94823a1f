// The compute service's contract: how the super-conductor and conductors reach a host.
// Its server side (hosts, pools) starts from main.ts.
export { ComputeClient } from './client.js';
export { AlternateArgs, BuildArgs, COMPUTE_VERSION, TerminateArgs, type BuildAccepted, type TerminateResult, type UptimeResult } from './messages.js';
