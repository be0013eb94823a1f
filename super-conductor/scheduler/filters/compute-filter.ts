import { serviceUp } from '../host-state.js';
import type { HostFilter } from './types.js';

/** Passes hosts whose compute service is enabled and up (Nova's ComputeFilter). */
export const computeFilter: HostFilter = (host, _spec, context) => {
  if (host.service.disabled) return `service disabled${host.service.disabledReason ? ` (${host.service.disabledReason})` : ''}`;
  if (host.service.forcedDown) return 'service forced down';
  if (!serviceUp(host, context.now, context.serviceDownTimeMs, context.ignoreUnreachable)) return 'service down';
  return undefined;
};
