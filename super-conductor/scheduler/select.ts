import type { RequestSpec } from '../../api-cell/builds/index.js';
import type { Config } from '../../ops/runtime/index.js';
import type { FilterContext, HostFilter } from './filters/index.js';
import type { HostState } from './host-state.js';
import type { Weigher, WeighRequest } from './weighers/index.js';

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
    const rejectedBy = firstRejection(host, spec, context, filters);
    if (rejectedBy) byFilter[rejectedBy] = (byFilter[rejectedBy] ?? 0) + 1;
    else passed.push(host);
  }
  return { passed, rejections: { byFilter, considered: hosts.length } };
}

/** The name of the first filter that rejects the host, or undefined when all pass it. */
export function firstRejection(host: HostState, spec: RequestSpec, context: FilterContext, filters: [string, HostFilter][]): string | undefined {
  for (const [name, filter] of filters) if (filter(host, spec, context) !== undefined) return name;
  return undefined;
}

/**
 * Nova's weighing: each weigher's scores are scaled to 0..1 over the candidates, times its
 * multiplier, and summed. The scale is kept, so a host whose state changes can be weighed
 * again alone (`reweigh`) without weighing every host again. `request` is what weighers that
 * depend on the request (server-group weighers) consult.
 */
export class Weighing {
  readonly candidates: Candidate[];
  private readonly scales: { weigher: Weigher; multiplier: number; min: number; span: number }[] = [];

  constructor(hosts: HostState[], weighers: Weigher[], multipliers: Config['scheduler'], private readonly request?: WeighRequest) {
    for (const weigher of weighers) {
      const multiplier = multipliers[weigher.multiplier];
      if (multiplier === 0) continue;
      let min = Infinity;
      let max = -Infinity;
      for (const h of hosts) {
        const s = weigher.score(h, request);
        if (s < min) min = s;
        if (s > max) max = s;
      }
      if (max > min) this.scales.push({ weigher, multiplier, min, span: max - min });
    }
    this.candidates = hosts.map((host) => ({ host, weight: this.weigh(host) }));
  }

  weigh(host: HostState): number {
    let weight = 0;
    for (const { weigher, multiplier, min, span } of this.scales) weight += ((weigher.score(host, this.request) - min) / span) * multiplier;
    return weight;
  }
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
 * alternates from the same cell for a reschedule that must not leave the cell. With
 * `shuffleTies`, when at least that many hosts share the best weight, any of them may be
 * picked, not only the first ones met (Nova's shuffle_best_same_weighed_hosts).
 */
export function chooseHost(candidates: Candidate[], subsetSize: number, alternates: number, shuffleTies = false): Selection | undefined {
  let top = topCandidates(candidates, Math.max(1, subsetSize));
  const best = top[0];
  if (shuffleTies && best) {
    const ties = candidates.filter((c) => c.weight === best.weight);
    if (ties.length >= top.length) top = ties;
  }
  const chosen = top[Math.floor(Math.random() * top.length)];
  if (!chosen) return undefined;
  const sameCell = topCandidates(candidates, alternates, (c) => c.host !== chosen.host && c.host.cellId === chosen.host.cellId);
  return { chosen: chosen.host, alternates: sameCell.map((c) => c.host) };
}
