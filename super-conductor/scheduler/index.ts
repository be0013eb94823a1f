export { HostStateCache, type HostStateCacheOptions } from './cache.js';
export { defaultFilters, type FilterContext, type HostFilter } from './filters/index.js';
export { serviceUp, type HostState } from './host-state.js';
export { noValidHost, resourcesOf, Scheduler, type Placement, type PlacementResult, type SchedulerOptions, type Unplaced } from './scheduler.js';
export { chooseHost, filterHosts, firstRejection, topCandidates, Weighing, type Candidate, type Selection } from './select.js';
export { defaultWeighers, type Weigher, type WeighRequest } from './weighers/index.js';
