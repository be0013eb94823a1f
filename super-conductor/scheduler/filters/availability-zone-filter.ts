import type { HostFilter } from './types.js';

/** Passes hosts in the requested availability zone (hosts in no zone aggregate are in the default zone). */
export const availabilityZoneFilter: HostFilter = (host, spec) => {
  if (!spec.availability_zone || spec.availability_zone === host.availabilityZone) return undefined;
  return `in zone ${host.availabilityZone}, not ${spec.availability_zone}`;
};
