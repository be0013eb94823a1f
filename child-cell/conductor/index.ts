// The conductor's contract: how hosts and tools reach it. Its server side starts from main.ts.
export { ConductorClient } from './client.js';
export {
  CONDUCTOR_LATEST_VERSION,
  CONDUCTOR_VERSION,
  type BuildFailedArgs,
  type BuildFailedResult,
  type HostInstance,
  type InstanceUpdateArgs,
  type PingResult,
  type RegisterHostArgs,
  type RegisterHostResult,
} from './messages.js';
