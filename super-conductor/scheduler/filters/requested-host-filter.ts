import type { HostFilter } from './types.js';

/** A move to a named host considers only that host (it must still pass every other filter). */
export const requestedHostFilter: HostFilter = (host, spec) =>
  spec.requested_host && spec.requested_host !== host.host ? `not the requested host ${spec.requested_host}` : undefined;
