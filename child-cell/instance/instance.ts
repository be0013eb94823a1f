import type { BuildArgs } from '../compute/messages.js';
import type { FlavorSnapshot, InstanceRecord } from './record.js';
import { TaskState, VmState } from './states.js';

/**
 * The version of the Instance shape (Nova's versioned Instance object). Build requests keep an
 * Instance as JSON for as long as a build waits, so a reader may meet an older one:
 * readInstance brings it up to date. Bump it when a field is added, with its default there.
 *   1: the first shape (no version field).
 *   2: auto_disk_config (OS-DCF:diskConfig).
 */
export const INSTANCE_VERSION = 2;

/**
 * A server as the API accepted it: the one shape of a boot's data. The API builds it
 * (api-cell/compute/create.ts) and keeps it in the build request; the super-conductor writes it
 * to a cell (instanceRow), takes it back from the cell when a build is handed back
 * (instanceFromRow) and sends its host the part a host needs (buildMessage).
 */
export interface Instance {
  version: number;
  uuid: string;
  project_id: string;
  user_id: string;
  display_name: string;
  display_description: string | null;
  hostname: string;
  flavor: FlavorSnapshot;
  image_ref: string;
  /** The zone the request asked for (the cell row keeps it as pinned_availability_zone). */
  availability_zone: string | null;
  metadata: Record<string, string>;
  key_name: string | null;
  key_data: string | null;
  user_data: string | null;
  config_drive: string;
  access_ip_v4: string | null;
  access_ip_v6: string | null;
  auto_disk_config: boolean;
  reservation_id: string;
  launch_index: number;
  tags: string[];
  locked: boolean;
  /** ISO 8601: the instance travels as JSON. */
  created_at: string;
}

/** Where the scheduler put it: a host, its node and the host's zone. */
export interface Placed {
  host: string;
  node: string;
  zone: string;
}

/** What the super-conductor writes to create an instance in a cell: the instance and where it went. */
export type NewInstance = Omit<Instance, 'version' | 'locked' | 'created_at'> & {
  host: string | null;
  node: string | null;
  pinned_availability_zone: string | null;
  vm_state: string;
  task_state: string | null;
  created_at: Date;
};

/** An Instance read from JSON written by any version. */
export function readInstance(json: string): Instance {
  const stored = JSON.parse(json) as Partial<Instance> & Omit<Instance, 'version' | 'auto_disk_config'>;
  return { ...stored, version: INSTANCE_VERSION, auto_disk_config: stored.auto_disk_config ?? false };
}

/** The cell row: on a host (BUILD, scheduling) or nowhere (ERROR, for cell0). */
export function instanceRow(i: Instance, placed: Placed | null): NewInstance {
  const { version: _version, locked: _locked, ...fields } = i;
  return {
    ...fields,
    host: placed?.host ?? null,
    node: placed?.node ?? null,
    // The zone of the host it landed on (Nova sets it at scheduling); what was asked is kept apart.
    availability_zone: placed?.zone ?? i.availability_zone,
    pinned_availability_zone: i.availability_zone,
    vm_state: placed ? VmState.BUILDING : VmState.ERROR,
    task_state: placed ? TaskState.SCHEDULING : null,
    created_at: new Date(i.created_at),
  };
}

/** A cell row as read back for a hand-back, with what the row keeps beside the instance. */
export type InstanceRowRead = InstanceRecord & { metadata: Record<string, string>; tags: string[]; key_data: string | null };

/** The accepted server again, from its cell row: what the API wrote into the build request. */
export function instanceFromRow(row: InstanceRowRead): Instance {
  return {
    version: INSTANCE_VERSION,
    uuid: row.uuid,
    project_id: row.project_id,
    user_id: row.user_id,
    display_name: row.display_name ?? row.uuid,
    display_description: row.display_description,
    hostname: row.hostname ?? '',
    flavor: row.flavor,
    image_ref: row.image_ref ?? '',
    availability_zone: row.pinned_availability_zone,
    metadata: row.metadata,
    key_name: row.key_name,
    key_data: row.key_data,
    user_data: row.user_data,
    config_drive: row.config_drive ?? '',
    access_ip_v4: row.access_ip_v4,
    access_ip_v6: row.access_ip_v6,
    auto_disk_config: row.auto_disk_config,
    reservation_id: row.reservation_id ?? row.uuid,
    launch_index: row.launch_index,
    tags: row.tags,
    locked: row.locked,
    created_at: new Date(row.created_at).toISOString(),
  };
}

/** The part of an instance a build cast carries (a stalled cell row has it too). */
export type BuildSubject = Pick<Instance, 'uuid' | 'project_id' | 'user_id' | 'flavor'> & { display_name: string | null; image_ref: string | null };

/** The instance as its host is sent it in build_and_run_instance. */
export function buildMessage(i: BuildSubject, node: string): BuildArgs['instance'] {
  return {
    uuid: i.uuid,
    project_id: i.project_id,
    user_id: i.user_id,
    display_name: i.display_name ?? i.uuid,
    image_ref: i.image_ref ?? '',
    node,
    flavor: i.flavor,
  };
}
