import { inList, select } from '../../ops/runtime-db/index.js';
import type { CellDatabase } from './database.js';

export interface HostInstanceRow {
  uuid: string;
  host: string;
  vm_state: string;
  task_state: string | null;
  power_state: number;
}

/** Live instances placed on any of `hosts`, in one read. */
export async function instancesOnHosts(db: CellDatabase, hosts: string[]): Promise<HostInstanceRow[]> {
  if (hosts.length === 0) return [];
  const rows = await select<HostInstanceRow>(
    db,
    `SELECT uuid, host, vm_state, task_state, power_state FROM instances WHERE host IN (${inList(hosts.length)}) AND deleted = 0`,
    hosts,
  );
  return rows.map((r) => ({ ...r, power_state: Number(r.power_state) }));
}
