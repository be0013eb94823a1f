export {
  getHypervisor,
  hypervisorStatistics,
  hypervisorUptime,
  listHypervisors,
  searchHypervisors,
  uptimes,
  type Hypervisor,
  type HypervisorListQuery,
  type HypervisorStatistics,
} from './hypervisors.js';
export {
  deleteService,
  findService,
  findServiceByHost,
  INTERNAL_ZONE,
  isCompute,
  listServices,
  serviceUp,
  updateService,
  type HostDeps,
  type ServiceInCell,
  type UnknownService,
} from './services.js';
export type { NodeUsage } from './usage.js';
export { availabilityZones, type ZoneInfo } from './zones.js';
export { assertComputeHost, listHosts, showHost, type HostEntry, type HostResource } from './host-list.js';
