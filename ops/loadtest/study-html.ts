import { escapeHtml, groupedBars, page, table, type Chart } from './page.js';
import type { StudyResult, StudyRow } from './study.js';

type Figure = keyof Pick<
  StudyRow,
  'perCellBusMsgsPerSecond' | 'perCellDbStatementsPerSecond' | 'perCellConductorCpuPercent' | 'heartbeatLagP99Ms' | 'postToActiveP50Ms'
>;

const figures: { key: Figure; title: string; unit: string }[] = [
  { key: 'perCellBusMsgsPerSecond', title: 'Bus messages/s per cell', unit: 'msgs/s' },
  { key: 'perCellDbStatementsPerSecond', title: 'DB statements/s per cell', unit: 'statements/s' },
  { key: 'heartbeatLagP99Ms', title: 'Heartbeat lag p99 (worst cell)', unit: 'ms' },
  { key: 'postToActiveP50Ms', title: 'POST -> ACTIVE p50', unit: 'ms' },
  { key: 'perCellConductorCpuPercent', title: 'Conductor CPU per cell', unit: '% of a core' },
];

const rowsTable = (rows: StudyRow[]): string =>
  table([
    ['hosts', 'cells', 'K', 'emulated hosts', 'heartbeats/s written', 'bus msgs/s per cell', 'DB stmts/s per cell', 'conductor CPU % per cell', 'lag p50 ms', 'lag p99 ms', 'POST->ACTIVE p50 / p99 ms', 'boots ACTIVE'],
    ...rows.map((r) => [
      r.hosts,
      r.cells,
      r.compression,
      r.emulatedHosts,
      r.heartbeatsPerSecond,
      r.perCellBusMsgsPerSecond,
      r.perCellDbStatementsPerSecond,
      r.perCellConductorCpuPercent,
      r.heartbeatLagP50Ms,
      r.heartbeatLagP99Ms,
      `${r.postToActiveP50Ms ?? '-'} / ${r.postToActiveP99Ms ?? '-'}`,
      r.active,
    ]),
  ]);

/** The scaling study's report: each figure against hosts, one curve per cell count, and the saturation runs. */
export function studyReport(s: StudyResult): string {
  const hosts = [...new Set(s.layouts.map((r) => r.hosts))].sort((a, b) => a - b);
  const cellCounts = [...new Set(s.layouts.map((r) => r.cells))].sort((a, b) => a - b);
  const curve = (key: Figure) => cellCounts.map((c) => ({
    label: `${c} cell${c === 1 ? '' : 's'}`,
    values: hosts.map((h) => s.layouts.find((r) => r.hosts === h && r.cells === c)?.[key] ?? null),
  }));
  const charts: Chart[] = figures.map((f) => ({ title: f.title, xLabel: 'hosts', yLabel: f.unit, kind: 'lines', x: hosts, series: curve(f.key) }));
  const sat = s.saturation;
  charts.push({
    title: `One cell under rising load: heartbeat lag p99 (limit ${sat.lagLimitMs} ms)`,
    xLabel: 'heartbeats/s written (hosts x K / report interval, as achieved)',
    yLabel: 'ms',
    kind: 'lines',
    x: sat.single.map((r) => r.heartbeatsPerSecond),
    series: [
      { label: 'lag p99', values: sat.single.map((r) => r.heartbeatLagP99Ms) },
      { label: 'limit', values: sat.single.map(() => sat.lagLimitMs) },
    ],
  });
  const spreadRows = [...sat.single.filter((r) => r.compression === sat.saturatedAt), ...sat.spread];
  const spreadNames = spreadRows.map((r) => `${r.cells} cell${r.cells === 1 ? '' : 's'}`);
  charts.push(
    groupedBars('The saturating load over more cells: heartbeat lag', 'ms', spreadNames, [
      { label: 'lag p50 (worst cell)', values: spreadRows.map((r) => r.heartbeatLagP50Ms) },
      { label: 'lag p99 (worst cell)', values: spreadRows.map((r) => r.heartbeatLagP99Ms) },
    ]),
    groupedBars('The saturating load over more cells: per-cell rates', 'per second', spreadNames, [
      { label: 'bus msgs/s per cell', values: spreadRows.map((r) => r.perCellBusMsgsPerSecond) },
      { label: 'DB statements/s per cell', values: spreadRows.map((r) => r.perCellDbStatementsPerSecond) },
    ]),
  );
  const body = [
    `<p>${escapeHtml(s.description || s.name)}</p>`,
    `<p class="note">${escapeHtml(s.machine)}; ${escapeHtml(s.date)}.</p>`,
    `<ul class="note">${s.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`,
    '<h2>Same hosts, 1 cell against several</h2>',
    rowsTable(s.layouts),
    '<h2>Where one cell saturates</h2>',
    `<p class="warn">These runs use time compression: heartbeat and report intervals and service_down_time divided by K, so the hosts present send the load of K times as many.</p>`,
    rowsTable(sat.single),
    '<h2>That load spread over more cells</h2>',
    rowsTable(sat.spread),
    '<style>.chart { display: inline-block; width: 49%; vertical-align: top; }</style>',
  ].join('\n');
  return page(`cellstack scaling study: ${s.name}`, body, charts);
}
