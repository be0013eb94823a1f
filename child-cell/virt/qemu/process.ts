import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { VirtError } from '../driver.js';

/** Whether `pid` runs a QEMU of this guest (its command line names the uuid): a reused pid is not taken for it. */
export function isGuestProcess(pid: number, uuid: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(uuid);
  } catch {
    return false;
  }
}

export function readPid(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Starts QEMU in its own session and process group (so it outlives the compute pool, which finds
 * it again by its pidfile) and, when `cgroup` is given, in that pids cgroup (so every guest
 * process of a host can be counted and reaped, pidfile or not). Resolves with QEMU's pid once its
 * pidfile names it; rejects with QEMU's own words when it exits first.
 */
export async function launchQemu(binary: string, args: string[], files: { pid: string; qemuLog: string }, uuid: string, cgroup: string | null, timeoutMs: number): Promise<number> {
  const log = openSync(files.qemuLog, 'a');
  let exited: number | null | undefined;
  try {
    const child = spawn('/bin/sh', ['-c', 'if [ -n "$0" ]; then mkdir -p "$0" 2>/dev/null; echo $$ > "$0/cgroup.procs" 2>/dev/null; fi; exec "$@"', cgroup ?? '', binary, ...args], {
      detached: true,
      stdio: ['ignore', log, log],
    });
    child.on('exit', (code) => {
      exited = code;
    });
    child.unref();
  } finally {
    closeSync(log);
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const pid = readPid(files.pid);
    if (pid && isGuestProcess(pid, uuid)) return pid;
    if (exited !== undefined) throw new VirtError(`QEMU exited (${exited}) before it started: ${tail(files.qemuLog)}`);
    await delay(50);
  }
  throw new VirtError(`QEMU did not start in ${timeoutMs} ms: ${tail(files.qemuLog)}`);
}

/** Waits for a process to end; false when it still runs after `timeoutMs`. */
export async function waitGone(pid: number, uuid: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isGuestProcess(pid, uuid)) {
    if (Date.now() >= deadline) return false;
    await delay(50);
  }
  return true;
}

/** Ends the guest's whole process group (QEMU and anything it started). */
export function killGroup(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** The host's pids cgroup (cgroup v1 or v2), made if it can be; null where cgroups cannot be written here. */
export function hostCgroup(name: string): string | null {
  for (const root of ['/sys/fs/cgroup/pids', '/sys/fs/cgroup/unified', '/sys/fs/cgroup']) {
    const dir = `${root}/${name}`;
    try {
      mkdirSync(dir, { recursive: true });
      accessSync(`${dir}/cgroup.procs`, constants.W_OK);
      return dir;
    } catch {
      // Not here: try the next hierarchy.
    }
  }
  return null;
}

/** QEMU processes whose command line names a path under `dir` (what finds strays where no cgroup could be made). */
export function processesUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes('qemu-system') && cmd.includes(`${dir}/`)) pids.push(Number(entry));
    } catch {
      // Ended meanwhile.
    }
  }
  return pids;
}

/**
 * Removes a host's cgroup once no guest process is left in it (a launch makes it again). A QEMU
 * that has just quit may still be listed for a moment while the kernel reaps it: wait a little.
 */
export async function dropCgroup(dir: string | null, waitMs = 5000): Promise<void> {
  if (!dir) return;
  const deadline = Date.now() + waitMs;
  while (cgroupPids(dir).length > 0) {
    if (Date.now() > deadline) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  try {
    rmdirSync(dir);
  } catch {
    // A guest started meanwhile, or it is gone already.
  }
}

/** Pids in a cgroup, none when it cannot be read. */
export function cgroupPids(dir: string | null): number[] {
  if (!dir) return [];
  try {
    return readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-3).join(' / ');
  } catch {
    return '';
  }
}
