import { readFileSync } from 'node:fs';
import type { GuestDiagnostics } from '../driver.js';
import type { QemuGuest } from './guest.js';

/** Clock ticks per second in /proc/<pid>/task/<tid>/stat (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

interface BlockStats {
  device: string;
  qdev?: string;
  stats: { rd_bytes: number; wr_bytes: number };
}

/**
 * What QEMU can tell of a guest: the CPU time of its vCPU threads (QMP query-cpus-fast names them,
 * /proc counts their time) and its disk's bytes read and written (QMP query-blockstats). A guest
 * without a process used nothing since it last stopped.
 */
export async function guestDiagnostics(guest: QemuGuest): Promise<GuestDiagnostics> {
  if (!guest.running) return { uptimeSeconds: 0, cpuTimeNs: 0, diskReadBytes: 0, diskWriteBytes: 0 };
  const cpus = await guest.command<{ 'thread-id': number }[]>('query-cpus-fast');
  const blocks = await guest.command<BlockStats[]>('query-blockstats');
  const disk = blocks.find((b) => b.device === 'disk0') ?? blocks[0];
  const ticks = cpus.reduce((sum, cpu) => sum + threadTicks(guest.pid ?? 0, cpu['thread-id']), 0);
  return {
    uptimeSeconds: Math.floor((Date.now() - guest.startedAt) / 1000),
    cpuTimeNs: Math.round((ticks / USER_HZ) * 1e9),
    diskReadBytes: disk?.stats.rd_bytes ?? 0,
    diskWriteBytes: disk?.stats.wr_bytes ?? 0,
  };
}

/** utime + stime of one thread (fields 14 and 15 of its stat, counted after the command name). */
function threadTicks(pid: number, tid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  } catch {
    return 0;
  }
}
