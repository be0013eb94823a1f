import test from 'ava';
import { drawMs, type TimeDistribution } from '../durations.js';

/** A seeded generator (mulberry32), so the draws are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function draws(distribution: TimeDistribution, ms: number, jitterMs: number): number[] {
  const random = seeded(7);
  return Array.from({ length: 20_000 }, () => drawMs({ ms, jitterMs, distribution }, random)).sort((a, b) => a - b);
}

const at = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))] ?? NaN;

test('uniform spawn times stay inside mean +/- jitter', (t) => {
  const d = draws('uniform', 1000, 200);
  t.true((d[0] ?? 0) >= 800 && (d.at(-1) ?? 0) <= 1200);
  t.true(Math.abs(at(d, 0.5) - 1000) < 20);
});

test('normal spawn times centre on the mean and never go below zero', (t) => {
  const d = draws('normal', 100, 80);
  t.true((d[0] ?? -1) >= 0);
  t.true(Math.abs(at(d, 0.5) - 100) < 5);
});

test('lognormal spawn times have the configured median and a long tail', (t) => {
  const d = draws('lognormal', 1000, 500);
  t.true(Math.abs(at(d, 0.5) - 1000) < 30, `median ${at(d, 0.5)}`);
  // sigma 0.5: p99 is about e^(0.5 x 2.33) = 3.2 times the median, p1 about a third of it.
  t.true(at(d, 0.99) > 2800 && at(d, 0.99) < 3600, `p99 ${at(d, 0.99)}`);
  t.true(at(d, 0.01) > 280 && at(d, 0.01) < 360, `p1 ${at(d, 0.01)}`);
});

test('no time and no spread is always zero', (t) => {
  t.deepEqual(new Set(draws('lognormal', 0, 0)), new Set([0]));
});
