import { Type, type Static } from '@sinclair/typebox';

/**
 * The compute service's bus contract (what reaches one host). Versions:
 *   1: build_and_run_instance, terminate_instance, ping.
 *   2: power_action (stop, start, reboot, pause, unpause, suspend, resume), rebuild_instance,
 *      receive_move and revert_move (resize, migrate, live-migrate), release_guest,
 *      get_host_uptime.
 *   3: snapshot_instance, get_console_output, get_diagnostics, trigger_crash_dump, shelve_instance, unshelve_instance,
 *      power_action's rescue, unrescue, unshelve and changePassword, and receive_move's kind evacuation (only
 *      these need 3; the rest is still sent as 2).
 * New fields must be optional so that an older host still understands.
 */
/** What the methods a host on 2 already knows are sent as, so such a host still takes them. */
export const COMPUTE_BASE_VERSION = 2;
/** The newest version: the methods new in it are sent as it, so that a host still on 2 refuses them cleanly. */
export const COMPUTE_LATEST_VERSION = 3;

const Resources = Type.Record(Type.String(), Type.Integer({ minimum: 0 }));

export const FlavorArgs = Type.Object({
  id: Type.Integer(),
  flavorid: Type.String(),
  name: Type.String(),
  vcpus: Type.Integer({ minimum: 0 }),
  memory_mb: Type.Integer({ minimum: 0 }),
  root_gb: Type.Integer({ minimum: 0 }),
  ephemeral_gb: Type.Integer({ minimum: 0 }),
  swap: Type.Integer({ minimum: 0 }),
  extra_specs: Type.Record(Type.String(), Type.String()),
});

export const AlternateArgs = Type.Object({
  host: Type.String(),
  node: Type.String(),
  provider_uuid: Type.String(),
});
export type AlternateArgs = Static<typeof AlternateArgs>;

export const BuildArgs = Type.Object({
  instance: Type.Object({
    uuid: Type.String(),
    project_id: Type.String(),
    user_id: Type.String(),
    display_name: Type.String(),
    image_ref: Type.String(),
    node: Type.String(),
    flavor: FlavorArgs,
  }),
  allocation: Type.Object({ provider_uuid: Type.String(), resources: Resources }),
  /** Other hosts of the same cell to try, in order, if this one fails to spawn. */
  alternates: Type.Array(AlternateArgs),
});
export type BuildArgs = Static<typeof BuildArgs>;

export const TerminateArgs = Type.Object({ instance_uuid: Type.String() });
export type TerminateArgs = Static<typeof TerminateArgs>;

export const PingArgs = Type.Object({});

export const UptimeArgs = Type.Object({});
/** The host's `uptime` line, or null when its hypervisor cannot tell (Nova's get_host_uptime). */
export interface UptimeResult {
  uptime: string | null;
}

export interface BuildAccepted {
  accepted: true;
}
export interface TerminateResult {
  destroyed: boolean;
}

/** Guest power operations, each with the task it runs under and the state it ends in. */
export const PowerOperation = Type.Union([
  Type.Literal('stop'),
  Type.Literal('start'),
  Type.Literal('reboot'),
  Type.Literal('pause'),
  Type.Literal('unpause'),
  Type.Literal('suspend'),
  Type.Literal('resume'),
  Type.Literal('rescue'),
  Type.Literal('unrescue'),
  /** A shelved server not yet offloaded: its guest is still here, powered off. */
  Type.Literal('unshelve'),
  /** Nova's set_admin_password; named as the action is. */
  Type.Literal('changePassword'),
  /** A delete with reclaim_instance_interval set: the guest is powered off and kept (SOFT_DELETED). */
  Type.Literal('softDelete'),
  /** A SOFT_DELETED server brought back: powered on again. */
  Type.Literal('restore'),
]);
export type PowerOperation = Static<typeof PowerOperation>;

