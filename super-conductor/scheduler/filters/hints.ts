import type { RequestSpec } from '../../../api-cell/builds/index.js';

/** The instance uuids a scheduler hint names: one uuid or a list of them (Nova takes both). */
export function hintedInstances(spec: RequestSpec, hint: 'same_host' | 'different_host'): string[] {
  const value = spec.scheduler_hints?.[hint];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
