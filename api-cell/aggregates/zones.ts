import { inList, select, type Runner } from '../../ops/runtime-db/index.js';
import { ZONE_KEY } from './store.js';

/**
 * The availability zones hosts are in through their aggregates, one statement: host -> zone
 * names (sorted; more than one only if the database was changed behind the API's back).
 * Hosts in no zone aggregate are left out: they are in the default zone.
 */
export async function hostZones(run: Runner, hosts?: string[]): Promise<Map<string, string[]>> {
  if (hosts?.length === 0) return new Map();
  const rows = await select<{ host: string; zone: string }>(
    run,
    `SELECT DISTINCT ah.host, am.value AS zone FROM aggregate_hosts ah
       JOIN aggregate_metadata am ON am.aggregate_id = ah.aggregate_id AND am.\`key\` = ?
     ${hosts ? `WHERE ah.host IN (${inList(hosts.length)})` : ''}`,
    [ZONE_KEY, ...(hosts ?? [])],
  );
  const zones = new Map<string, string[]>();
  for (const r of rows) zones.set(r.host, [...(zones.get(r.host) ?? []), r.zone].sort((a, b) => a.localeCompare(b)));
  return zones;
}

/** A host's zone as Nova names it: its zone aggregates' zones joined by commas, or the default. */
export function zoneName(zones: Map<string, string[]>, host: string, defaultZone: string): string {
  const names = zones.get(host);
  return names && names.length > 0 ? names.join(',') : defaultZone;
}

/** Zones of aggregates other than `except` that hold any of `hosts`, other than `zone` (Python list order). */
export async function conflictingZones(run: Runner, hosts: string[], zone: string, except: number): Promise<string[]> {
  if (hosts.length === 0) return [];
  const rows = await select<{ zone: string }>(
    run,
    `SELECT am.value AS zone FROM aggregate_metadata am
       WHERE am.\`key\` = ? AND am.aggregate_id <> ?
         AND am.aggregate_id IN (SELECT aggregate_id FROM aggregate_hosts WHERE host IN (${inList(hosts.length)}))
     ORDER BY am.aggregate_id`,
    [ZONE_KEY, except, ...hosts],
  );
  // Compared here, not in SQL, whose collation would take "London" for "london".
  return rows.map((r) => r.zone).filter((z) => z !== zone);
}

/** Python's repr of a list of strings, as Nova's messages print them: ['a', 'b']. */
export const pythonList = (items: string[]): string => `[${items.map((i) => `'${i}'`).join(', ')}]`;
