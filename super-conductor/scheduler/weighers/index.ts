import { cpuWeigher } from './cpu-weigher.js';
import { diskWeigher } from './disk-weigher.js';
import { ramWeigher } from './ram-weigher.js';
import { softAffinityWeigher } from './soft-affinity-weigher.js';
import { softAntiAffinityWeigher } from './soft-anti-affinity-weigher.js';
import type { Weigher } from './types.js';

export type { Weigher, WeighRequest } from './types.js';
export const defaultWeighers: Weigher[] = [ramWeigher, cpuWeigher, diskWeigher, softAffinityWeigher, softAntiAffinityWeigher];
