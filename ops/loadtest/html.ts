import { escapeHtml, groupedBars, page, table, type Chart } from './page.js';
import type { LoadTestResult } from './run.js';

const seconds = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const pad = (xs: number[], n: number): number[] => [...xs, ...new Array<number>(Math.max(0, n - xs.length)).fill(0)];

/** The HTML report of one run: figures, notes, and throughput, latency and per-cell plots. */
export function runReport(r: LoadTestResult): string {
  const b = r.boots;
  const p = b.postToActiveMs;
  const head = [
    `<p>${escapeHtml(r.scenario.description || r.name)}</p>`,
    `<p class="note">${escapeHtml(r.machine)}; ${escapeHtml(r.date)}; ${r.hosts.real} fake hosts in ${r.hosts.cells} cells; ${r.scenario.duration} s of load, measured over ${r.seconds.toFixed(1)} s.</p>`,
    r.timeCompression ? `<p class="warn">Time compression was on: ${escapeHtml(r.timeCompression.note)}.</p>` : '<p class="note">No time compression (K = 1).</p>',
    table([
      ['figure', 'value'],
      ['API requests/s (writes, reads)', `${r.api.requestsPerSecond.toFixed(1)} (${r.api.writesPerSecond.toFixed(1)}, ${r.api.readsPerSecond.toFixed(1)})`],
      ['boots ACTIVE / ERROR / rejected / unsettled', `${b.active} / ${b.errors} / ${b.rejected} / ${b.unsettled}`],
      ['boots/s', b.bootsPerSecond.toFixed(1)],
      ['POST->ACTIVE p50 / p90 / p99 / max (ms)', p ? `${p.p50} / ${p.p90} / ${p.p99} / ${p.max}` : '-'],
      ['churn', Object.entries(r.churn.operations).map(([op, t]) => `${op} ${t.accepted}`).join(', ') || 'none'],
    ]),
    '<h2>Per cell</h2>',
    table([
      ['cell', 'bus msgs/s', 'bus deliveries/s', 'DB statements/s', 'conductor CPU %', 'heartbeats/s', 'lag p50 ms', 'lag p99 ms'],
      ...r.cells.map((c) => [c.cell, c.busMsgsPerSecond, c.busDeliveriesPerSecond, c.dbStatementsPerSecond, c.conductorCpuPercent, c.heartbeatsPerSecond, c.heartbeatLagMs.p50, c.heartbeatLagMs.p99]),
    ]),
    `<ul class="note">${r.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`,
  ].join('\n');
  return page(`cellstack load test: ${r.name}`, head, runCharts(r));
}

function runCharts(r: LoadTestResult): Chart[] {
  const n = Math.max(r.api.writesPerSecondSeries.length, r.api.readsPerSecondSeries.length, r.boots.activePerSecond.length);
  const cellNames = r.cells.map((c) => c.cell);
  const perCell = (label: string, values: (number | null)[]) => ({ label, values });
  return [
    {
      title: 'Throughput over time',
      xLabel: 's',
      yLabel: 'per second',
      kind: 'lines',
      x: seconds(n),
      series: [
        { label: 'API writes/s', values: pad(r.api.writesPerSecondSeries, n) },
        { label: 'API reads/s', values: pad(r.api.readsPerSecondSeries, n) },
        { label: 'servers ACTIVE/s', values: pad(r.boots.activePerSecond, n) },
      ],
    },
    {
      title: 'POST -> ACTIVE latency',
      xLabel: 'ms (bin start)',
      yLabel: 'servers',
      kind: 'bars',
      x: r.boots.postToActiveHistogram.fromMs,
      series: [{ label: 'servers', values: r.boots.postToActiveHistogram.count }],
    },
    groupedBars('Per-cell load', 'per second / % of a core', cellNames, [
      perCell('bus msgs/s', r.cells.map((c) => c.busMsgsPerSecond)),
      perCell('DB statements/s', r.cells.map((c) => c.dbStatementsPerSecond)),
      perCell('conductor CPU %', r.cells.map((c) => c.conductorCpuPercent)),
    ]),
    groupedBars('Per-cell heartbeat lag', 'ms', cellNames, [
      perCell('p50', r.cells.map((c) => c.heartbeatLagMs.p50)),
      perCell('p99', r.cells.map((c) => c.heartbeatLagMs.p99)),
    ]),
    {
      title: 'Bus messages/s per cell over time',
      xLabel: 's',
      yLabel: 'msgs/s',
      kind: 'lines',
      x: r.sampleTimes,
      series: r.cells.map((c) => perCell(c.cell, c.series.busMsgsPerSecond)),
    },
    {
      title: 'DB statements/s per cell over time',
      xLabel: 's',
      yLabel: 'statements/s',
      kind: 'lines',
      x: r.sampleTimes,
      series: r.cells.map((c) => perCell(c.cell, c.series.dbStatementsPerSecond)),
    },
    {
      title: 'Heartbeat lag p99 per cell over time (per sample)',
      xLabel: 's',
      yLabel: 'ms',
      kind: 'lines',
      x: r.sampleTimes,
      series: r.cells.map((c) => perCell(c.cell, c.series.heartbeatLagP99Ms)),
    },
  ];
}
