import { Type, type Static } from '@sinclair/typebox';
import type { RpcErrorShape } from '../../ops/runtime/index.js';
import { AllocationArgs, AlternateArgs, BuildArgs, FlavorArgs, MoveKind } from '../compute/messages.js';

/**
 * The cell conductor's bus contract: what hosts ask of the only writer of the cell database.
 * Versions:
 *   1: ping, register_host, heartbeat, hosts_down, instance_update, instance_destroy, build_failed.
 *   2: finish_move, move_failed, finish_revert, report_resources.
 *   3: host_instances.
 *   4: finish_move and move_failed for kind evacuation (conductors are upgraded before hosts).
 *   5: build_failed with not_taken: a cast its host did not take (the super-conductor asks), passed
 *      on to the alternates and, with none taking it, left for the caller to hand back, not failed.
 *   6: instance_updates: several hosts' instance_update calls in one message, one result each (a
 *      pool sends its hosts' updates together; a conductor on 5 gets them one by one).
 * New fields must be optional so that an older peer still understands.
 */
export const CONDUCTOR_VERSION = 4;
export const CONDUCTOR_LATEST_VERSION = 6;
/** build_failed's not_taken is sent as 5, so a conductor on 5 still takes it. */
export const BUILD_NOT_TAKEN_VERSION = 5;

export const PingArgs = Type.Object({});
export interface PingResult {
  cell: string;
  pid: number;
  version: number;
}

/** A host's compute node as it reports it: what it has and how far it may be overcommitted. */
export const NodeArgs = Type.Object({
  uuid: Type.String(),
  hypervisor_hostname: Type.String(),
  hypervisor_type: Type.String(),
  vcpus: Type.Integer({ minimum: 0 }),
  memory_mb: Type.Integer({ minimum: 0 }),
  local_gb: Type.Integer({ minimum: 0 }),
  cpu_allocation_ratio: Type.Number(),
  ram_allocation_ratio: Type.Number(),
  disk_allocation_ratio: Type.Number(),
});

/** A host starting: its service record and compute node are created or brought back. */
export const RegisterHostArgs = Type.Object({
  host: Type.String({ minLength: 1, maxLength: 255 }),
  binary: Type.String(),
  topic: Type.String(),
  version: Type.Integer(),
  node: NodeArgs,
});
export type RegisterHostArgs = Static<typeof RegisterHostArgs>;
export interface RegisterHostResult {
  service_uuid: string;
  compute_node_uuid: string;
}

/** The periodic resource report (Nova's update_available_resource): written only when it changed. */
export const ReportResourcesArgs = Type.Object({ host: Type.String({ minLength: 1, maxLength: 255 }), node: NodeArgs });
export type ReportResourcesArgs = Static<typeof ReportResourcesArgs>;

export const HeartbeatArgs = Type.Object({ host: Type.String(), binary: Type.String() });
export type HeartbeatArgs = Static<typeof HeartbeatArgs>;

export const HostsDownArgs = Type.Object({ hosts: Type.Array(Type.String()), binary: Type.String() });
export type HostsDownArgs = Static<typeof HostsDownArgs>;

/** A starting pool asks which instances the cell places on its hosts (Nova's init_host). */
export const HostInstancesArgs = Type.Object({ hosts: Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 1000 }) });
export type HostInstancesArgs = Static<typeof HostInstancesArgs>;
export interface HostInstance {
  uuid: string;
  host: string;
  vm_state: string;
  task_state: string | null;
  power_state: number;
}

const StateList = Type.Array(Type.Union([Type.String(), Type.Null()]));

export const ActionEventArgs = Type.Object({
  action: Type.String(),
  event: Type.String(),
  result: Type.Union([Type.Literal('Success'), Type.Literal('Error'), Type.Null()]),
  details: Type.Optional(Type.String()),
});

export const InstanceUpdateArgs = Type.Object({
  uuid: Type.String(),
  host: Type.String(),
  updates: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()])),
  expected_vm_state: Type.Optional(Type.Array(Type.String())),
  expected_task_state: Type.Optional(StateList),
  /** Recorded in the same transaction: an instance action's event starting (result null) or ending. */
  event: Type.Optional(ActionEventArgs),
  /** Recorded in the same transaction: why the instance went to ERROR. */
  fault: Type.Optional(Type.Object({ code: Type.Integer(), message: Type.String(), details: Type.Optional(Type.String()) })),
});
export type InstanceUpdateArgs = Static<typeof InstanceUpdateArgs>;

/** Several instance updates, each with the request it belongs to. */
export const InstanceUpdatesArgs = Type.Object({
  updates: Type.Array(Type.Composite([InstanceUpdateArgs, Type.Object({ request_id: Type.Optional(Type.String()) })]), { maxItems: 1000 }),
});
export type InstanceUpdatesArgs = Static<typeof InstanceUpdatesArgs>;
/** One result per update, in order: done, or the error instance_update would have raised. */
export interface InstanceUpdatesResult {
  results: ({ ok: true } | { ok: false; error: RpcErrorShape })[];
}

export const InstanceDestroyArgs = Type.Object({ uuid: Type.String(), host: Type.String() });
export type InstanceDestroyArgs = Static<typeof InstanceDestroyArgs>;

export const BuildFailedArgs = Type.Object({
  failed_host: Type.String(),
  reason: Type.String(),
  build: BuildArgs,
  /** The failed host never took the build (v5): no spawn was tried, so running out of alternates is no failure. */
  not_taken: Type.Optional(Type.Boolean()),
});
export type BuildFailedArgs = Static<typeof BuildFailedArgs>;
export type Alternate = Static<typeof AlternateArgs>;

export interface BuildFailedResult {
  /** The host the build went to next, or null: in ERROR, or (not_taken) left for the caller to hand back. */
  rescheduled_to: string | null;
}

/** The destination has the guest: the instance now lives there (resized and waiting for confirm, or moved). */
export const FinishMoveArgs = Type.Object({
  uuid: Type.String(),
  migration_uuid: Type.String(),
  kind: MoveKind,
  host: Type.String(),
  node: Type.String(),
  flavor: FlavorArgs,
  /** The guest was left powered off (an evacuation at 2.95 or later): the instance ends STOPPED. */
  stopped: Type.Optional(Type.Boolean()),
});
export type FinishMoveArgs = Static<typeof FinishMoveArgs>;

/** The destination could not take the instance: it stays where it was, its allocation given back. */
export const MoveFailedArgs = Type.Object({
  uuid: Type.String(),
  migration_uuid: Type.String(),
  kind: MoveKind,
  host: Type.String(),
  reason: Type.String(),
  project_id: Type.String(),
  user_id: Type.String(),
  source_allocation: AllocationArgs,
});
export type MoveFailedArgs = Static<typeof MoveFailedArgs>;

/** The source has the guest back after a reverted resize. */
export const FinishRevertArgs = Type.Object({
  uuid: Type.String(),
  migration_uuid: Type.String(),
  host: Type.String(),
  node: Type.String(),
  flavor: FlavorArgs,
  /** The guest is back powered off (resized while stopped): the instance ends STOPPED. */
  stopped: Type.Optional(Type.Boolean()),
});
export type FinishRevertArgs = Static<typeof FinishRevertArgs>;
