import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../../../ops/runtime/index.js';
import { PowerState } from '../../instance/index.js';
import { VirtError, type GuestDiagnostics, type GuestSpec, type HostResources, type VirtDriver } from '../driver.js';
import { chooseAccel, type AccelChoice } from './accel.js';
import type { Accel } from './command.js';
import { readConsole } from './console.js';
import { guestDiagnostics } from './diagnostics.js';
import { QemuGuest, type LaunchSettings } from './guest.js';
import { createOverlay, qemuImg, type ImageCache } from './images.js';
import { guestFiles, isGuestDir } from './layout.js';
import { cgroupPids, dropCgroup, hostCgroup, killGroup, processesUnder } from './process.js';

export interface QemuDriverOptions {
  host: string;
  /** The host's own folder: one sub-folder per guest. */
  hostDir: string;
  binary: string;
  accel: 'auto' | Accel;
  images: ImageCache;
  shutdownTimeoutMs: number;
  consoleLogBytes: number;
  log: Logger;
}

/**
 * Real guests: one QEMU process per guest, driven through its QMP socket (Nova's libvirt driver,
 * without libvirt). Guests outlive the compute pool; `init` finds them again by their pidfiles.
 */
export class QemuDriver implements VirtDriver {
  readonly hypervisorType = 'QEMU';
  private readonly guestsByUuid = new Map<string, QemuGuest>();
  private readonly choice: AccelChoice;
  private readonly settings: LaunchSettings;
  private kvmLogged = false;

  constructor(private readonly options: QemuDriverOptions) {
    this.choice = chooseAccel(options.accel);
    const cgroupName = `cellstack-qemu-${createHash('sha1').update(options.hostDir).digest('hex').slice(0, 12)}`;
    this.settings = { binary: options.binary, accel: this.choice.accel, cgroup: hostCgroup(cgroupName), startTimeoutMs: 30_000 };
  }

  /** Nova's init_host: takes back every guest whose QEMU still runs, and ends QEMUs no guest folder owns. */
  async init(): Promise<void> {
    mkdirSync(this.options.hostDir, { recursive: true });
    let running = 0;
    for (const name of readdirSync(this.options.hostDir).filter(isGuestDir)) {
      const files = guestFiles(this.options.hostDir, name);
      if (!existsSync(files.spec)) continue;
      const guest = new QemuGuest(JSON.parse(readFileSync(files.spec, 'utf8')) as GuestSpec, files);
      if (await guest.reattach().catch(() => false)) running += 1;
      this.guestsByUuid.set(name, guest);
    }
    const owned = new Set([...this.guestsByUuid.values()].map((g) => g.pid));
    const strays = [...new Set([...cgroupPids(this.settings.cgroup), ...processesUnder(this.options.hostDir)])].filter((pid) => !owned.has(pid));
    for (const pid of strays) killGroup(pid);
    this.options.log.info(
      { accel: this.choice.accel, why: this.choice.why, cgroup: this.settings.cgroup, guests: this.guestsByUuid.size, running, strays_ended: strays.length },
      'QEMU driver ready',
    );
  }

  resources(): HostResources {
    const disk = statfsSync(this.options.hostDir);
    return { vcpus: cpus().length, memory_mb: Math.floor(totalmem() / 1024 ** 2), local_gb: Math.floor((disk.blocks * disk.bsize) / 1024 ** 3) };
  }

  guests(): string[] {
    return [...this.guestsByUuid.keys()];
  }

  powerState(uuid: string): PowerState {
    return this.guestsByUuid.get(uuid)?.state ?? PowerState.NOSTATE;
  }

