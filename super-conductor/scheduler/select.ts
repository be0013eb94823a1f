import type { RequestSpec } from '../../api-cell/builds/index.js';
import type { Config } from '../../ops/runtime/index.js';
import type { FilterContext, HostFilter } from './filters/index.js';
import type { HostState } from './host-state.js';
import type { Weigher } from './weighers/index.js';

export interface Candidate {
  host: HostState;
  weight: number;
}

export interface Selection {
  chosen: HostState;
  /** Other hosts of the chosen host's cell that also passed, best first. */
  alternates: HostState[];
}

export interface Rejections {
  /** How many hosts each filter turned away, for the "no valid host" message and the logs. */
  byFilter: Record<string, number>;
  considered: number;
}

/** Runs the filters over every host; returns those that pass and why the rest did not. */
export function filterHosts(
  hosts: HostState[],
  spec: RequestSpec,
  context: FilterContext,
  filters: [string, HostFilter][],
): { passed: HostState[]; rejections: Rejections } {
  const passed: HostState[] = [];
  const byFilter: Record<string, number> = {};
  for (const host of hosts) {
    let rejectedBy: string | undefined;
    for (const [name, filter] of filters) {
      if (filter(host, spec, context) !== undefined) {
        rejectedBy = name;
        break;
      }
    }
    if (rejectedBy) byFilter[rejectedBy] = (byFilter[rejectedBy] ?? 0) + 1;
    else passed.push(host);
  }
  return { passed, rejections: { byFilter, considered: hosts.length } };
}

/**
 * Weighs hosts like Nova: each weigher's scores are scaled to 0..1 over the candidates, times
 * its multiplier, and summed.
 */
export function weighHosts(hosts: HostState[], weighers: Weigher[], multipliers: Config['scheduler']): Candidate[] {
  const weights = new Float64Array(hosts.length);
  for (const weigher of weighers) {
    const multiplier = multipliers[weigher.multiplier];
    if (multiplier === 0) continue;
    const scores = hosts.map((h) => weigher.score(h));
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) {
      if (s < min) min = s;
      if (s > max) max = s;
    }
    const span = max - min;
    if (span === 0) continue;
    for (let i = 0; i < scores.length; i += 1) weights[i] = (weights[i] ?? 0) + (((scores[i] ?? 0) - min) / span) * multiplier;
  }
  return hosts.map((host, i) => ({ host, weight: weights[i] ?? 0 }));
}

/** The k best candidates, best first, in one pass (no sort of thousands of hosts). */
export function topCandidates(candidates: Candidate[], k: number, accept: (c: Candidate) => boolean = () => true): Candidate[] {
  const best: Candidate[] = [];
  for (const c of candidates) {
    if (!accept(c)) continue;
    if (best.length === k && c.weight <= (best[k - 1]?.weight ?? -Infinity)) continue;
    let i = best.length;
    while (i > 0 && (best[i - 1]?.weight ?? 0) < c.weight) i -= 1;
    best.splice(i, 0, c);
    if (best.length > k) best.pop();
  }
  return best;
}

/**
 * Picks a host among the `subsetSize` best at random (spreading concurrent builds), and
 * alternates from the same cell for a reschedule that must not leave the cell.
 */
export function chooseHost(candidates: Candidate[], subsetSize: number, alternates: number): Selection | undefined {
  const top = topCandidates(candidates, Math.max(1, subsetSize));
  const chosen = top[Math.floor(Math.random() * top.length)];
  if (!chosen) return undefined;
  const sameCell = topCandidates(candidates, alternates, (c) => c.host !== chosen.host && c.host.cellId === chosen.host.cellId);
  return { chosen: chosen.host, alternates: sameCell.map((c) => c.host) };
}
