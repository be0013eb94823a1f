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
  };
  provider: Provider;
}

/** A host is up when its service has reported within service_down_time and is not forced down. */
export function serviceUp(host: HostState, now: number, serviceDownTimeMs: number): boolean {
  return !host.service.forcedDown && host.service.lastSeenUp > 0 && now - host.service.lastSeenUp <= serviceDownTimeMs;
}
