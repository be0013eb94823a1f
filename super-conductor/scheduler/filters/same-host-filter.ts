import { hintedInstances } from './hints.js';
import type { HostFilter } from './types.js';

/** Hint `same_host` (instance uuids): passes only a host that holds one of those instances. */
export const sameHostFilter: HostFilter = (host, spec, context) => {
  const uuids = hintedInstances(spec, 'same_host');
  if (uuids.length === 0 || uuids.some((u) => context.hintHosts?.get(u) === host.host)) return undefined;
  return `holds none of the instances asked for by same_host`;
};
