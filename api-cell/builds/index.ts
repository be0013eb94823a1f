export {
  deleteUnscheduled,
  findMapping,
  findMappings,
  loadBuildInstance,
  loadBuilds,
  persistBuilds,
  queueForDelete,
  routeBuilds,
  staleBuilds,
  type RouteResult,
} from './store.js';
export type { Build, BuildInstance, GroupSpec, InstanceMapping, RequestSpec } from './types.js';
