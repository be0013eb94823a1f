import type { HostFilter } from './types.js';

/**
 * A move to a named host, or a boot asking for a host or hypervisor (2.74), considers only that
 * one (it must still pass every other filter).
 */
export const requestedHostFilter: HostFilter = (host, spec) => {
  if (spec.requested_host && spec.requested_host !== host.host) return `not the requested host ${spec.requested_host}`;
  if (spec.requested_node && spec.requested_node !== host.node) return `not the requested hypervisor ${spec.requested_node}`;
  return undefined;
};
