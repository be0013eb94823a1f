import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';

/** One chart of a report: lines over a shared x axis, or bars. */
export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  kind: 'lines' | 'bars';
  x: number[];
  /** Category names shown under bars instead of x values. */
  xNames?: string[];
  /** A logarithmic y axis (for counts that span several powers of ten). */
  logY?: boolean;
  series: { label: string; values: (number | null)[] }[];
  /** Spans of x shaded and labelled over the plot (a chaos run's kills, from kill to restart). */
  bands?: { from: number; to: number; label: string }[];
}

/**
 * Bars of several series side by side per category: each category gets a slot per series and an
 * empty slot between groups, since uPlot's bar paths draw every series at the same x.
 */
export function groupedBars(title: string, yLabel: string, categories: string[], series: Chart['series']): Chart {
  const width = series.length + 1;
  const x = Array.from({ length: categories.length * width - 1 }, (_, i) => i);
  const middle = Math.floor((series.length - 1) / 2);
  return {
    title,
    xLabel: '',
    yLabel,
    kind: 'bars',
    x,
    xNames: x.map((i) => (i % width === middle ? (categories[Math.floor(i / width)] ?? '') : '')),
    series: series.map((s, j) => ({ label: s.label, values: x.map((i) => (i % width === j ? (s.values[Math.floor(i / width)] ?? null) : null)) })),
  };
}

const uplotDir = dirname(createRequire(import.meta.url).resolve('uplot'));
const asset = (file: string): string => readFileSync(resolve(uplotDir, file), 'utf8');

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** A table of rows; the first row is the header. */
export function table(rows: (string | number | null)[][]): string {
  const cell = (v: string | number | null, tag: string): string => `<${tag}>${escapeHtml(v === null ? '-' : String(v))}</${tag}>`;
  const [head, ...body] = rows;
  return `<table><thead><tr>${(head ?? []).map((v) => cell(v, 'th')).join('')}</tr></thead><tbody>${body
    .map((r) => `<tr>${r.map((v) => cell(v, 'td')).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

const palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

// Runs in the browser: draws each chart with uPlot (inlined above it, so the file stands alone).
const drawCharts = `
const charts = JSON.parse(document.getElementById('charts').textContent);
const palette = ${JSON.stringify(palette)};
for (const [i, c] of charts.entries()) {
  const el = document.getElementById('chart-' + i);
  const bars = c.kind === 'bars';
  const name = (v) => (c.xNames ? c.xNames[v] ?? '' : v);
  const series = [{ label: c.xLabel || 'x', value: (u, v) => name(v) }].concat(c.series.map((s, j) => ({
    label: s.label,
    stroke: palette[j % palette.length],
    fill: bars ? palette[j % palette.length] + 'cc' : undefined,
    width: bars ? 1 : 1.5,
    spanGaps: true,
    points: { show: !bars && c.x.length < 40 },
    paths: bars ? uPlot.paths.bars({ size: [0.9, 80] }) : undefined,
  })));
  const xAxis = { label: c.xLabel, values: c.xNames ? (u, vals) => vals.map(name) : undefined, splits: c.xNames ? () => c.x : undefined, grid: { show: !bars } };
  const bandHook = (u) => {
    const ctx = u.ctx;
    ctx.save();
    ctx.font = (10 * devicePixelRatio) + 'px sans-serif';
    for (const [k, b] of (c.bands || []).entries()) {
      const x0 = u.valToPos(b.from, 'x', true);
      const x1 = u.valToPos(b.to, 'x', true);
      ctx.fillStyle = 'rgba(214, 39, 40, 0.12)';
      ctx.fillRect(x0, u.bbox.top, Math.max(2 * devicePixelRatio, x1 - x0), u.bbox.height);
      ctx.fillStyle = '#a00';
      ctx.fillText(b.label, x0 + 2, u.bbox.top + 12 * devicePixelRatio * (1 + (k % 6)));
    }
    ctx.restore();
  };
  const yRange = (u, min, max) => c.logY ? [Math.max(1e-3, min / 2), max * 2] : [0, max > 0 ? max * 1.1 : 1];
  new uPlot({
    title: c.title,
    width: Math.min(1100, el.clientWidth || 1000),
    height: 300,
    legend: { live: false },
    scales: { x: { time: false, ...(bars ? { range: (u, min, max) => [min - 0.6, max + 0.6] } : {}) }, y: { ...(c.logY ? { distr: 3 } : {}), range: yRange } },
    axes: [xAxis, { label: c.yLabel }],
    hooks: c.bands ? { draw: [bandHook] } : {},
    series,
  }, [c.x, ...c.series.map((s) => s.values)], el);
}
`;

/** A self-contained HTML page: text, tables and uPlot charts, no network needed to view it. */
export function page(title: string, body: string, charts: Chart[]): string {
  const json = JSON.stringify(charts).replace(/</g, '\\u003c');
  const chartDivs = charts.map((_, i) => `<div class="chart" id="chart-${i}"></div>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>${asset('uPlot.min.css')}
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 1150px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; } th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; } .note { color: #555; } .warn { color: #a40; font-weight: 600; }
.chart { margin: 1.5em 0; }
</style></head><body>
<h1>${escapeHtml(title)}</h1>
${body}
${chartDivs}
<script type="application/json" id="charts">${json}</script>
<script>${asset('uPlot.iife.min.js')}</script>
<script>${drawCharts}</script>
</body></html>
`;
}
