/** How a fake hypervisor's spawn and action times spread around their mean. */
export type TimeDistribution = 'uniform' | 'normal' | 'lognormal';

export interface Duration {
  /** Mean in ms (the median for lognormal). */
  ms: number;
  /** Spread in ms: half-width (uniform), standard deviation (normal), or sigma x ms (lognormal). */
  jitterMs: number;
  distribution: TimeDistribution;
}

/** One draw, in ms, never below 0. `random` is uniform in [0, 1). */
export function drawMs(d: Duration, random: () => number): number {
  if (d.ms <= 0 && d.jitterMs <= 0) return 0;
  if (d.distribution === 'uniform') return Math.max(0, d.ms + (random() * 2 - 1) * d.jitterMs);
  const z = standardNormal(random);
  if (d.distribution === 'normal') return Math.max(0, d.ms + z * d.jitterMs);
  const sigma = d.ms > 0 ? d.jitterMs / d.ms : 0;
  return d.ms * Math.exp(sigma * z);
}

/** Box-Muller: a standard normal draw from two uniform ones. */
function standardNormal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
