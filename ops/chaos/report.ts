import type { FailedAnswer } from '../loadtest/client.js';
import { escapeHtml, page, table, type Chart } from '../loadtest/page.js';
import type { InvariantReport } from './checks.js';
import type { CleanupOutcome } from './cleanup.js';
import type { ChaosScenario } from './scenario.js';
import type { KillRecord } from './schedule.js';
import type { StatusTimeline } from './timeline.js';

export interface ChaosResult {
  name: string;
  machine: string;
  date: string;
  seed: number;
  scenario: ChaosScenario;
  /** Seconds from the start of the load to the end of the checks. */
  seconds: number;
  boots: { requested: number; accepted: number; rejected: number };
  churn: Record<string, { accepted: number; refused: number }>;
  kills: KillRecord[];
  /** Seconds after the load started at which the last restarted part served again. */
  lastRestartAt: number;
  /** Seconds after the load started that settling counts from: the last restart, or the end of the load when later. */
  settleFrom: number;
  /** Seconds from `settleFrom` until every invariant held; null: they never all held before the deadline. */
  settleSeconds: number | null;
  invariants: InvariantReport;
  consoles: { asked: number; opened: number };
  cleanup: CleanupOutcome;
  api: {
    /** Answers by "write 202", "read 200", ... ("read 0": no answer). */
    statuses: Record<string, number>;
    /** Answers of 500 or more other than 503: each one a failure. */
    serverErrors: number;
    unavailable: number;
    noAnswer: number;
    failures: FailedAnswer[];
    failuresPerSecond: Record<string, number[]>;
  };
  timeline: StatusTimeline;
  /** Why the run failed; empty when it passed. */
  failures: string[];
  pass: boolean;
}

/** The reasons a run fails, from its figures; none means PASS. */
export function verdict(r: Omit<ChaosResult, 'failures' | 'pass'>): string[] {
  const out: string[] = [];
  if (r.boots.accepted === 0) out.push('no boot was accepted');
  for (const v of r.invariants.violations) out.push(`${v.invariant}: ${v.count} (${v.examples.slice(0, 3).join('; ')})`);
  if (r.settleSeconds === null) out.push(`the invariants did not all hold within ${r.scenario.settle_deadline_s} s of the last restart (or the end of the load)`);
  if (r.api.serverErrors > 0) out.push(`${r.api.serverErrors} API answers of 500 or more other than 503`);
  if (!r.cleanup.clean) out.push(`left after deleting everything: ${Object.entries(r.cleanup.left).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  for (const k of r.kills) if (k.failed) out.push(`${k.target} could not be restarted: ${k.failed}`);
  return out;
}

/** The one line of figures a run ends with. */
export function summaryLine(r: ChaosResult): string {
  const i = r.invariants;
  const from = r.settleFrom > r.lastRestartAt ? 'the end of the load' : 'last restart';
  const settle = r.settleSeconds === null ? `not settled within ${r.scenario.settle_deadline_s} s of ${from}` : `settle ${r.settleSeconds.toFixed(1)} s after ${from}`;
  return [
    `chaos ${r.name}: accepted ${r.boots.accepted}, active ${i.active}, error ${i.error}, stuck ${i.stuck}, lost ${i.lost}, duplicates ${i.duplicates}, over-allocated ${i.overAllocated}`,
    `allocations ${i.allocationMismatches === 0 ? 'exact' : `off by ${i.allocationMismatches}`}, quota ${i.quotaMismatches === 0 ? 'exact' : 'off'}`,
    `kills ${r.kills.length}, ${settle}, 5xx ${r.api.serverErrors} (503: ${r.api.unavailable}, no answer: ${r.api.noAnswer})`,
    `leftovers ${r.cleanup.clean ? 0 : Object.values(r.cleanup.left).reduce((a, b) => a + b, 0)}, ${r.pass ? 'PASS' : 'FAIL'}`,
  ].join(', ');
}

/** The HTML report: figures, kills, violations, and statuses per second against the kills. */
export function chaosReport(r: ChaosResult): string {
  const bands = r.kills.map((k) => ({ from: k.killedAt, to: k.backAt ?? k.killedAt, label: `${k.target}${k.duringStart ? ' (+start)' : ''}` }));
  const head = [
    `<p>${escapeHtml(r.scenario.description || r.name)}</p>`,
    `<p class="note">${escapeHtml(r.machine)}; ${escapeHtml(r.date)}; seed ${r.seed}; ${r.scenario.deployment.cells} cells x ${r.scenario.deployment.hosts_per_cell} hosts.</p>`,
    `<p class="${r.pass ? 'note' : 'warn'}">${escapeHtml(summaryLine(r))}</p>`,
    r.failures.length > 0 ? `<ul class="warn">${r.failures.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>` : '',
    '<h2>Kills</h2>',
    table([
      ['target', 'killed at s', 'pid', 'restart begun s', 'back at s', 'tries', 'note'],
      ...r.kills.map((k) => [k.target + (k.duringStart ? ' (killed again during start-up)' : ''), k.killedAt.toFixed(1), k.pid ?? null, k.restartBegunAt?.toFixed(1) ?? null, k.backAt?.toFixed(1) ?? null, k.restartTries, k.failed ?? '']),
    ]),
    '<h2>Invariants</h2>',
    table([['invariant', 'violations', 'examples'], ...r.invariants.violations.map((v) => [v.invariant, v.count, v.examples.join('; ')])]),
    '<h2>Left after deleting everything</h2>',
    table([['what', 'count'], ...Object.entries(r.cleanup.left)]),
    '<h2>API answers</h2>',
    table([['answer', 'count'], ...Object.entries(r.api.statuses).sort(([a], [b]) => a.localeCompare(b))]),
    r.api.failures.length > 0 ? table([['at s', 'request', 'status', 'body'], ...r.api.failures.map((f) => [f.at.toFixed(1), `${f.method} ${f.path}`, f.status, f.body])]) : '',
  ].join('\n');
  const n = r.timeline.seconds.length;
  const perSecond = Array.from({ length: Math.ceil(r.seconds) + 1 }, (_, i) => i);
  const charts: Chart[] = [
    { title: 'Servers per status (kills shaded from kill to back)', xLabel: 's', yLabel: 'servers', kind: 'lines', x: r.timeline.seconds, series: Object.entries(r.timeline.counts).filter(([, v]) => v.some((x) => x > 0)).map(([label, values]) => ({ label, values: values.slice(0, n) })), bands },
    {
      title: 'API answers of 500 or more per second',
      xLabel: 's',
      yLabel: 'answers',
      kind: 'lines',
      x: perSecond,
      series: Object.entries(Object.keys(r.api.failuresPerSecond).length === 0 ? { '5xx': [] } : r.api.failuresPerSecond).map(([status, values]) => ({ label: status, values: perSecond.map((i) => values[i] ?? 0) })),
      bands,
    },
  ];
  return page(`cellstack chaos run: ${r.name}`, head, charts);
}
