import type { FlavorSnapshot, Instance } from '../../child-cell/instance/index.js';
import type { Nic } from '../network/index.js';

export interface GroupSpec {
  uuid: string;
  policy: string;
  rules: Record<string, number>;
}

/** What the scheduler needs to place one instance (Nova's RequestSpec). */
export interface RequestSpec {
  instance_uuid: string;
  project_id: string;
  user_id: string;
  flavor: FlavorSnapshot;
  image: { id: string; min_ram: number; min_disk: number; properties: Record<string, string> };
  availability_zone: string | null;
  reservation_id: string;
  num_instances: number;
  min_count: number;
  group: GroupSpec | null;
  scheduler_hints: Record<string, unknown>;
  /** Hosts not to choose again (a reschedule's failed hosts, a move's source). */
  ignore_hosts: string[];
  /** A move stays in the instance's cell. */
  requested_cell?: string;
  /** A move to a named host (migrate and live-migrate with a host), or a boot asking for one (2.74). */
  requested_host?: string;
  /** A boot asking for a hypervisor by its hostname (2.74). */
  requested_node?: string;
  /** The NICs asked for, checked by the API (Nova's requested_networks); ports are made once a host is chosen. */
  requested_networks?: Nic[];
  /** Security group ids for the ports made for it. */
  security_group_ids?: string[];
  request_id: string;
  /** Booted from a volume (Nova's is_bfv): its root disk is a volume, so no host disk is claimed for it. */
  is_bfv?: boolean;
}

export interface Build {
  instance: Instance;
  spec: RequestSpec;
  created_at: Date;
}

export interface InstanceMapping {
  instance_uuid: string;
  cell_id: number | null;
  project_id: string;
  user_id: string;
  queued_for_delete: boolean;
}
