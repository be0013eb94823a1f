import { capacityLeft, ResourceClass } from '../../../api-cell/placement/index.js';
import type { Weigher } from './types.js';

/** Prefers hosts with more free RAM (spread), or less with a negative multiplier (stack). */
export const ramWeigher: Weigher = {
  name: 'RAMWeigher',
  multiplier: 'ram_weight_multiplier',
  score: (host) => capacityLeft(host.provider, ResourceClass.MEMORY_MB),
};
