import { whyNotFit } from '../../../api-cell/placement/index.js';
import type { HostFilter } from './types.js';

/** Passes hosts with room for the flavor's VCPU, MEMORY_MB and DISK_GB, allocation ratios applied. */
export const resourceFilter: HostFilter = (host, _spec, context) => whyNotFit(host.provider, context.resources);
