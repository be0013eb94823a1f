import { closeSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';

/**
 * The serial console file of a guest, kept under `limit` bytes. QEMU appends to it (append=on), so
 * when it grows past the limit its newest half is written back from the start; what QEMU writes
 * in the few microseconds between that read and that write is lost, as a rotated log would lose it.
 */
export function readConsole(path: string, limit: number): string {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return '';
  }
  if (size <= limit) return readRange(path, 0, size);
  const kept = readRange(path, size - Math.floor(limit / 2), size);
  writeFileSync(path, kept);
  return kept;
}

function readRange(path: string, from: number, to: number): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(to - from);
    const read = readSync(fd, buffer, 0, buffer.length, from);
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
