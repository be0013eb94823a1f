import { join } from 'node:path';

/** The files of one guest, all in its own folder: removing the folder removes the guest. */
export interface GuestFiles {
  dir: string;
  /** The guest's qcow2 overlay on its cached base image. */
  disk: string;
  pid: string;
  qmp: string;
  /** The serial console, as QEMU writes it (kept under `console_log_bytes`). */
  console: string;
  /** QEMU's own stderr, to say why a start failed. */
  qemuLog: string;
  /** What the guest was spawned with (GuestSpec), to start it again after a stop or a host restart. */
  spec: string;
  /** The guest's memory while it is suspended (saved to disk as libvirt's managed save does). */
  saved: string;
}

export function guestFiles(hostDir: string, uuid: string): GuestFiles {
  const dir = join(hostDir, uuid);
  return {
    dir,
    disk: join(dir, 'disk.qcow2'),
    pid: join(dir, 'qemu.pid'),
    qmp: join(dir, 'qmp.sock'),
    console: join(dir, 'console.log'),
    qemuLog: join(dir, 'qemu.log'),
    spec: join(dir, 'guest.json'),
    saved: join(dir, 'memory.save'),
  };
}

/** Guest folders are named by instance uuid; anything else in a host's folder is not a guest. */
export const isGuestDir = (name: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(name);
