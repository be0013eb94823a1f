import { createHash } from 'node:crypto';
import { serverStatus, type FlavorSnapshot } from '../../../child-cell/instance/index.js';
import type { ServerRecord } from '../../compute/records.js';
import type { RequestContext } from '../../context.js';
import { addressesOf, securityGroupsOf } from '../../network/index.js';
import { atLeast, type Microversion } from '../microversion.js';
import { isoTime, links } from './links.js';

export interface ViewOptions {
  publicUrl: string;
  context: RequestContext;
  version: Microversion;
}

const faultStatuses = new Set(['ERROR', 'DELETED']);
const progressStatuses = new Set(['ACTIVE', 'BUILD', 'REBUILD', 'RESIZE', 'VERIFY_RESIZE', 'MIGRATING']);

/** Nova's hostId: the host hashed with the project, so projects cannot map each other's hosts. */
function hostId(projectId: string, host: string | null): string {
  if (!host) return '';
  const key = `${projectId}${host}`;
  let id = hostIds.get(key);
  if (id === undefined) {
    id = createHash('sha224').update(key).digest('hex');
    if (hostIds.size >= 100_000) hostIds.clear();
    hostIds.set(key, id);
  }
  return id;
}

/** Hashes already made: a page of a thousand servers often sits on far fewer hosts. */
const hostIds = new Map<string, string>();

/** Python's isoformat of a naive datetime with microseconds, as Nova prints launch times. */
const pythonTime = (value: Date | null): string | null => (value ? value.toISOString().replace('Z', '000').replace(/(\.\d{6})\d*$/, '$1') : null);

function flavorView(flavor: FlavorSnapshot, o: ViewOptions): Record<string, unknown> {
  if (atLeast(o.version, '2.47')) {
    return {
      vcpus: flavor.vcpus,
      ram: flavor.memory_mb,
      disk: flavor.root_gb,
      ephemeral: flavor.ephemeral_gb,
      swap: flavor.swap,
      original_name: flavor.name,
      extra_specs: flavor.extra_specs,
    };
  }
  return { id: flavor.flavorid, links: [{ rel: 'bookmark', href: `${o.publicUrl}/flavors/${flavor.flavorid}` }] };
}

/** Image properties Nova's server view shows (2.98): its ImageMetaProps fields, by prefix, and their older names. */
const imageMetaProp = /^(hw_|img_|os_|traits_required$|architecture$|owner_id$|vmware_|xenapi_|auto_disk_config$|ipxe_boot$|cache_in_nova$|vm_mode$|bittorrent$|mappings$|block_device_mapping$|bdm_v2$|root_device_name$|hypervisor_version_requires$|hypervisor_type$)/;

function imageView(imageRef: string | null, o: ViewOptions, properties?: Record<string, string>): Record<string, unknown> | string {
  if (!imageRef) return '';
  const view: Record<string, unknown> = { id: imageRef, links: [{ rel: 'bookmark', href: `${o.publicUrl}/images/${imageRef}` }] };
  if (atLeast(o.version, '2.98')) {
    view['properties'] = Object.fromEntries(Object.entries(properties ?? {}).filter(([key, value]) => imageMetaProp.test(key) && value !== null));
  }
  return view;
}

/** GET /servers (no detail): id, name, links. */
export function serverBasic(record: ServerRecord, o: ViewOptions): Record<string, unknown> {
  if (record.source === 'down') return { id: record.partial.uuid, status: 'UNKNOWN', links: links(o.publicUrl, 'servers', record.partial.uuid) };
  return { id: record.instance.uuid, name: record.instance.display_name, links: links(o.publicUrl, 'servers', record.instance.uuid) };
}

/**
 * Which answer a server view is for: GET /servers/{id}, an entry of GET /servers/detail, or the
 * answer to PUT /servers/{id} or a rebuild, which before 2.75 show less.
 */
export type ServerForm = 'show' | 'detail' | 'update' | 'rebuild';

/** What the update and rebuild answers leave out before 2.75 (Nova's show view without its extensions). */
const extensionKey = /^(OS-EXT-(AZ|SRV-ATTR|STS):|OS-SRV-USG:|os-extended-volumes:|config_drive$|key_name$|host_status$|security_groups$)/;

/**
 * One server as Nova shows it at the request's microversion, from its build request, its cell
 * row, or (2.69+, cell down) what the API database knows. The detail form leaves server_groups
 * out as Nova does; the update and rebuild forms are smaller before 2.75, and a rebuild's
 * answer carries key_name from 2.54 and user_data from 2.57.
 */
export function serverView(record: ServerRecord, o: ViewOptions, form: ServerForm = 'show'): Record<string, unknown> {
  const view = fullView(record, o, form === 'detail');
  if (form !== 'update' && form !== 'rebuild') return view;
  const modern = atLeast(o.version, '2.75');
  if (!modern) {
    for (const key of Object.keys(view)) {
      if (extensionKey.test(key) && !(form === 'rebuild' && key === 'key_name' && atLeast(o.version, '2.54'))) delete view[key];
    }
  }
  if (form === 'rebuild' && atLeast(o.version, '2.57')) {
    delete view['OS-EXT-SRV-ATTR:user_data'];
    view['user_data'] = record.source === 'down' ? null : record.instance.user_data;
  }
  return view;
}

