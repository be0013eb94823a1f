import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const ticksPerSecond = 100;

/**
 * User plus system CPU seconds a process has used so far (0 if it is gone), with its children's:
 * those running (an API primary's workers) and those it has reaped (a worker that died).
 */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const own = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    return own / ticksPerSecond + childrenOf(pid).reduce((sum, child) => sum + cpuSeconds(child), 0);
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Pids of running processes whose command name is one of `names` (mariadbd, redis-server, ...). */
export function pidsNamed(names: string[]): Map<number, string> {
  const found = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (names.includes(comm)) found.set(Number(entry), comm);
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** CPU seconds of a set of processes, by label, between `start()` and `stop()`. */
export class CpuMeter {
  private readonly before = new Map<number, number>();

  constructor(private readonly processes: Map<number, string>) {}

  start(): void {
    for (const pid of this.processes.keys()) this.before.set(pid, cpuSeconds(pid));
  }

  /** Seconds used since start, summed per label. */
  stop(): Record<string, number> {
    const used: Record<string, number> = {};
    for (const [pid, label] of this.processes) {
      used[label] = (used[label] ?? 0) + Math.max(0, cpuSeconds(pid) - (this.before.get(pid) ?? 0));
    }
    return used;
  }
}
