import type { Layout } from '../launcher/layout.js';
import { natsCounts, scrapeMetrics } from '../loadtest/scrape.js';

/** What a deployment's processes have sent so far: SQL statements by database kind, and bus messages. */
export interface SentCounts {
  apiStatements: number;
  cellStatements: number;
  busMessages: number;
}

/** Every process's /metrics is on a port counting up from the layout's metrics port; the API primary sums its workers'. */
const metricsSpan = 64;

export async function sentCounts(layout: Layout): Promise<SentCounts> {
  const { host, metricsPort } = layout.options;
  const scrapes = await Promise.all(
    Array.from({ length: metricsSpan }, (_, i) => scrapeMetrics(`http://${host}:${metricsPort + i}/metrics`, ['cellstack_db_statements_total'], 1000)),
  );
  const counts: SentCounts = { apiStatements: 0, cellStatements: 0, busMessages: 0 };
  for (const sample of scrapes.flatMap((s) => s ?? [])) {
    if ((sample.labels['database'] ?? '').endsWith('_api')) counts.apiStatements += sample.value;
    else counts.cellStatements += sample.value;
  }
  const buses = await Promise.all(layout.cells.map((c) => (c.natsMonitorPort ? natsCounts(`http://${host}:${c.natsMonitorPort}`) : Promise.resolve(undefined))));
  counts.busMessages = buses.reduce((sum, b) => sum + (b?.inMsgs ?? 0), 0);
  return counts;
}

/** Per boot, what was sent between two readings. */
export function perBoot(before: SentCounts, after: SentCounts, boots: number): SentCounts {
  const n = Math.max(1, boots);
  return {
    apiStatements: (after.apiStatements - before.apiStatements) / n,
    cellStatements: (after.cellStatements - before.cellStatements) / n,
    busMessages: (after.busMessages - before.busMessages) / n,
  };
}