function fullView(record: ServerRecord, o: ViewOptions, detail: boolean): Record<string, unknown> {
  if (record.source === 'down') return downView(record, o, detail);
  const admin = o.context.isAdmin;
  const fromBuild = record.source === 'build';
  const i = record.instance;
  const created = fromBuild ? record.created : record.instance.created_at;
  const vmState = fromBuild ? 'building' : record.instance.vm_state;
  const taskState = fromBuild ? 'scheduling' : record.instance.task_state;
  const status = !fromBuild && record.instance.deleted ? 'DELETED' : serverStatus(vmState, taskState);
  const host = fromBuild ? null : record.instance.host;
  const node = fromBuild ? null : record.instance.node;
  const view: Record<string, unknown> = {
    id: i.uuid,
    name: i.display_name,
    status,
    tenant_id: i.project_id,
    user_id: i.user_id,
    metadata: i.metadata,
    hostId: hostId(i.project_id, host),
    image: imageView(i.image_ref, o, record.extras?.imageProperties),
    flavor: flavorView(i.flavor, o),
    created: isoTime(created),
    updated: isoTime(fromBuild ? created : record.instance.updated_at ?? created),
    addresses: addressesOf(record.extras?.interfaces ?? []),
    accessIPv4: i.access_ip_v4 ?? '',
    accessIPv6: i.access_ip_v6 ?? '',
    links: links(o.publicUrl, 'servers', i.uuid),
    'OS-DCF:diskConfig': i.auto_disk_config ? 'AUTO' : 'MANUAL',
  };
  if (!fromBuild && faultStatuses.has(status) && record.instance.fault) {
    const f = record.instance.fault;
    view['fault'] = { code: f.code, created: isoTime(f.created_at), message: f.message, ...(f.details && (admin || f.code !== 500) ? { details: f.details } : {}) };
  }
  if (progressStatuses.has(status)) view['progress'] = fromBuild ? 0 : record.instance.progress;
  view['OS-EXT-AZ:availability_zone'] = i.availability_zone ?? '';
  view['config_drive'] = i.config_drive ?? '';
  view['key_name'] = i.key_name;
  view['OS-SRV-USG:launched_at'] = fromBuild ? null : pythonTime(record.instance.launched_at);
  view['OS-SRV-USG:terminated_at'] = fromBuild ? null : pythonTime(record.instance.terminated_at);
  if (admin) {
    view['OS-EXT-SRV-ATTR:host'] = host;
    view['OS-EXT-SRV-ATTR:instance_name'] = fromBuild ? '' : `instance-${record.instance.id.toString(16).padStart(8, '0')}`;
    view['OS-EXT-SRV-ATTR:hypervisor_hostname'] = node;
    if (atLeast(o.version, '2.3')) {
      view['OS-EXT-SRV-ATTR:hostname'] = i.hostname;
      view['OS-EXT-SRV-ATTR:kernel_id'] = '';
      view['OS-EXT-SRV-ATTR:launch_index'] = i.launch_index;
      view['OS-EXT-SRV-ATTR:ramdisk_id'] = '';
      view['OS-EXT-SRV-ATTR:reservation_id'] = i.reservation_id;
      view['OS-EXT-SRV-ATTR:root_device_name'] = fromBuild ? null : '/dev/vda';
      view['OS-EXT-SRV-ATTR:user_data'] = i.user_data;
    }
  }
  view['OS-EXT-STS:task_state'] = taskState;
  view['OS-EXT-STS:vm_state'] = vmState;
  view['OS-EXT-STS:power_state'] = fromBuild ? 0 : record.instance.power_state;
  const groups = securityGroupsOf(record.extras?.interfaces ?? []);
  if (groups.length > 0) view['security_groups'] = groups;
  view['os-extended-volumes:volumes_attached'] = (record.extras?.volumesAttached ?? []).map((v) => (atLeast(o.version, '2.3') ? v : { id: v.id }));
  if (atLeast(o.version, '2.9')) view['locked'] = i.locked;
  if (atLeast(o.version, '2.16') && admin) view['host_status'] = record.extras?.hostStatus ?? '';
  if (atLeast(o.version, '2.19')) view['description'] = i.display_description;
  if (atLeast(o.version, '2.26')) view['tags'] = i.tags;
  if (atLeast(o.version, '2.63')) view['trusted_image_certificates'] = null;
  if (atLeast(o.version, '2.71') && !detail) view['server_groups'] = record.extras?.serverGroups ?? [];
  if (atLeast(o.version, '2.73')) view['locked_reason'] = fromBuild ? null : record.instance.locked_reason;
  if (atLeast(o.version, '2.90') && !admin) view['OS-EXT-SRV-ATTR:hostname'] = i.hostname;
  if (atLeast(o.version, '2.96')) view['pinned_availability_zone'] = fromBuild ? i.availability_zone : record.instance.pinned_availability_zone;
  if (atLeast(o.version, '2.100')) view['scheduler_hints'] = record.extras?.schedulerHints ?? {};
  return view;
}

/** A server in a cell that does not answer (2.69+): what the API database knows, status UNKNOWN. */
function downView(record: Extract<ServerRecord, { source: 'down' }>, o: ViewOptions, detail: boolean): Record<string, unknown> {
  const p = record.partial;
  const view: Record<string, unknown> = {
    id: p.uuid,
    status: 'UNKNOWN',
    tenant_id: p.project_id,
    created: isoTime(p.created_at),
    links: links(o.publicUrl, 'servers', p.uuid),
  };
  if (detail) return view;
  if (p.flavor) view['flavor'] = flavorView(p.flavor, o);
  view['image'] = imageView(p.image_ref, o);
  view['OS-EXT-AZ:availability_zone'] = p.availability_zone ?? 'UNKNOWN';
  view['OS-EXT-STS:power_state'] = 0;
  view['user_id'] = p.user_id ?? 'UNKNOWN';
  if (atLeast(o.version, '2.71')) view['server_groups'] = record.extras?.serverGroups ?? [];
  return view;
}
