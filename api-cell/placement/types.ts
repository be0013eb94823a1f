/** Resource classes a compute host offers. */
export const ResourceClass = { VCPU: 'VCPU', MEMORY_MB: 'MEMORY_MB', DISK_GB: 'DISK_GB' } as const;

/** Amounts by resource class, e.g. { VCPU: 2, MEMORY_MB: 4096, DISK_GB: 40 }. */
export type Resources = Record<string, number>;

export interface Inventory {
  total: number;
  reserved: number;
  min_unit: number;
  max_unit: number;
  step_size: number;
  allocation_ratio: number;
}

/** A resource provider (one compute node) as placement holds it. */
export interface Provider {
  id: number;
  uuid: string;
  name: string;
  host: string | null;
  generation: number;
  inventories: Record<string, Inventory>;
  usages: Resources;
}

/** What can still be placed on a provider for one class: (total - reserved) * ratio - used. */
export function capacityLeft(provider: Provider, resourceClass: string): number {
  const inv = provider.inventories[resourceClass];
  if (!inv) return 0;
  return Math.floor((inv.total - inv.reserved) * inv.allocation_ratio) - (provider.usages[resourceClass] ?? 0);
}

/** Why `resources` do not fit on `provider`, or undefined when they do. */
export function whyNotFit(provider: Provider, resources: Resources): string | undefined {
  for (const [rc, amount] of Object.entries(resources)) {
    if (amount <= 0) continue;
    const inv = provider.inventories[rc];
    if (!inv) return `no ${rc} inventory`;
    if (amount > inv.max_unit) return `${rc} ${amount} is over the max_unit ${inv.max_unit}`;
    const left = capacityLeft(provider, rc);
    if (amount > left) return `${rc} ${amount} requested, ${left} left`;
  }
  return undefined;
}
