import { serverInterfaces, type NetworkDatabase } from '../network/index.js';
import { recordUuid, type ServerRecord } from './records.js';

/**
 * The network interfaces of a page of servers, read from the network service in one batch (its
 * database is the truth for ports and floating IPs, so `addresses` never goes stale). Servers of
 * a cell that is down show what the network service knows of them too.
 */
export async function withInterfaces(network: NetworkDatabase, records: ServerRecord[]): Promise<void> {
  if (records.length === 0) return;
  const found = await serverInterfaces(network, records.map(recordUuid));
  for (const record of records) record.extras = { ...record.extras, interfaces: found.get(recordUuid(record)) ?? [] };
}