  async spawn(spec: GuestSpec): Promise<void> {
    const existing = this.guestsByUuid.get(spec.uuid);
    if (existing?.running) return;
    const files = guestFiles(this.options.hostDir, spec.uuid);
    const guest = existing ?? new QemuGuest(spec, files);
    try {
      mkdirSync(files.dir, { recursive: true });
      const base = await this.options.images.base(spec.image_ref);
      if (!existsSync(files.disk)) await createOverlay(base, files.disk, spec.disk_gb);
      writeFileSync(files.spec, JSON.stringify(spec));
      this.guestsByUuid.set(spec.uuid, guest);
      await guest.start(this.settings);
      await this.logAccel(guest);
    } catch (err) {
      await guest.quit().catch(() => undefined);
      this.guestsByUuid.delete(spec.uuid);
      rmSync(files.dir, { recursive: true, force: true });
      throw err instanceof VirtError ? err : new VirtError(`spawn of ${spec.uuid} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  async destroy(uuid: string): Promise<void> {
    const guest = this.guestsByUuid.get(uuid);
    await guest?.quit();
    this.guestsByUuid.delete(uuid);
    rmSync(guestFiles(this.options.hostDir, uuid).dir, { recursive: true, force: true });
    if (this.guestsByUuid.size === 0) await dropCgroup(this.settings.cgroup);
  }

  async reboot(uuid: string, hard: boolean): Promise<void> {
    const guest = this.guest(uuid);
    if (!guest.running) return guest.start(this.settings);
    if (hard) {
      await guest.command('system_reset');
      if (guest.state !== PowerState.RUNNING) await guest.command('cont');
      guest.startedAt = Date.now();
      return;
    }
    // A soft reboot is a clean power off and a start, as libvirt does it for QEMU.
    await guest.powerOff(this.options.shutdownTimeoutMs);
    await guest.start(this.settings);
  }

  powerOff(uuid: string): Promise<void> {
    return this.guest(uuid).powerOff(this.options.shutdownTimeoutMs);
  }

  async powerOn(uuid: string): Promise<void> {
    const guest = this.guest(uuid);
    if (!guest.running) return guest.start(this.settings);
    if (guest.state !== PowerState.RUNNING) await guest.command('cont');
  }

  async pause(uuid: string): Promise<void> {
    await this.guest(uuid).command('stop');
    this.guest(uuid).state = PowerState.PAUSED;
  }

  async unpause(uuid: string): Promise<void> {
    await this.guest(uuid).command('cont');
    this.guest(uuid).state = PowerState.RUNNING;
  }

  /** Saves the guest's memory to its folder and ends QEMU (libvirt's managed save). */
  async suspend(uuid: string): Promise<void> {
    const guest = this.guest(uuid);
    await guest.command('migrate', { uri: `exec:cat > '${guest.files.saved}.part'` });
    await this.migrated(guest);
    await guest.quit();
    renameSync(`${guest.files.saved}.part`, guest.files.saved);
    guest.state = PowerState.SUSPENDED;
  }

  /** Starts QEMU from the saved memory: the guest goes on where it was. */
  async resume(uuid: string): Promise<void> {
    const guest = this.guest(uuid);
    if (guest.running) return this.powerOn(uuid);
    if (!existsSync(guest.files.saved)) throw new VirtError(`guest ${uuid} has no saved memory to resume from`);
    await guest.start(this.settings, true);
    await guest.command('migrate-incoming', { uri: `exec:cat '${guest.files.saved}'` });
    await this.migrated(guest);
    if ((await guest.refreshState()) !== PowerState.RUNNING) await guest.command('cont');
    guest.state = PowerState.RUNNING;
    rmSync(guest.files.saved, { force: true });
  }

  rescue(uuid: string): Promise<void> {
    return Promise.reject(new VirtError(`the QEMU driver cannot rescue ${uuid} yet`));
  }

  unrescue(uuid: string): Promise<void> {
    return Promise.reject(new VirtError(`the QEMU driver cannot unrescue ${uuid} yet`));
  }

  async triggerCrashDump(uuid: string): Promise<void> {
    await this.guest(uuid).command('inject-nmi');
  }

  /** Nova's answer for a guest without an agent: the password cannot be set. */
  setAdminPassword(uuid: string): Promise<void> {
    return Promise.reject(new VirtError(`guest ${uuid} has no guest agent; its password cannot be set`));
  }

  diagnostics(uuid: string): Promise<GuestDiagnostics> {
    return guestDiagnostics(this.guest(uuid));
  }

  async consoleOutput(uuid: string): Promise<string> {
    return readConsole(this.guest(uuid).files.console, this.options.consoleLogBytes);
  }

  /** createImage: the guest's disk, flattened, stored in the image service by this host. */
  async uploadSnapshot(uuid: string, imageUuid: string): Promise<number> {
    const disk = await this.snapshot(uuid);
    await this.options.images.store(imageUuid, disk);
    return disk.length;
  }

  /** A qcow2 copy of the guest's disk, taken with the guest's vCPUs stopped so that it is consistent. */
  async snapshot(uuid: string): Promise<Buffer> {
    const guest = this.guest(uuid);
    const wasRunning = guest.running && guest.state === PowerState.RUNNING;
    const copy = `${guest.files.dir}/snapshot-${Date.now()}.qcow2`;
    if (wasRunning) await guest.command('stop');
    try {
      await qemuImg(['convert', '-U', '-O', 'qcow2', guest.files.disk, copy]);
    } finally {
      if (wasRunning) await guest.command('cont');
    }
    try {
      return readFileSync(copy);
    } finally {
      rmSync(copy, { force: true });
    }
  }

  /**
   * The cell says the guest runs here. One whose QEMU ended while the host was down (the machine
   * restarted, `deploy down`) is started again, as Nova's resume_guests_state_on_host_boot does.
   */
  adopt(uuid: string, state: PowerState): void {
    const guest = this.guestsByUuid.get(uuid);
    if (!guest) {
      this.options.log.warn({ instance: uuid }, 'the cell places this guest here but this host has no trace of it');
      return;
    }
    if (state !== PowerState.RUNNING || guest.running || guest.state === PowerState.SUSPENDED) return;
    this.options.log.info({ instance: uuid }, 'starting again a guest the cell says runs (its QEMU ended while the host was down)');
    void guest.start(this.settings).catch((err: unknown) => this.options.log.error({ instance: uuid, err: (err as Error).message }, 'could not start the guest again'));
  }

  /** Closes QMP connections; the guests keep running (a restarted pool finds them). */
  close(): void {
    for (const guest of this.guestsByUuid.values()) guest.qmp?.close();
  }

  private guest(uuid: string): QemuGuest {
    const guest = this.guestsByUuid.get(uuid);
    if (!guest) throw new VirtError(`no guest ${uuid} on this QEMU host`);
    return guest;
  }

  private async migrated(guest: QemuGuest): Promise<void> {
    for (;;) {
      const { status } = await guest.command<{ status?: string }>('query-migrate');
      if (status === 'completed') return;
      if (status === 'failed' || status === 'cancelled') throw new VirtError(`saving or restoring the memory of ${guest.spec.uuid} ${status}`);
      await delay(100);
    }
  }

  /** Says once which accelerator guests really got (QMP query-kvm), beside why it was chosen. */
  private async logAccel(guest: QemuGuest): Promise<void> {
    if (this.kvmLogged) return;
    this.kvmLogged = true;
    const kvm = await guest.command<{ enabled: boolean; present: boolean }>('query-kvm');
    this.options.log.info({ host: this.options.host, kvm_enabled: kvm.enabled, kvm_present: kvm.present, accel: this.choice.accel, why: this.choice.why }, `guests run with ${kvm.enabled ? 'KVM' : 'TCG'}`);
  }
}
