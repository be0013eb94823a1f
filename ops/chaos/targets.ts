import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { up } from '../launcher/deployment.js';
import { layoutOf, type DeploymentOptions } from '../launcher/layout.js';
import { isOurs, readPid } from '../launcher/processes.js';
import type { OwnServer } from './services.js';

const run = promisify(execFile);

/** The kind of part a kill target is, as reports group them. */
export function kindOf(target: string): string {
  if (target.startsWith('super-conductor-')) return 'super-conductor';
  if (/^cell\d+-conductor$/.test(target)) return 'cell-conductor';
  if (/^cell\d+-compute/.test(target)) return 'compute-pool';
  if (/^cell\d+-nats$/.test(target)) return 'nats';
  return target;
}

/** What the harness runs and may kill: the deployment's processes and its own MariaDB and Redis. */
export interface ChaosParts {
  root: string;
  natsServer: string;
  options: DeploymentOptions;
  mariadb: OwnServer;
  redis: OwnServer;
  say: (line: string) => void;
  /** Picks among equals (which API worker dies), from the run's seed. */
  random: () => number;
}

/** SIGKILLs `target`; answers the pid it killed (none: it was not running). */
export async function killTarget(parts: ChaosParts, target: string): Promise<number | undefined> {
  if (target === 'mariadb' || target === 'redis') {
    const server = parts[target];
    const pid = server.pid;
    await server.kill();
    return pid;
  }
  if (target === 'api-worker') {
    const workers = await apiWorkers(parts);
    const pid = workers[Math.floor(parts.random() * workers.length)];
    if (pid !== undefined) await killPid(pid);
    return pid;
  }
  const { runDir, options } = runDirOf(parts);
  const pid = readPid(runDir, target);
  if (pid === undefined || !isOurs(pid, options.stateDir)) return undefined;
  await killPid(pid);
  return pid;
}

/**
 * Brings `target` back: `deploy up` again for a launcher process (which starts whatever is not
 * running), the same server on its port for MariaDB and Redis; the API primary replaces a
 * worker itself, so that only waits for the worker count to be whole again. With `duringStart`
 * the first start is killed as soon as it exists, and the target started once more.
 */
export async function restartTarget(parts: ChaosParts, target: string, duringStart: boolean): Promise<void> {
  if (target === 'mariadb' || target === 'redis') {
    const server = parts[target];
    if (duringStart) {
      const starting = server.start().catch(() => undefined);
      await delay(150);
      await server.kill();
      await starting;
    }
    await server.start();
    return;
  }
  if (target === 'api-worker') {
    const want = parts.options.apiWorkers ?? 1;
    if (duringStart) {
      const before = new Set(await apiWorkers(parts));
      const fresh = await waitFor(async () => (await apiWorkers(parts)).find((pid) => !before.has(pid)), 30_000);
      if (fresh !== undefined) await killPid(fresh);
    }
    const whole = await waitFor(async () => ((await apiWorkers(parts)).length >= want ? true : undefined), 60_000);
    if (!whole) throw new Error(`the API primary did not bring its workers back to ${want} within 60 s`);
    return;
  }
  if (duringStart) {
    const { runDir, options } = runDirOf(parts);
    const old = readPid(runDir, target);
    let stop = false;
    const watcher = (async () => {
      while (!stop) {
        const pid = readPid(runDir, target);
        if (pid !== undefined && pid !== old && isOurs(pid, options.stateDir)) {
          await killPid(pid);
          return;
        }
        await delay(20);
      }
    })();
    try {
      await up(parts.options, parts.root, parts.natsServer, () => undefined);
      parts.say(`  ${target} started before the kill during start-up caught it`);
    } catch {
      // Expected: the launcher saw its process die while it started.
    } finally {
      stop = true;
      await watcher;
    }
  }
  await up(parts.options, parts.root, parts.natsServer, () => undefined);
}

/** The API primary's children: its workers. */
export async function apiWorkers(parts: ChaosParts): Promise<number[]> {
  const { runDir } = runDirOf(parts);
  const primary = readPid(runDir, 'api');
  if (primary === undefined) return [];
  const out = await run('pgrep', ['-P', String(primary)]).catch(() => ({ stdout: '' }));
  return out.stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

function runDirOf(parts: ChaosParts): { runDir: string; options: DeploymentOptions } {
  return { runDir: layoutOf(parts.options).runDir, options: parts.options };
}

async function killPid(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  await waitFor(async () => (alive(pid) ? undefined : true), 10_000);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (killed, not yet reaped by its parent) is as good as gone.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await delay(50);
  }
  return undefined;
}
