import type { GuestSpec } from './driver.js';

/** Lines a fake guest keeps; older ones scroll away, as a serial console log is rotated. */
const KEPT_LINES = 200;

interface GuestConsole {
  lines: string[];
  bootedAt: number;
  /** The guest's hostname, for its login prompt. */
  name: string;
}

/**
 * The serial console of each fake guest: what a small Linux guest prints while it boots, reboots
 * and shuts down, stamped like the kernel does (seconds since the guest started). Enough for
 * `openstack console log show` to show something real.
 */
export class FakeConsole {
  private readonly consoles = new Map<string, GuestConsole>();

  boot(guest: Pick<GuestSpec, 'uuid' | 'name' | 'vcpus' | 'memory_mb' | 'disk_gb' | 'image_ref'>): void {
    const console = this.open(guest.uuid);
    console.bootedAt = Date.now();
    console.name = guest.name;
    this.write(guest.uuid, [
      'Linux version 6.1.0-fake (cellstack fake hypervisor)',
      'Command line: root=/dev/vda1 console=ttyS0',
      `Memory: ${guest.memory_mb * 1024}K available, ${guest.vcpus} CPU(s)`,
      `virtio_blk virtio0: [vda] ${guest.disk_gb} GiB`,
      `cloud-init: booting image ${guest.image_ref}`,
      `cloud-init: instance-id ${guest.uuid}, hostname ${guest.name}`,
      `${guest.name} login:`,
    ]);
  }

  /** The guest starts again (a reboot, or powered on after a stop): a fresh boot on the same console. */
  restart(uuid: string, farewell: string | null): void {
    if (!this.consoles.has(uuid)) return;
    if (farewell) this.write(uuid, [`reboot: ${farewell}`]);
    const console = this.open(uuid);
    console.bootedAt = Date.now();
    this.write(uuid, ['Linux version 6.1.0-fake (cellstack fake hypervisor)', 'cloud-init: modules done', `${console.name} login:`]);
  }

  note(uuid: string, line: string): void {
    if (this.consoles.has(uuid)) this.write(uuid, [line]);
  }

  /** Seconds since the guest last booted, or null when it is not on this hypervisor. */
  uptimeSeconds(uuid: string): number | null {
    const console = this.consoles.get(uuid);
    return console ? Math.floor((Date.now() - console.bootedAt) / 1000) : null;
  }

  /** The whole log, or null when the guest is not on this hypervisor. */
  read(uuid: string): string | null {
    const console = this.consoles.get(uuid);
    return console ? `${console.lines.join('\n')}\n` : null;
  }

  /** A guest taken back after its host restarted: its log before the restart is gone. */
  adopt(uuid: string): void {
    if (this.consoles.has(uuid)) return;
    this.open(uuid);
    this.write(uuid, ['console log restarted: the compute service came back and found this guest running']);
  }

  forget(uuid: string): void {
    this.consoles.delete(uuid);
  }

  private open(uuid: string): GuestConsole {
    let console = this.consoles.get(uuid);
    if (!console) {
      console = { lines: [], bootedAt: Date.now(), name: uuid };
      this.consoles.set(uuid, console);
    }
    return console;
  }

  private write(uuid: string, lines: string[]): void {
    const console = this.open(uuid);
    const seconds = ((Date.now() - console.bootedAt) / 1000).toFixed(6).padStart(12, ' ');
    for (const line of lines) console.lines.push(`[${seconds}] ${line}`);
    if (console.lines.length > KEPT_LINES) console.lines.splice(0, console.lines.length - KEPT_LINES);
  }
}
