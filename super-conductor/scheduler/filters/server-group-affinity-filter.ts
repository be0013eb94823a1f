import type { HostFilter } from './types.js';

/** For an `affinity` group, passes only the host its members are on (any host for the first member). */
export const serverGroupAffinityFilter: HostFilter = (host, spec, context) => {
  if (spec.group?.policy !== 'affinity' || context.groupHosts.size === 0) return undefined;
  return context.groupHosts.has(host.host) ? undefined : `server group ${spec.group.uuid} lives on another host`;
};
