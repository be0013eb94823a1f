export {
  deleteUnscheduled,
  findMapping,
  findMappings,
  loadBuildInstance,
  recentBuilds,
  cellMappings,
  requestSpecsOf,
  loadBuilds,
  persistBuilds,
  returnBuilds,
  queueForDelete,
  routeBuilds,
  staleBuilds,
  type RouteResult,
} from './store.js';
export type { Build, GroupSpec, InstanceMapping, RequestSpec } from './types.js';
