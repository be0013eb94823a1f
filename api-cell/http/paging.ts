import { InvalidInputError } from '../../ops/runtime/index.js';

/** `limit` as Nova reads it: a non-negative integer, capped at api.max_limit. */
export function pageLimit(value: unknown, maxLimit: number): number {
  if (value === undefined) return maxLimit;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidInputError('limit param must be an integer');
  return Math.min(n, maxLimit);
}

/**
 * Nova's `*_links` entry for the next page: the same query with `marker` set to the last item,
 * present only when the page came back full.
 */
export function nextLinks(
  baseUrl: string,
  path: string,
  query: Record<string, unknown>,
  page: unknown[],
  limit: number,
  markerOf: () => string,
): { rel: string; href: string }[] {
  if (page.length === 0 || page.length < limit) return [];
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (key === 'marker') continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
  }
  params.set('limit', String(limit));
  params.set('marker', markerOf());
  return [{ rel: 'next', href: `${baseUrl}${path}?${params.toString()}` }];
}
