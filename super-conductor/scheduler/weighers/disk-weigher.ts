import { capacityLeft, ResourceClass } from '../../../api-cell/placement/index.js';
import type { Weigher } from './types.js';

/** Prefers hosts with more free disk (spread), or less with a negative multiplier (stack). */
export const diskWeigher: Weigher = {
  name: 'DiskWeigher',
  multiplier: 'disk_weight_multiplier',
  score: (host) => capacityLeft(host.provider, ResourceClass.DISK_GB),
};
