// The network service (a Networking API v2.0 subset): global like the API database, in the API
// cell, with its own database. Compute reaches it through these functions only.
export { networkDatabaseUrl, networkMigrations, networkSchemaStatus, openNetworkDatabase, syncNetworkDatabase, type NetworkDatabase } from './db/index.js';
export { neutronTypeOf } from './errors.js';
export { allocatePorts, freePorts, type AllocatedPort, type FixedIp, type FixedIpRequest, type PortSpec } from './ipam.js';
export { networkApiRouter, networkJsonSuffix } from './http/router.js';
export type { NetworkDeps } from './http/common.js';
export { AUTO_NETWORK_NAME, resolveNics, resolveSecurityGroups, type Nic, type RequestedNetworks } from './nics.js';
export { allocateServerPorts, attachInterface, bindServerPorts, changeServerGroup, detachInterface, freeServerPorts, type ServerPorts } from './server-ports.js';
export { addressesOf, securityGroupsOf, serverInterfaces, serversWithAddress, type ServerAddress, type Vif } from './server-interfaces.js';
export { DEFAULT_NETWORK, ensureDefaultNetwork } from './bootstrap.js';
export { setQuota as setNetworkQuota } from './quotas.js';
export { groupsOfProject, rulesOf, type RuleRow, type SecurityGroupRow } from './security-groups.js';
export { addGroup, addIngressRule, projectGroup, removeGroup, removeRule, renameGroup, type IngressRule } from './compute-security-groups.js';
