export {
  addHostToAggregate,
  removeHostFromAggregate,
  setAggregateMetadata,
  updateAggregate,
  type AggregateDeps,
} from './changes.js';
export { aggregateNotFound, createAggregate, deleteAggregate, getAggregate, loadAggregates, ZONE_KEY, type Aggregate } from './store.js';
export { hostZones, zoneName } from './zones.js';
