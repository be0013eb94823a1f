import { availabilityZoneFilter } from './availability-zone-filter.js';
import { cellFilter } from './cell-filter.js';
import { computeFilter } from './compute-filter.js';
import { differentHostFilter } from './different-host-filter.js';
import { ignoreHostsFilter } from './ignore-hosts-filter.js';
import { requestedCellFilter } from './requested-cell-filter.js';
import { requestedHostFilter } from './requested-host-filter.js';
import { resourceFilter } from './resource-filter.js';
import { sameHostFilter } from './same-host-filter.js';
import { serverGroupAffinityFilter } from './server-group-affinity-filter.js';
import { serverGroupAntiAffinityFilter } from './server-group-anti-affinity-filter.js';
import type { HostFilter } from './types.js';

export { hintedInstances } from './hints.js';
export type { FilterContext, HostFilter } from './types.js';

/** Filters in the order they run: cheap and most selective first. */
export const defaultFilters: [string, HostFilter][] = [
  ['IgnoreHostsFilter', ignoreHostsFilter],
  ['RequestedCellFilter', requestedCellFilter],
  ['RequestedHostFilter', requestedHostFilter],
  ['CellFilter', cellFilter],
  ['ComputeFilter', computeFilter],
  ['AvailabilityZoneFilter', availabilityZoneFilter],
  ['ResourceFilter', resourceFilter],
  ['ServerGroupAffinityFilter', serverGroupAffinityFilter],
  ['ServerGroupAntiAffinityFilter', serverGroupAntiAffinityFilter],
  ['SameHostFilter', sameHostFilter],
  ['DifferentHostFilter', differentHostFilter],
];
