export {
  deleteUnscheduled,
  findMapping,
  findMappings,
  loadBuildInstance,
  loadBuilds,
  persistBuilds,
  returnBuilds,
  queueForDelete,
  routeBuilds,
  staleBuilds,
  type RouteResult,
} from './store.js';
export type { Build, BuildInstance, GroupSpec, InstanceMapping, RequestSpec } from './types.js';
