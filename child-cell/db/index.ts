export {
  cellSchemaStatus,
  computeHosts,
  countInstances,
  openCellDatabase,
  syncCellDatabase,
  type CellDatabase,
} from './database.js';
export { cellMigrations } from './migrations/index.js';
export { COMPUTE_BINARY } from '../bus/index.js';
export {
  addFaults,
  createInstances,
  getInstance,
  getInstances,
  getInstancesDetailed,
  recordActionEvent,
  softDeleteInstances,
  UnexpectedStateError,
  updateInstance,
  type ActionEvent,
  type CreateAction,
  type FaultRecord,
  type InstanceDetail,
  type StateExpectation,
} from './instances.js';
export { changedComputeHostRows, computeHostRows, removedComputeNodes, staleServices, type ComputeHostRow } from './hosts.js';
export { markHostsDown, recordHeartbeats, upsertComputeNode, upsertService, type NodeReport, type ServiceRegistration } from './services.js';
export { applyInstanceWrites, type InstanceWrite } from './instance-writes.js';
export { beginMove, beginRevert, confirmMove, destinationChosen, destinationUndone, markShelved, stepFailed, type MoveStart, type StepFailure } from './move-steps.js';
export { instancesOnHosts, type HostInstanceRow } from './host-instances.js';
export {
  addAction,
  getInstanceAction,
  listInstanceActions,
  startAction,
  type ActionQuery,
  type ActionRow,
  type EventRow,
} from './instance-actions.js';
export {
  addInstanceTag,
  deleteInstanceMetadataKey,
  editInstance,
  removeInstanceTag,
  replaceInstanceMetadata,
  setInstanceMetadata,
  setInstanceTags,
} from './instance-edits.js';
export { instanceFilterSql, type InstanceFilters } from './instance-filters.js';
export { instanceSortKind, instanceSortValues, listSortedInstances, type SortedInstance, type SortKey, type SortKind } from './instance-list.js';
export { claimShelvedBefore, releaseShelvedClaims, type ShelvedDue } from './shelved.js';
export {
  createMigration,
  getMigration,
  getSystemMetadata,
  latestMigration,
  listMigrations,
  setMigrationStatus,
  setSystemMetadata,
  type MigrationFilter,
  type MigrationRecord,
} from './migration-records.js';
export { instancesActiveInWindow, type UsageInstance, type UsageWindow } from './usage.js';
export {
  countInstancesByHost,
  deleteServiceRecord,
  hostWorkload,
  listServiceRecords,
  serviceStates,
  updateServiceRecord,
  type HostWorkload,
  type ServiceChanges,
  type ServiceFilter,
  type ServiceRecord,
  type ServiceState,
} from './service-records.js';
export { hostResources, type HostResources } from './host-resources.js';
export { userInstanceUsage } from './user-usage.js';
export { softDeletedBefore } from './soft-deleted.js';
export { listComputeNodes, type ComputeNodePage, type ComputeNodeQuery, type ComputeNodeRecord } from './compute-nodes.js';
export { findConsoleToken, saveConsoleToken, type ConsoleToken } from './console-tokens.js';
export { heldBuilds, holdUnbuilt, removeHeldBuilds, stalledBuilds, stalledDeletes, type StalledBuild, type StalledDelete } from './unbuilt.js';
