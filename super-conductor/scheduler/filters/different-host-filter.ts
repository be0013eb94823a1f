import { hintedInstances } from './hints.js';
import type { HostFilter } from './types.js';

/** Hint `different_host` (instance uuids): passes only a host that holds none of those instances. */
export const differentHostFilter: HostFilter = (host, spec, context) => {
  const near = hintedInstances(spec, 'different_host').find((u) => context.hintHosts?.get(u) === host.host);
  return near ? `holds instance ${near}, which different_host keeps away from` : undefined;
};
