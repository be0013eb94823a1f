import type { Build, RequestSpec } from '../../api-cell/builds/index.js';
import { VmState, TaskState, type NewInstance } from '../../child-cell/instance/index.js';

/** The cell row for a build: on a host (BUILD, scheduling) or nowhere (ERROR, for cell0). */
export function newInstance(build: Build, placement: { host: string; node: string; zone: string } | null): NewInstance {
  const i = build.instance;
  return {
    uuid: i.uuid,
    project_id: i.project_id,
    user_id: i.user_id,
    display_name: i.display_name,
    display_description: i.display_description,
    hostname: i.hostname,
    host: placement?.host ?? null,
    node: placement?.node ?? null,
    // The zone of the host it landed on (Nova sets it at scheduling); what was asked is kept apart.
    availability_zone: placement?.zone ?? i.availability_zone,
    pinned_availability_zone: i.availability_zone,
    vm_state: placement ? VmState.BUILDING : VmState.ERROR,
    task_state: placement ? TaskState.SCHEDULING : null,
    flavor: i.flavor,
    image_ref: i.image_ref,
    key_name: i.key_name,
    key_data: i.key_data,
    user_data: i.user_data,
    config_drive: i.config_drive,
    access_ip_v4: i.access_ip_v4,
    access_ip_v6: i.access_ip_v6,
    auto_disk_config: i.auto_disk_config ?? false,
    reservation_id: i.reservation_id,
    launch_index: i.launch_index,
    metadata: i.metadata,
    tags: i.tags,
    created_at: new Date(i.created_at),
  };
}

export function createAction(spec: RequestSpec): { request_id: string; user_id: string; project_id: string } {
  return { request_id: spec.request_id, user_id: spec.user_id, project_id: spec.project_id };
}
