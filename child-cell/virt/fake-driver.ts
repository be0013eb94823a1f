import { setTimeout as delay } from 'node:timers/promises';
import { PowerState } from '../instance/index.js';
import { VirtError, type GuestDiagnostics, type GuestSpec, type HostResources, type VirtDriver } from './driver.js';
import { drawMs, type TimeDistribution } from './durations.js';
import { FakeConsole } from './fake-console.js';

export interface FakeDriverOptions {
  vcpus: number;
  memory_mb: number;
  local_gb: number;
  /** Spawn time and its spread, in ms, drawn from `distribution` (uniform when not given). */
  spawnMs: number;
  spawnJitterMs: number;
  /** Time any other guest action takes and its spread, in ms. */
  actionMs: number;
  actionJitterMs?: number;
  distribution?: TimeDistribution;
  /** Share of spawns that fail, 0 to 1. */
  failureRate: number;
  /** Misbehave on purpose: every spawn fails. */
  failEverySpawn?: boolean;
  random?: () => number;
}

/** A hypervisor that keeps guests in memory: fast, configurable, and able to fail on purpose. */
export class FakeDriver implements VirtDriver {
  readonly hypervisorType = 'fake';
  private readonly states = new Map<string, PowerState>();
  private readonly random: () => number;
  private readonly bootedAt = Date.now();
  private readonly console = new FakeConsole();

  constructor(private readonly options: FakeDriverOptions) {
    this.random = options.random ?? Math.random;
  }

  /** Like `uptime`: the clock, time since this fake hypervisor started, no users, no load. */
  hostUptime(): string {
    const minutes = Math.floor((Date.now() - this.bootedAt) / 60_000);
    const days = Math.floor(minutes / 1440);
    const span = `${days > 0 ? `${days} day${days === 1 ? '' : 's'}, ` : ''}${Math.floor((minutes % 1440) / 60)}:${String(minutes % 60).padStart(2, '0')}`;
    return ` ${new Date().toISOString().slice(11, 19)} up ${span},  0 users,  load average: 0.00, 0.00, 0.00`;
  }

  resources(): HostResources {
    return { vcpus: this.options.vcpus, memory_mb: this.options.memory_mb, local_gb: this.options.local_gb };
  }

  guests(): string[] {
    return [...this.states.keys()];
  }

  powerState(uuid: string): PowerState {
    return this.states.get(uuid) ?? PowerState.NOSTATE;
  }

  /** The fake hypervisor forgets its guests when its process stops; a restarted pool hands them back. */
  adopt(uuid: string, state: PowerState): void {
    this.states.set(uuid, state);
    this.console.adopt(uuid);
  }

  async spawn(guest: GuestSpec): Promise<void> {
    const { spawnMs, spawnJitterMs, distribution = 'uniform' } = this.options;
    const took = drawMs({ ms: spawnMs, jitterMs: spawnJitterMs, distribution }, this.random);
    if (took > 0) await delay(took);
    if (this.options.failEverySpawn || this.random() < this.options.failureRate) {
      throw new VirtError(`fake hypervisor failed to spawn ${guest.uuid}`);
    }
    this.states.set(guest.uuid, PowerState.RUNNING);
    this.console.boot(guest);
  }

  async destroy(uuid: string): Promise<void> {
    await this.act();
    this.states.delete(uuid);
    this.console.forget(uuid);
  }

  async reboot(uuid: string, hard: boolean): Promise<void> {
    await this.transition(uuid, PowerState.RUNNING);
    this.console.restart(uuid, hard ? null : 'Restarting system');
  }

  async powerOff(uuid: string): Promise<void> {
    await this.transition(uuid, PowerState.SHUTDOWN);
    this.console.note(uuid, 'reboot: Power down');
  }

  async powerOn(uuid: string): Promise<void> {
    await this.transition(uuid, PowerState.RUNNING);
    this.console.restart(uuid, null);
  }

  pause(uuid: string): Promise<void> {
    return this.transition(uuid, PowerState.PAUSED);
  }

  unpause(uuid: string): Promise<void> {
    return this.transition(uuid, PowerState.RUNNING);
  }

  async suspend(uuid: string): Promise<void> {
    await this.transition(uuid, PowerState.SUSPENDED);
    this.console.note(uuid, 'PM: suspend entry (deep)');
  }

  async resume(uuid: string): Promise<void> {
    await this.transition(uuid, PowerState.RUNNING);
    this.console.note(uuid, 'PM: suspend exit');
  }

  async rescue(uuid: string, imageRef: string): Promise<void> {
    await this.transition(uuid, PowerState.RUNNING);
    this.console.restart(uuid, 'Power down');
    this.console.note(uuid, `rescue: booted from image ${imageRef}, the instance's disk attached as /dev/vdb`);
  }

  async unrescue(uuid: string): Promise<void> {
    await this.transition(uuid, PowerState.RUNNING);
    this.console.restart(uuid, 'Power down');
  }

  async triggerCrashDump(uuid: string): Promise<void> {
    if (this.states.get(uuid) !== PowerState.RUNNING) throw new VirtError(`guest ${uuid} is not running`);
    this.console.note(uuid, 'Kernel panic - not syncing: NMI: Not continuing');
    this.console.note(uuid, 'kdump: saving vmcore to /var/crash');
    await this.act();
    this.console.restart(uuid, 'Restarting system');
  }

  async setAdminPassword(uuid: string, password: string): Promise<void> {
    await this.act();
    if (this.states.get(uuid) !== PowerState.RUNNING) throw new VirtError(`guest ${uuid} is not running; its password cannot be set`);
    if (password.length === 0) throw new VirtError('an empty password cannot be set');
    this.console.note(uuid, 'qemu-guest-agent: the root password was changed');
  }

  /** Made-up but steady figures: a fake guest idles at 5% of one CPU and reads and writes a little. */
  async diagnostics(uuid: string): Promise<GuestDiagnostics> {
    const uptime = this.console.uptimeSeconds(uuid);
    if (uptime === null || !this.states.has(uuid)) throw new VirtError(`no guest ${uuid} on this fake hypervisor`);
    return { uptimeSeconds: uptime, cpuTimeNs: uptime * 50_000_000, diskReadBytes: 262_144 + uptime * 512, diskWriteBytes: 1_048_576 + uptime * 2048 };
  }

  async consoleOutput(uuid: string): Promise<string> {
    const log = this.console.read(uuid);
    if (log === null) throw new VirtError(`no guest ${uuid} on this fake hypervisor`);
    return log;
  }

  async snapshot(uuid: string): Promise<Buffer> {
    await this.act();
    if (!this.states.has(uuid)) throw new VirtError(`no guest ${uuid} on this fake hypervisor`);
    return Buffer.from(`fake disk image of instance ${uuid}\n`);
  }

  private async transition(uuid: string, to: PowerState): Promise<void> {
    await this.act();
    if (!this.states.has(uuid)) throw new VirtError(`no guest ${uuid} on this fake hypervisor`);
    this.states.set(uuid, to);
  }

  private async act(): Promise<void> {
    const { actionMs, actionJitterMs = 0, distribution = 'uniform' } = this.options;
    const took = drawMs({ ms: actionMs, jitterMs: actionJitterMs, distribution }, this.random);
    if (took > 0) await delay(took);
  }
}
