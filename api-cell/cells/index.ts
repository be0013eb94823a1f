export {
  createCell,
  deleteCell,
  mapCell0,
  setCellDisabled,
  updateCell,
  type CellChange,
  type CellDeletion,
  type CellSpec,
  type CellUpdate,
} from './admin.js';
export { discoverHosts, listHostMappings, unmapHost, type DiscoveryResult, type HostMappingView } from './hosts.js';
export { CELL0_NAME, CELL0_TRANSPORT_URL, CELL0_UUID, isCell0, toCellMapping, type CellMapping } from './mapping.js';
export { CellRegistry, type CellContext, type CellRegistryOptions, type CellResult } from './registry.js';
