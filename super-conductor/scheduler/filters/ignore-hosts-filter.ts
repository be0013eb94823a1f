import type { HostFilter } from './types.js';

/** Skips hosts the request says not to use again (a reschedule's failed hosts). */
export const ignoreHostsFilter: HostFilter = (host, spec) =>
  spec.ignore_hosts.includes(host.host) ? 'ignored for this request' : undefined;
