/** A flavor as it was when the instance booted, kept with the instance. */
export interface FlavorSnapshot {
  id: number;
  flavorid: string;
  name: string;
  vcpus: number;
  memory_mb: number;
  root_gb: number;
  ephemeral_gb: number;
  swap: number;
  extra_specs: Record<string, string>;
}

/** An instance as a cell database holds it (the columns a reader needs). */
export interface InstanceRecord {
  id: number;
  uuid: string;
  project_id: string;
  user_id: string;
  display_name: string | null;
  display_description: string | null;
  hostname: string | null;
  host: string | null;
  node: string | null;
  availability_zone: string | null;
  vm_state: string;
  task_state: string | null;
  power_state: number;
  flavor: FlavorSnapshot;
  image_ref: string | null;
  key_name: string | null;
  reservation_id: string | null;
  launch_index: number;
  locked: boolean;
  locked_by: string | null;
  locked_reason: string | null;
  progress: number;
  access_ip_v4: string | null;
  access_ip_v6: string | null;
  config_drive: string | null;
  user_data: string | null;
  launched_at: Date | null;
  terminated_at: Date | null;
  created_at: Date;
  updated_at: Date | null;
  deleted_at: Date | null;
  deleted: number;
  /** The zone the request asked for; availability_zone is the zone of the host. */
  pinned_availability_zone: string | null;
  /** OS-DCF:diskConfig AUTO. */
  auto_disk_config: boolean;
}

export interface InstanceFault {
  code: number;
  message: string;
  details: string | null;
  created_at: Date;
}
