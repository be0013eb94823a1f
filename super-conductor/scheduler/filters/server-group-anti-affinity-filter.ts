import type { HostFilter } from './types.js';

/**
 * For an `anti-affinity` group, passes hosts holding fewer than max_server_per_host members
 * (default 1), so members spread over hosts.
 */
export const serverGroupAntiAffinityFilter: HostFilter = (host, spec, context) => {
  if (spec.group?.policy !== 'anti-affinity') return undefined;
  const limit = spec.group.rules['max_server_per_host'] ?? 1;
  const members = context.groupHosts.get(host.host) ?? 0;
  return members >= limit ? `holds ${members} members of server group ${spec.group.uuid} (max ${limit})` : undefined;
};
