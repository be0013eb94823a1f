import { existsSync, rmSync, statSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { PowerState } from '../../instance/index.js';
import { VirtError, type GuestSpec } from '../driver.js';
import { qemuArgs, type Accel } from './command.js';
import type { GuestFiles } from './layout.js';
import { isGuestProcess, killGroup, launchQemu, readPid, waitGone } from './process.js';
import { QmpClient } from './qmp.js';

/** QEMU's run states (QMP query-status) as Nova's power states. */
const runStates: Record<string, PowerState> = {
  running: PowerState.RUNNING,
  paused: PowerState.PAUSED,
  prelaunch: PowerState.PAUSED,
  inmigrate: PowerState.PAUSED,
  'finish-migrate': PowerState.PAUSED,
  postmigrate: PowerState.SUSPENDED,
  'save-vm': PowerState.PAUSED,
  'restore-vm': PowerState.PAUSED,
  suspended: PowerState.SUSPENDED,
  shutdown: PowerState.SHUTDOWN,
  'guest-panicked': PowerState.CRASHED,
  'internal-error': PowerState.CRASHED,
  'io-error': PowerState.PAUSED,
  watchdog: PowerState.PAUSED,
  debug: PowerState.PAUSED,
};

export interface LaunchSettings {
  binary: string;
  accel: Accel;
  cgroup: string | null;
  startTimeoutMs: number;
}

/**
 * One guest of the QEMU driver: its files, and its QEMU process while it has one. A guest without
 * a process is powered off, or suspended when its memory is saved.
 */
export class QemuGuest {
  pid: number | null = null;
  qmp: QmpClient | null = null;
  state: PowerState = PowerState.SHUTDOWN;
  startedAt = Date.now();

  constructor(
    readonly spec: GuestSpec,
    readonly files: GuestFiles,
  ) {}

  get running(): boolean {
    return this.pid !== null && isGuestProcess(this.pid, this.spec.uuid);
  }

  /** Starts QEMU for this guest (from its saved memory when `incoming`) and connects to its QMP. */
  async start(settings: LaunchSettings, incoming = false): Promise<void> {
    rmSync(this.files.pid, { force: true });
    rmSync(this.files.qmp, { force: true });
    const args = qemuArgs(this.spec, this.files, settings.accel, incoming);
    this.pid = await launchQemu(settings.binary, args, this.files, this.spec.uuid, settings.cgroup, settings.startTimeoutMs);
    this.startedAt = Date.now();
    await this.connect(settings.startTimeoutMs);
  }

  /** Takes back a QEMU that runs already (after the compute pool restarted): true when there is one. */
  async reattach(): Promise<boolean> {
    const pid = readPid(this.files.pid);
    if (!pid || !isGuestProcess(pid, this.spec.uuid)) {
      this.state = existsSync(this.files.saved) ? PowerState.SUSPENDED : PowerState.SHUTDOWN;
      return false;
    }
    this.pid = pid;
    this.startedAt = statSync(this.files.pid).mtimeMs;
    await this.connect(5000);
    return true;
  }

  private async connect(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        this.qmp = await QmpClient.connect(this.files.qmp);
        break;
      } catch (err) {
        if (Date.now() >= deadline || !this.running) throw err;
        await delay(50);
      }
    }
    const qmp = this.qmp;
    qmp.onEvent = ({ event }) => {
      if (event === 'STOP' && this.state === PowerState.RUNNING) this.state = PowerState.PAUSED;
      else if (event === 'RESUME') this.state = PowerState.RUNNING;
    };
    qmp.onClose = () => {
      if (this.qmp !== qmp) return;
      // QEMU ended (the guest powered itself off, or it was quit): the guest has no process now.
      this.qmp = null;
      this.pid = null;
      this.state = existsSync(this.files.saved) ? PowerState.SUSPENDED : PowerState.SHUTDOWN;
    };
    await this.refreshState();
  }

  async refreshState(): Promise<PowerState> {
    const status = await this.command<{ status: string }>('query-status');
    this.state = runStates[status.status] ?? PowerState.NOSTATE;
    return this.state;
  }

  command<T = unknown>(name: string, args?: Record<string, unknown>): Promise<T> {
    if (!this.qmp?.isOpen) return Promise.reject(new VirtError(`guest ${this.spec.uuid} is not running`));
    return this.qmp.execute<T>(name, args);
  }

  /** Asks the guest to power off (ACPI) and waits; quits QEMU when the guest has not within `timeoutMs`. */
  async powerOff(timeoutMs: number): Promise<void> {
    const pid = this.pid;
    if (pid === null) return;
    if (timeoutMs > 0 && this.state === PowerState.RUNNING) {
      await this.command('system_powerdown').catch(() => undefined);
      if (await waitGone(pid, this.spec.uuid, timeoutMs)) return this.ended();
    }
    await this.quit();
  }

  /** Ends QEMU at once: QMP quit, then SIGKILL of its process group if it lingers. */
  async quit(): Promise<void> {
    const pid = this.pid;
    if (pid === null) return;
    await this.command('quit').catch(() => undefined);
    if (!(await waitGone(pid, this.spec.uuid, 5000))) {
      killGroup(pid);
      await waitGone(pid, this.spec.uuid, 5000);
    }
    this.ended();
  }

  private ended(): void {
    this.qmp?.close();
    this.qmp = null;
    this.pid = null;
    this.state = existsSync(this.files.saved) ? PowerState.SUSPENDED : PowerState.SHUTDOWN;
  }
}
