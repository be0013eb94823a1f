// The network service (a Networking API v2.0 subset): global like the API database, in the API
// cell, with its own database. Compute reaches it through these functions only.
export { networkDatabaseUrl, networkMigrations, networkSchemaStatus, openNetworkDatabase, syncNetworkDatabase, type NetworkDatabase } from './db/index.js';
export { neutronTypeOf } from './errors.js';
export { allocatePorts, freePorts, type AllocatedPort, type FixedIp, type FixedIpRequest, type PortSpec } from './ipam.js';
export { networkApiRouter, networkJsonSuffix } from './http/router.js';
export type { NetworkDeps } from './http/common.js';
export {
  addressesOf,
  allocateServerPorts,
  attachInterface,
  bindServerPorts,
  detachInterface,
  changeServerGroup,
  AUTO_NETWORK_NAME,
  freeServerPorts,
  resolveNics,
  serversWithAddress,
  resolveSecurityGroups,
  securityGroupsOf,
  serverInterfaces,
  type Nic,
  type RequestedNetworks,
  type ServerAddress,
  type ServerPorts,
  type Vif,
} from './compute.js';
export { DEFAULT_NETWORK, ensureDefaultNetwork } from './bootstrap.js';
export { setQuota as setNetworkQuota } from './quotas.js';
