import type { RequestSpec } from '../../../api-cell/builds/index.js';
import type { HostState } from '../host-state.js';

/** What a weigher may consult beyond the host: the request, and where its server group lives. */
export interface WeighRequest {
  spec: RequestSpec;
  /** Members of the request's server group per host (including this batch's picks). */
  groupHosts: Map<string, number>;
}

/** A weigher's raw score for a host; the scheduler normalizes scores to 0..1 and applies the multiplier. */
export interface Weigher {
  name: string;
  /** Config key of the multiplier: positive prefers high scores (spread), negative low (stack). */
  multiplier:
    | 'ram_weight_multiplier'
    | 'cpu_weight_multiplier'
    | 'disk_weight_multiplier'
    | 'soft_affinity_weight_multiplier'
    | 'soft_anti_affinity_weight_multiplier';
  score(host: HostState, request: WeighRequest | undefined): number;
}
