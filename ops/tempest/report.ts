import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, hostname, totalmem } from 'node:os';
import { join } from 'node:path';
import type { TestResult, TestStatus } from './subunit.js';

export interface RunSummary {
  selection: string;
  started: string;
  seconds: number;
  machine: string;
  counts: Record<TestStatus, number>;
  /** Skips grouped by their reason, most frequent first. */
  skipReasons: { reason: string; count: number }[];
}

/** A test id without Tempest's `[id-…,smoke]` attributes. */
export const shortId = (id: string): string => id.replace(/\[[^\]]*\]$/, '');

/** The last line of a failure's traceback: the exception and its message. */
export function failureCause(t: TestResult): string {
  const text = (t.details['traceback'] ?? '').trim();
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines.at(-1)?.trim() ?? '(no traceback)';
}

export const skipReason = (t: TestResult): string => (t.details['reason'] ?? '').trim() || '(no reason given)';

export function summarize(selection: string, started: Date, seconds: number, results: TestResult[]): RunSummary {
  const counts: Record<TestStatus, number> = { passed: 0, failed: 0, skipped: 0, xfail: 0, uxsuccess: 0 };
  const reasons = new Map<string, number>();
  for (const t of results) {
    counts[t.status]++;
    if (t.status === 'skipped') reasons.set(skipReason(t), (reasons.get(skipReason(t)) ?? 0) + 1);
  }
  const cpu = cpus();
  return {
    selection,
    started: started.toISOString(),
    seconds: Math.round(seconds),
    machine: `${hostname()}: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
    counts,
    skipReasons: [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
  };
}

/** Writes results.json (everything, tracebacks included) and passed / failed / skipped text lists into `dir`. */
export function writeReport(dir: string, summary: RunSummary, results: TestResult[]): void {
  mkdirSync(dir, { recursive: true });
  const of = (status: TestStatus): TestResult[] => results.filter((t) => t.status === status).sort((a, b) => a.id.localeCompare(b.id));
  const tests = results.map((t) => ({
    id: t.id,
    status: t.status,
    seconds: Number(t.seconds.toFixed(3)),
    ...(t.status === 'skipped' ? { reason: skipReason(t) } : {}),
    ...(t.status === 'failed' ? { cause: failureCause(t), traceback: t.details['traceback'] ?? '' } : {}),
  }));
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify({ summary, tests }, null, 2)}\n`);
  writeFileSync(join(dir, 'passed.txt'), of('passed').map((t) => `${shortId(t.id)}\n`).join(''));
  writeFileSync(join(dir, 'failed.txt'), of('failed').map((t) => `${shortId(t.id)}\n    ${failureCause(t)}\n`).join(''));
  writeFileSync(join(dir, 'skipped.txt'), of('skipped').map((t) => `${shortId(t.id)}\n    ${skipReason(t)}\n`).join(''));
  const summaryText = [
    `selection: ${summary.selection}`,
    `started:   ${summary.started} (${summary.seconds} s)`,
    `machine:   ${summary.machine}`,
    ...Object.entries(summary.counts).map(([k, v]) => `${k.padEnd(10)} ${v}`),
    '',
    'skips by reason:',
    ...summary.skipReasons.map((s) => `  ${String(s.count).padStart(4)}  ${s.reason}`),
  ];
  writeFileSync(join(dir, 'summary.txt'), `${summaryText.join('\n')}\n`);
}
