import { INTERNAL_ZONE, listServices, type HostDeps, type ServiceInCell } from './services.js';

/** A zone as os-availability-zone shows it; `hosts` only in the detailed (admin) listing. */
export interface ZoneInfo {
  zoneName: string;
  zoneState: { available: boolean };
  hosts: Record<string, Record<string, { available: boolean; active: boolean; updated_at: Date | null }>> | null;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Zones as Nova derives them from services: a zone is available while one of its services is
 * enabled, unavailable when all of them are disabled; a zone aggregate without hosts is no zone
 * yet. Services of cells that do not answer are left out. The summary hides the internal zone.
 */
export async function availabilityZones(deps: HostDeps, detailed: boolean): Promise<ZoneInfo[]> {
  const { services } = await listServices(deps, {}, false);
  const enabled = services.filter((s) => !s.service.disabled);
  const available = [...new Set(enabled.map((s) => s.zone))].sort(byName);
  const unavailable = [...new Set(services.filter((s) => s.service.disabled).map((s) => s.zone))].filter((z) => !available.includes(z)).sort(byName);
  const zones: ZoneInfo[] = [];
  for (const zone of available) {
    if (!detailed && zone === INTERNAL_ZONE) continue;
    zones.push({ zoneName: zone, zoneState: { available: true }, hosts: detailed ? hostsOf(enabled.filter((s) => s.zone === zone)) : null });
  }
  for (const zone of unavailable) {
    if (!detailed && zone === INTERNAL_ZONE) continue;
    zones.push({ zoneName: zone, zoneState: { available: false }, hosts: null });
  }
  return zones;
}

function hostsOf(services: ServiceInCell[]): NonNullable<ZoneInfo['hosts']> {
  const hosts: NonNullable<ZoneInfo['hosts']> = {};
  for (const { service, up } of services) {
    const entry = (hosts[service.host] ??= {});
    entry[service.binary] = { available: up, active: !service.disabled, updated_at: service.updated_at };
  }
  return hosts;
}
