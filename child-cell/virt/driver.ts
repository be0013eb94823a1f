import type { PowerState } from '../instance/index.js';

/** What a hypervisor is asked to run. */
export interface GuestSpec {
  uuid: string;
  name: string;
  vcpus: number;
  memory_mb: number;
  disk_gb: number;
  image_ref: string;
}

export interface GuestDiagnostics {
  uptimeSeconds: number;
  /** CPU time the guest has used, in nanoseconds. */
  cpuTimeNs: number;
  diskReadBytes: number;
  diskWriteBytes: number;
}

export interface HostResources {
  vcpus: number;
  memory_mb: number;
  local_gb: number;
}

/** The virt-driver interface (Nova's nova/virt/driver.py, the part cellstack uses). */
export interface VirtDriver {
  readonly hypervisorType: string;
  /** Finds what the hypervisor already runs (Nova's init_host), before the host registers. */
  init?(): Promise<void>;
  /** Lets go of the hypervisor when the host stops; its guests keep running. */
  close?(): void;
  resources(): HostResources;
  /** Guests the hypervisor has, by instance uuid. */
  guests(): string[];
  powerState(uuid: string): PowerState;
  spawn(guest: GuestSpec): Promise<void>;
  destroy(uuid: string): Promise<void>;
  reboot(uuid: string, hard: boolean): Promise<void>;
  powerOff(uuid: string): Promise<void>;
  powerOn(uuid: string): Promise<void>;
  pause(uuid: string): Promise<void>;
  unpause(uuid: string): Promise<void>;
  suspend(uuid: string): Promise<void>;
  resume(uuid: string): Promise<void>;
  /** Boots the guest from a rescue image with its own disk attached; unrescue boots it from its disk again. */
  rescue(uuid: string, imageRef: string): Promise<void>;
  unrescue(uuid: string): Promise<void>;
  /** Sends the guest an NMI so that its kernel dumps its memory and restarts (Nova's trigger_crash_dump). */
  triggerCrashDump(uuid: string): Promise<void>;
  /** Sets the root password inside a running guest (Nova's set_admin_password). */
  setAdminPassword(uuid: string, password: string): Promise<void>;
  /** What the hypervisor can tell of a guest (Nova's get_instance_diagnostics). */
  diagnostics(uuid: string): Promise<GuestDiagnostics>;
  /** Everything the guest has written to its serial console that the hypervisor kept. */
  consoleOutput(uuid: string): Promise<string>;
  /** A copy of the guest's disk, as an image to upload. */
  snapshot(uuid: string): Promise<Buffer>;
  /**
   * Copies the guest's disk into image `imageUuid` of the image service itself (a real disk is too
   * big to travel back on the bus); drivers without it answer `snapshot` instead. Returns its bytes.
   */
  uploadSnapshot?(uuid: string, imageUuid: string): Promise<number>;
  /**
   * Takes back a guest the cell says runs here, after the compute service restarted while the
   * hypervisor kept running (a driver that can list its guests does not need this).
   */
  adopt?(uuid: string, state: PowerState): void;
  /** The host's `uptime` line; drivers that cannot tell leave it out (Nova's get_host_uptime). */
  hostUptime?(): string;
}

/** Raised by a driver when the hypervisor could not do what it was asked. */
export class VirtError extends Error {
  override name = 'VirtError';
}
