import type { FlavorSnapshot } from '../../child-cell/instance/index.js';

/** A server as the API accepted it, kept in the build request until it exists in a cell. */
export interface BuildInstance {
  uuid: string;
  project_id: string;
  user_id: string;
  display_name: string;
  display_description: string | null;
  hostname: string;
  flavor: FlavorSnapshot;
  image_ref: string;
  availability_zone: string | null;
  metadata: Record<string, string>;
  key_name: string | null;
  key_data: string | null;
  user_data: string | null;
  config_drive: string;
  access_ip_v4: string | null;
  access_ip_v6: string | null;
  /** Absent in build requests written before it existed: MANUAL. */
  auto_disk_config?: boolean;
  reservation_id: string;
  launch_index: number;
  tags: string[];
  locked: boolean;
  created_at: string;
}

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
  request_id: string;
}

export interface Build {
  instance: BuildInstance;
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
