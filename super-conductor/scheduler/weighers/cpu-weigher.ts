import { capacityLeft, ResourceClass } from '../../../api-cell/placement/index.js';
import type { Weigher } from './types.js';

/** Prefers hosts with more free vCPUs (spread), or fewer with a negative multiplier (stack). */
export const cpuWeigher: Weigher = {
  name: 'CPUWeigher',
  multiplier: 'cpu_weight_multiplier',
  score: (host) => capacityLeft(host.provider, ResourceClass.VCPU),
};
