import { recordUuid, type ServerRecord } from '../compute/index.js';
import type { ApiDatabase } from '../db/index.js';
import { devicesOf } from './store.js';

/** Puts each server's volumes on its record for the views: one query for a page of servers. */
export async function withVolumesAttached(api: ApiDatabase, records: ServerRecord[]): Promise<void> {
  const devices = await devicesOf(api, records.map(recordUuid));
  const byServer = new Map<string, { id: string; delete_on_termination: boolean }[]>();
  for (const d of devices) {
    if (!d.volume_id) continue;
    const list = byServer.get(d.instance_uuid) ?? [];
    list.push({ id: d.volume_id, delete_on_termination: d.delete_on_termination });
    byServer.set(d.instance_uuid, list);
  }
  for (const record of records) {
    const volumes = byServer.get(recordUuid(record));
    if (volumes) record.extras = { ...record.extras, volumesAttached: volumes };
  }
}
