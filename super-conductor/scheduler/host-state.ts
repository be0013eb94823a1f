import type { Provider } from '../../api-cell/placement/index.js';

/** What the scheduler knows of one compute host: its cell, its service, its placement provider. */
export interface HostState {
  host: string;
  node: string;
  cellId: number;
  cellUuid: string;
  cellName: string;
  cellDisabled: boolean;
  /** The cell's database did not answer the last refresh: its hosts cannot be built on now. */
  cellDown: boolean;
  availabilityZone: string;
  service: {
    disabled: boolean;
    disabledReason: string | null;
    forcedDown: boolean;
    /** ms since epoch of the last heartbeat written, or 0 for never. */
    lastSeenUp: number;
    /** ms since epoch until which the host counts as down: it did not answer a cast. */
    unreachableUntil: number;
  };
  provider: Provider;
}

/**
 * A host is up when its service has reported within service_down_time, is not forced down, and
 * has not just failed to answer a cast (treated as down at once, not a service_down_time later).
 */
export function serviceUp(host: HostState, now: number, serviceDownTimeMs: number, ignoreUnreachable = false): boolean {
  const s = host.service;
  return !s.forcedDown && s.lastSeenUp > 0 && now - s.lastSeenUp <= serviceDownTimeMs && (ignoreUnreachable || now >= s.unreachableUntil);
}
