import type { LoadTestResult } from './run.js';

const ms = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : `${Math.round(v)} ms`);

/** The figures of a run as a few lines for the terminal. */
export function summaryLines(r: LoadTestResult): string[] {
  const b = r.boots;
  const lines = [
    `machine:        ${r.machine}`,
    `date:           ${r.date}`,
    `scenario:       ${r.name}: ${r.hosts.real} hosts in ${r.hosts.cells} cells, ${r.scenario.duration} s of load`,
    ...(r.timeCompression ? [`compression:    ${r.timeCompression.note}`] : []),
    `API:            ${r.api.requestsPerSecond.toFixed(1)} requests/s (${r.api.writesPerSecond.toFixed(1)} writes/s)`,
    `boots:          ${b.active} ACTIVE, ${b.errors} ERROR, ${b.rejected} rejected, ${b.unsettled} unsettled; ${b.bootsPerSecond.toFixed(1)}/s`,
    `POST->ACTIVE:   p50 ${ms(b.postToActiveMs?.p50)}, p90 ${ms(b.postToActiveMs?.p90)}, p99 ${ms(b.postToActiveMs?.p99)}, max ${ms(b.postToActiveMs?.max)}`,
    `churn:          ${Object.entries(r.churn.operations).map(([op, t]) => `${op} ${t.accepted}${t.refused ? ` (+${t.refused} refused)` : ''}`).join(', ') || 'none'}`,
  ];
  for (const c of r.cells) {
    lines.push(
      `${c.cell.padEnd(15)} bus ${c.busMsgsPerSecond} msgs/s (${c.heartbeatsPerSecond} heartbeats/s), DB ${c.dbStatementsPerSecond} stmts/s, conductor CPU ${c.conductorCpuPercent}%, heartbeat lag p50 ${ms(c.heartbeatLagMs.p50)} p99 ${ms(c.heartbeatLagMs.p99)}`,
    );
  }
  return lines;
}
