import { setTimeout as delay } from 'node:timers/promises';
import { errorMessage } from '../runtime/index.js';
import type { Kill } from './scenario.js';
import { kindOf, killTarget, restartTarget, type ChaosParts } from './targets.js';

/** A seeded generator (mulberry32): the same seed gives the same jitter and the same picks. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One kill as it is carried out: its time after jitter. */
export interface PlannedKill extends Kill {
  kind: string;
  /** Seconds after the load starts, jitter applied. */
  time: number;
}

/** Kill times with jitter (never before the load starts), in order. */
export function planKills(kills: Kill[], jitterSeconds: number, random: () => number): PlannedKill[] {
  return kills
    .map((k) => ({ ...k, kind: kindOf(k.target), time: Math.max(0, k.at + (random() * 2 - 1) * jitterSeconds) }))
    .sort((a, b) => a.time - b.time);
}

/** What happened to one kill: when (seconds after the load starts) it was killed and back. */
export interface KillRecord {
  target: string;
  kind: string;
  duringStart: boolean;
  killedAt: number;
  /** Pid killed; absent when the target was not running at that moment. */
  pid?: number;
  restartBegunAt?: number;
  /** When the target served again (or the restart gave up). */
  backAt?: number;
  restartTries: number;
  /** Set when it could not be brought back. */
  failed?: string;
}

/**
 * Carries out the kills at their times. Restarts of the deployment's processes run one at a time
 * (two `deploy up` at once would race for the same pid files), each tried again every 2 s until it
 * works or `giveUpMs` passes: a restart of a process fails while MariaDB is down. The harness's
 * own MariaDB and Redis come back on their own, never queued behind a restart that waits for them.
 */
export async function runKills(parts: ChaosParts, plan: PlannedKill[], started: number, giveUpMs = 120_000): Promise<KillRecord[]> {
  const records: KillRecord[] = [];
  let restarts: Promise<void> = Promise.resolve();
  const since = (): number => (Date.now() - started) / 1000;
  const done = plan.map(async (kill) => {
    const wait = started + kill.time * 1000 - Date.now();
    if (wait > 0) await delay(wait);
    const record: KillRecord = { target: kill.target, kind: kill.kind, duringStart: kill.during_start, killedAt: since(), restartTries: 0 };
    records.push(record);
    const pid = await killTarget(parts, kill.target).catch(() => undefined);
    if (pid !== undefined) record.pid = pid;
    parts.say(`  ${record.killedAt.toFixed(1)} s: killed ${kill.target}${pid === undefined ? ' (it was not running)' : ` (pid ${pid})`}`);
    await delay(kill.restart_after * 1000);
    if (kill.kind === 'mariadb' || kill.kind === 'redis') {
      await restart(parts, kill, record, since, giveUpMs);
      return;
    }
    const mine = restarts.then(() => restart(parts, kill, record, since, giveUpMs));
    restarts = mine;
    await mine;
  });
  await Promise.all(done);
  return records.sort((a, b) => a.killedAt - b.killedAt);
}

async function restart(parts: ChaosParts, kill: PlannedKill, record: KillRecord, since: () => number, giveUpMs: number): Promise<void> {
  record.restartBegunAt = since();
  const deadline = Date.now() + giveUpMs;
  for (;;) {
    record.restartTries += 1;
    try {
      await restartTarget(parts, kill.target, kill.during_start && record.restartTries === 1);
      record.backAt = since();
      parts.say(`  ${record.backAt.toFixed(1)} s: ${kill.target} is back (${(record.backAt - record.killedAt).toFixed(1)} s after the kill)`);
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        record.failed = errorMessage(err).split('\n')[0] ?? 'restart failed';
        record.backAt = since();
        parts.say(`  ${kill.target} could not be restarted: ${record.failed}`);
        return;
      }
      await delay(2000);
    }
  }
}
