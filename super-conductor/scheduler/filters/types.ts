import type { RequestSpec } from '../../../api-cell/builds/index.js';
import type { Resources } from '../../../api-cell/placement/index.js';
import type { HostState } from '../host-state.js';

/** What filters may consult beyond the host and the request. */
export interface FilterContext {
  now: number;
  serviceDownTimeMs: number;
  defaultAvailabilityZone: string;
  /** What one instance of the request asks for. */
  resources: Resources;
  /** Hosts already holding members of the request's server group (including this batch's picks). */
  groupHosts: Map<string, number>;
  /** Where the instances named by the same_host / different_host hints are: uuid -> host. */
  hintHosts?: Map<string, string>;
  /** Count hosts that just failed to answer a cast as up (to ask whether waiting for them would help). */
  ignoreUnreachable?: boolean;
}

/** A filter passes a host (undefined) or says why it does not. Filters are pure. */
export type HostFilter = (host: HostState, spec: RequestSpec, context: FilterContext) => string | undefined;
