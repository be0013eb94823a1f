import type { Weigher } from './types.js';

/**
 * Nova's ServerGroupSoftAntiAffinityWeigher: for a `soft-anti-affinity` group, prefers hosts
 * holding fewer of its members. It only orders hosts, so a group with more members than hosts
 * still boots, doubling up where it must.
 */
export const softAntiAffinityWeigher: Weigher = {
  name: 'ServerGroupSoftAntiAffinityWeigher',
  multiplier: 'soft_anti_affinity_weight_multiplier',
  score: (host, request) => (request?.spec.group?.policy === 'soft-anti-affinity' ? -(request.groupHosts.get(host.host) ?? 0) : 0),
};