export const PowerArgs = Type.Object({
  instance_uuid: Type.String(),
  operation: PowerOperation,
  /** For reboot: HARD (power cycle) rather than SOFT. */
  hard: Type.Optional(Type.Boolean()),
  /** For rescue: the image to boot the rescue system from. */
  image_ref: Type.Optional(Type.String()),
  /** For changePassword: the guest's new root password (never logged). */
  admin_password: Type.Optional(Type.String()),
});
export type PowerArgs = Static<typeof PowerArgs>;

export const RebuildArgs = Type.Object({
  instance: BuildArgs.properties.instance,
});
export type RebuildArgs = Static<typeof RebuildArgs>;

export const MoveKind = Type.Union([Type.Literal('resize'), Type.Literal('migration'), Type.Literal('live-migration'), Type.Literal('evacuation')]);
export type MoveKind = Static<typeof MoveKind>;

/** An allocation as placement holds it: the provider and the amounts. */
export const AllocationArgs = Type.Object({ provider_uuid: Type.String(), resources: Resources });
export type AllocationArgs = Static<typeof AllocationArgs>;

/** To the destination: take the instance over (spawn there, then have the source let go). */
export const ReceiveMoveArgs = Type.Object({
  instance: BuildArgs.properties.instance,
  migration_uuid: Type.String(),
  kind: MoveKind,
  source_host: Type.String(),
  /** What the migration holds on the source, to give back if the move fails. */
  source_allocation: AllocationArgs,
  /** Leave the guest powered off once it runs here (an evacuation at 2.95 or later). */
  power_off: Type.Optional(Type.Boolean()),
});
export type ReceiveMoveArgs = Static<typeof ReceiveMoveArgs>;

/** To the source of a reverted resize: take the instance back. */
export const RevertMoveArgs = Type.Object({
  instance: BuildArgs.properties.instance,
  migration_uuid: Type.String(),
  dest_host: Type.String(),
  /** It was resized while stopped: take it back powered off (optional, so an older host still understands). */
  power_off: Type.Optional(Type.Boolean()),
});
export type RevertMoveArgs = Static<typeof RevertMoveArgs>;

/** Host to host inside a cell: destroy your copy of this guest. */
export const ReleaseGuestArgs = Type.Object({ instance_uuid: Type.String() });
export type ReleaseGuestArgs = Static<typeof ReleaseGuestArgs>;

/** Super-conductor to host: copy this guest's disk into that image (createImage; createBackup with `backup`, optional in 3). */
export const SnapshotArgs = Type.Object({ instance_uuid: Type.String(), image_uuid: Type.String(), backup: Type.Optional(Type.Boolean()) });
export type SnapshotArgs = Static<typeof SnapshotArgs>;

export interface SnapshotResult {
  /** The disk image, base64 (a fake host's images are a few hundred bytes); empty when `uploaded`. */
  data: string;
  /** The host stored the image's data in the image service itself (QEMU hosts: a real disk does not fit a bus message). */
  uploaded?: boolean;
}

export const ConsoleArgs = Type.Object({ instance_uuid: Type.String() });
export type ConsoleArgs = Static<typeof ConsoleArgs>;
/** The guest's console log; `found` is false when the guest is not on this host's hypervisor. */
export interface ConsoleResult {
  found: boolean;
  output: string;
}

/** Super-conductor to host: power the guest off and copy its disk into the shelved image. */
export const ShelveArgs = Type.Object({ instance_uuid: Type.String(), image_uuid: Type.String() });
export type ShelveArgs = Static<typeof ShelveArgs>;

/** Super-conductor to the host the scheduler chose: spawn a shelved-offloaded instance from its image. */
export const UnshelveArgs = Type.Object({ instance: BuildArgs.properties.instance });
export type UnshelveArgs = Static<typeof UnshelveArgs>;
export interface UnshelveResult {
  spawned: true;
}

/** What the host's hypervisor tells of a guest; `found` is false when it has no such guest. */
export interface DiagnosticsResult {
  found: boolean;
  power_state: number;
  uptime_seconds: number;
  cpu_time_ns: number;
  disk_read_bytes: number;
  disk_write_bytes: number;
}

/** Whether the host's hypervisor had the guest to send the NMI to. */
export interface CrashDumpResult {
  found: boolean;
}
