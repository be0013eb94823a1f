import { requestSpecsOf } from '../builds/index.js';
import type { ApiDatabase } from '../db/index.js';
import type { ServerRecord } from './records.js';

/**
 * What a server view takes from the request spec (2.98, 2.100): the image's properties as they
 * were at boot and the scheduler hints given, each hint's value a list as Nova keeps them. One
 * read for a page of servers; records already carrying them are left alone.
 */
export async function withRequestSpecFacts(api: ApiDatabase, records: ServerRecord[]): Promise<void> {
  const wanted = records.filter((r) => r.source !== 'down' && r.extras?.imageProperties === undefined);
  if (wanted.length === 0) return;
  const specs = await requestSpecsOf(api, wanted.map((r) => (r.source === 'down' ? r.partial.uuid : r.instance.uuid)));
  for (const record of wanted) {
    const spec = specs.get(record.source === 'down' ? record.partial.uuid : record.instance.uuid);
    const hints = Object.entries(spec?.scheduler_hints ?? {}).map(([hint, value]) => [hint, Array.isArray(value) ? value : [value]]);
    record.extras = { ...record.extras, imageProperties: spec?.image.properties ?? {}, schedulerHints: Object.fromEntries(hints) as Record<string, unknown[]> };
  }
}
