import type { Weigher } from './types.js';

/**
 * Nova's ServerGroupSoftAffinityWeigher: for a `soft-affinity` group, prefers hosts holding more
 * of its members. It only orders hosts, so a group that cannot stay together still boots.
 */
export const softAffinityWeigher: Weigher = {
  name: 'ServerGroupSoftAffinityWeigher',
  multiplier: 'soft_affinity_weight_multiplier',
  score: (host, request) => (request?.spec.group?.policy === 'soft-affinity' ? (request.groupHosts.get(host.host) ?? 0) : 0),
};
