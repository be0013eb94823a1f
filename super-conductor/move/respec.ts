import type { RequestSpec } from '../../api-cell/builds/index.js';
import type { CellMapping } from '../../api-cell/cells/index.js';
import type { ApiDatabase } from '../../api-cell/db/index.js';
import { groupSpecOf } from '../../api-cell/groups/index.js';
import type { InstanceDetail } from '../../child-cell/db/index.js';
import type { FlavorSnapshot } from '../../child-cell/instance/index.js';

export interface RespecOptions {
  flavor: FlavorSnapshot;
  /** The zone to land in; null for any. */
  zone: string | null;
  /** Hosts it must not land on (the one it leaves, destinations found gone). */
  ignoreHosts: string[];
  /** A host the caller named. */
  host: string | null;
  requestId: string;
}

/**
 * The request spec for scheduling an existing instance again inside its own cell (a move, an
 * unshelve): its server group's policy holds as it did at boot.
 */
export async function respecOf(api: ApiDatabase, cell: CellMapping, instance: InstanceDetail, o: RespecOptions): Promise<RequestSpec> {
  return {
    instance_uuid: instance.uuid,
    project_id: instance.project_id,
    user_id: instance.user_id,
    flavor: o.flavor,
    image: { id: instance.image_ref ?? '', min_ram: 0, min_disk: 0, properties: {} },
    availability_zone: o.zone,
    reservation_id: instance.reservation_id ?? '',
    num_instances: 1,
    min_count: 1,
    group: await groupSpecOf(api, instance.uuid),
    scheduler_hints: {},
    ignore_hosts: o.ignoreHosts,
    request_id: o.requestId,
    requested_cell: cell.uuid,
    ...(o.host ? { requested_host: o.host } : {}),
  };
}
