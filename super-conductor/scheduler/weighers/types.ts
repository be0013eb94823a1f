import type { HostState } from '../host-state.js';

/** A weigher's raw score for a host; the scheduler normalizes scores to 0..1 and applies the multiplier. */
export interface Weigher {
  name: string;
  /** Config key of the multiplier: positive prefers high scores (spread), negative low (stack). */
  multiplier: 'ram_weight_multiplier' | 'cpu_weight_multiplier' | 'disk_weight_multiplier';
  score(host: HostState): number;
}
