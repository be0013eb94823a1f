import { Type, type Static } from '@sinclair/typebox';

/**
 * The compute service's bus contract (what reaches one host). Versions:
 *   1: build_and_run_instance, terminate_instance, ping.
 *   2: get_host_uptime.
 * New fields must be optional so that an older host still understands.
 */
export const COMPUTE_VERSION = 2;

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
