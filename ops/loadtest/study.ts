import { machineDescription } from '../bench/machine.js';
import { runReport } from './html.js';
import { writeOutput } from './output.js';
import { runScenario, type LoadTestResult, type RunOptions } from './run.js';
import { toScenario, type Scenario, type Study } from './scenario.js';
import { studyReport } from './study-html.js';
import { summaryLines } from './summary.js';

/** One run of a study, boiled down to the figures its curves plot. */
export interface StudyRow {
  hosts: number;
  cells: number;
  compression: number;
  emulatedHosts: number;
  /** Heartbeats written per second over all cells (what the compression really achieved). */
  heartbeatsPerSecond: number;
  /** Means over the cells. */
  perCellBusMsgsPerSecond: number;
  perCellDbStatementsPerSecond: number;
  perCellConductorCpuPercent: number;
  /** The worst cell's. */
  heartbeatLagP50Ms: number | null;
  heartbeatLagP99Ms: number | null;
  postToActiveP50Ms: number | null;
  postToActiveP99Ms: number | null;
  bootsPerSecond: number;
  active: number;
  errors: number;
  result: string;
}

export interface StudyResult {
  name: string;
  description: string;
  machine: string;
  date: string;
  study: Study['study'];
  base: Record<string, unknown>;
  /** The same hosts in each cell count. */
  layouts: StudyRow[];
  saturation: {
    lagLimitMs: number;
    /** One cell under rising time compression, up to the first run past the limit. */
    single: StudyRow[];
    /** The compression at which one cell first passed the limit; null if it never did. */
    saturatedAt: number | null;
    /** That load spread over more cells. */
    spread: StudyRow[];
  };
  notes: string[];
}

const mean = (xs: number[]): number => (xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : 0);
const worst = (xs: (number | null)[]): number | null => {
  const known = xs.filter((x): x is number => x !== null);
  return known.length ? Math.max(...known) : null;
};

function rowOf(r: LoadTestResult, file: string): StudyRow {
  return {
    hosts: r.hosts.real,
    cells: r.hosts.cells,
    compression: r.scenario.timing.compression,
    emulatedHosts: r.hosts.emulated,
    heartbeatsPerSecond: Math.round(r.cells.reduce((sum, c) => sum + c.heartbeatsPerSecond, 0)),
    perCellBusMsgsPerSecond: mean(r.cells.map((c) => c.busMsgsPerSecond)),
    perCellDbStatementsPerSecond: mean(r.cells.map((c) => c.dbStatementsPerSecond)),
    perCellConductorCpuPercent: mean(r.cells.map((c) => c.conductorCpuPercent)),
    heartbeatLagP50Ms: worst(r.cells.map((c) => c.heartbeatLagMs.p50)),
    heartbeatLagP99Ms: worst(r.cells.map((c) => c.heartbeatLagMs.p99)),
    postToActiveP50Ms: r.boots.postToActiveMs?.p50 ?? null,
    postToActiveP99Ms: r.boots.postToActiveMs?.p99 ?? null,
    bootsPerSecond: Math.round(r.boots.bootsPerSecond * 10) / 10,
    active: r.boots.active,
    errors: r.boots.errors,
    result: file,
  };
}

function saturationNote(single: StudyRow[], saturatedAt: number | null, spreadAt: number, limitMs: number): string {
  if (saturatedAt === null) return `One cell never passed the heartbeat lag p99 limit within the compressions tried; the spread runs use the highest (K=${spreadAt}).`;
  const last = single[single.length - 1];
  const before = single[single.length - 2];
  const held = before ? `; it held at K=${before.compression} (${before.heartbeatsPerSecond} heartbeats/s written, lag p99 ${before.heartbeatLagP99Ms ?? '-'} ms)` : '';
  return `One cell passed the heartbeat lag p99 limit (${limitMs} ms) at time compression K=${saturatedAt}: ${last?.heartbeatsPerSecond ?? '-'} heartbeats/s written, lag p99 ${last?.heartbeatLagP99Ms ?? '-'} ms${held}.`;
}

/** The study's base scenario with a layout and compression of its own. */
function variant(study: Study, hosts: number, cells: number, compression: number): Scenario {
  const base = study.base as Record<string, unknown>;
  const section = (key: string): Record<string, unknown> => ({ ...(base[key] as Record<string, unknown> | undefined) });
  return toScenario({
    ...base,
    name: `${study.name}-${hosts}h-${cells}c${compression === 1 ? '' : `-k${compression}`}`,
    deployment: { ...section('deployment'), cells, hosts_per_cell: Math.ceil(hosts / cells) },
    timing: { ...section('timing'), compression },
  });
}

/**
 * Runs every layout of a study one after the other (each on a fresh deployment), then looks for
 * the load at which one cell saturates and runs that load over more cells; writes one JSON
 * result and one HTML report with the curves side by side.
 */
export async function runStudy(study: Study, o: RunOptions): Promise<StudyResult> {
  const { hosts, cells, saturation } = study.study;
  const total = hosts.length * cells.length + saturation.compression.length + saturation.cells.length;
  let n = 0;
  const runOne = async (s: Scenario): Promise<StudyRow> => {
    n += 1;
    o.say(`\n[${n}/${total} at most] ${s.name}`);
    const result = await runScenario(s, o);
    const files = writeOutput(o.root, s.name, result, runReport(result));
    o.say(summaryLines(result).slice(3).join('\n'));
    return rowOf(result, files.json);
  };
  const layouts: StudyRow[] = [];
  for (const h of hosts) for (const c of cells) layouts.push(await runOne(variant(study, h, c, 1)));
  const single: StudyRow[] = [];
  let saturatedAt: number | null = null;
  for (const k of saturation.compression) {
    const row = await runOne(variant(study, saturation.hosts, 1, k));
    single.push(row);
    if ((row.heartbeatLagP99Ms ?? 0) > saturation.lag_limit_ms) {
      saturatedAt = k;
      break;
    }
  }
  const spreadAt = saturatedAt ?? saturation.compression[saturation.compression.length - 1] ?? 1;
  const spread: StudyRow[] = [];
  for (const c of saturation.cells) spread.push(await runOne(variant(study, saturation.hosts, c, spreadAt)));
  const result: StudyResult = {
    name: study.name,
    description: study.description,
    machine: machineDescription(),
    date: new Date().toISOString(),
    study: study.study,
    base: study.base,
    layouts,
    saturation: { lagLimitMs: saturation.lag_limit_ms, single, saturatedAt, spread },
    notes: [
      'Every process, MariaDB, Redis and the NATS servers share this one machine, with whatever else runs on it: figures are relative (1 cell against N cells here), not capacities.',
      saturationNote(single, saturatedAt, spreadAt, saturation.lag_limit_ms),
      'At high compression service_down_time falls under a second and the scheduler sees hosts as down, so most boots end in ERROR there: those runs measure heartbeat load, not boots.',
    ],
  };
  const files = writeOutput(o.root, study.name, result, studyReport(result));
  o.say(`\nstudy result:   ${files.json}\nstudy report:   ${files.html ?? ''}`);
  return result;
}
