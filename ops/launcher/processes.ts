import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** A process the launcher runs and later stops. */
export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Names the code it runs: a process started from other code is restarted by `up`. */
  build?: string;
  /** Resolves true once the process serves what it is for. */
  ready(): Promise<boolean>;
}

export interface ProcessState {
  name: string;
  pid: number;
  alive: boolean;
}

const pidFile = (runDir: string, name: string): string => resolve(runDir, `${name}.pid`);
const buildFile = (runDir: string, name: string): string => resolve(runDir, `${name}.build`);

/** Does a running process run other code than `spec` would start (the project was rebuilt since)? */
export function runsOtherBuild(spec: ProcessSpec, runDir: string): boolean {
  if (spec.build === undefined) return false;
  try {
    return readFileSync(buildFile(runDir, spec.name), 'utf8').trim() !== spec.build;
  } catch {
    return true;
  }
}

/** A stamp of the compiled code: a hash of every .js file under `dir` (a few MB, milliseconds). */
export function buildStamp(dir: string): string {
  const hash = createHash('sha256');
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => resolve(e.parentPath, e.name))
    .sort((a, b) => a.localeCompare(b));
  for (const file of files) hash.update(file).update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

/** Is `pid` alive and still the process we started (its command line names our state dir)? */
export function isOurs(pid: number, marker: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // Empty while the process is between two execs (`ip netns exec` runs one more): not known to be another's.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline === '' || cmdline.includes(marker);
  } catch {
    return true;
  }
}

export function readPid(runDir: string, name: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile(runDir, name), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export interface StartedProcess {
  pid: number;
  /** False when it already ran. */
  started: boolean;
  /** How it ended ("exit code 1", "signal SIGKILL"), once it has ended while this launcher watched. */
  ended(): string | undefined;
}

/** Starts the process detached, its output appended to logs/<name>.log, unless it already runs. */
export function startProcess(spec: ProcessSpec, runDir: string, logDir: string, marker: string): StartedProcess {
  const running = readPid(runDir, spec.name);
  if (running !== undefined && isOurs(running, marker)) return { pid: running, started: false, ended: () => undefined };
  mkdirSync(runDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const log = openSync(resolve(logDir, `${spec.name}.log`), 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, ...spec.env },
    });
    if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command})`);
    let ending: string | undefined;
    child.once('exit', (code, signal) => (ending = signal ? `signal ${signal}` : `exit code ${String(code)}`));
    child.unref();
    writeFileSync(pidFile(runDir, spec.name), `${child.pid}\n`);
    if (spec.build !== undefined) writeFileSync(buildFile(runDir, spec.name), `${spec.build}\n`);
    return { pid: child.pid, started: true, ended: () => ending };
  } finally {
    closeSync(log);
  }
}

/** Waits until `ready()` says yes; fails early if the process died. */
export async function waitReady(spec: ProcessSpec, launched: StartedProcess, marker: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ended = launched.ended();
    if (ended !== undefined) throw new Error(`${spec.name} exited during start-up (${ended})`);
    if (!isOurs(launched.pid, marker)) throw new Error(`${spec.name} (pid ${launched.pid}) no longer runs, or runs other code`);
    if (await spec.ready().catch(() => false)) return;
    await delay(100);
  }
  throw new Error(`${spec.name} was not ready after ${timeoutMs / 1000} s`);
}

/** SIGTERM to each, then SIGKILL to whatever is left after the grace period. */
export async function stopProcesses(names: string[], runDir: string, marker: string, graceMs = 15_000): Promise<ProcessState[]> {
  const targets = names
    .map((name) => ({ name, pid: readPid(runDir, name) }))
    .filter((t): t is { name: string; pid: number } => t.pid !== undefined && isOurs(t.pid, marker));
  for (const t of targets) signal(t.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && targets.some((t) => isOurs(t.pid, marker))) await delay(100);
  for (const t of targets) if (isOurs(t.pid, marker)) signal(t.pid, 'SIGKILL');
  await delay(100);
  for (const name of names) {
    rmSync(pidFile(runDir, name), { force: true });
    rmSync(buildFile(runDir, name), { force: true });
  }
  return targets.map((t) => ({ ...t, alive: isOurs(t.pid, marker) }));
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(-pid, name);
  } catch {
    try {
      process.kill(pid, name);
    } catch {
      // Already gone.
    }
  }
}

export function listProcesses(runDir: string, marker: string, names: string[]): ProcessState[] {
  return names
    .filter((name) => existsSync(pidFile(runDir, name)))
    .map((name) => {
      const pid = readPid(runDir, name) ?? 0;
      return { name, pid, alive: pid > 0 && isOurs(pid, marker) };
    });
}
