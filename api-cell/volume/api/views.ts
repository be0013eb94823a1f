import type { Microversion } from '../../http/microversion.js';
import { atLeast } from '../../http/microversion.js';
import type { Attachment, Snapshot, Volume, VolumeType } from '../records.js';
import { connectionInfo } from '../attach.js';

export interface ViewContext {
  version: Microversion;
  isAdmin: boolean;
  /** The volume endpoint, `<public>/volume/v3`. */
  base: string;
  types: Map<string, VolumeType>;
}

/** Cinder's timestamps: UTC with microseconds and no zone, "2026-12-06T20:10:01.000000". */
const cinderTime = (value: Date | null): string | null => (value ? new Date(value).toISOString().replace(/\.(\d{3})Z$/, '.$1000') : null);

const links = (base: string, project: string, collection: string, id: string) => [
  { rel: 'self', href: `${base}/${project}/${collection}/${id}` },
  { rel: 'bookmark', href: `${base.replace(/\/v3$/, '')}/${project}/${collection}/${id}` },
];

/** A volume's attachment as the volume view lists it (attached ones only, as Cinder). */
const volumeAttachment = (a: Attachment) => ({
  id: a.volume_uuid,
  attachment_id: a.uuid,
  volume_id: a.volume_uuid,
  server_id: a.instance_uuid,
  host_name: a.attached_host,
  device: a.mountpoint,
  attached_at: cinderTime(a.attach_time),
});

export function volumeView(v: Volume, attachments: Attachment[], c: ViewContext): Record<string, unknown> {
  const type = c.types.get(v.volume_type_uuid);
  const view: Record<string, unknown> = {
    id: v.uuid,
    name: v.name,
    description: v.description,
    status: v.status,
    size: v.size,
    availability_zone: v.availability_zone,
    created_at: cinderTime(v.created_at),
    updated_at: cinderTime(v.updated_at),
    attachments: attachments.filter((a) => a.volume_uuid === v.uuid && a.attach_status === 'attached').map(volumeAttachment),
    bootable: String(v.bootable),
    encrypted: false,
    multiattach: v.multiattach,
    metadata: v.metadata,
    snapshot_id: v.snapshot_uuid,
    source_volid: v.source_volume_uuid,
    user_id: v.user_id,
    volume_type: type?.name ?? null,
    replication_status: null,
    consistencygroup_id: null,
    migration_status: null,
    links: links(c.base, v.project_id, 'volumes', v.uuid),
    'os-vol-tenant-attr:tenant_id': v.project_id,
  };
  if (v.image_metadata) view['volume_image_metadata'] = v.image_metadata;
  if (c.isAdmin) {
    view['os-vol-host-attr:host'] = 'cellstack@file#file';
    view['os-vol-mig-status-attr:migstat'] = null;
    view['os-vol-mig-status-attr:name_id'] = null;
  }
  if (atLeast(c.version, '3.13')) view['group_id'] = null;
  if (atLeast(c.version, '3.21') && c.isAdmin) view['provider_id'] = null;
  if (atLeast(c.version, '3.48')) {
    view['service_uuid'] = null;
    view['shared_targets'] = false;
  }
  if (atLeast(c.version, '3.61') && c.isAdmin) view['cluster_name'] = null;
  if (atLeast(c.version, '3.63')) view['volume_type_id'] = v.volume_type_uuid;
  if (atLeast(c.version, '3.65')) view['consumes_quota'] = true;
  return view;
}

/** Keys Cinder adds to show and detail only (its extensions): a create answers without them. */
const SHOW_ONLY = ['os-vol-tenant-attr:tenant_id', 'os-vol-host-attr:host', 'os-vol-mig-status-attr:migstat', 'os-vol-mig-status-attr:name_id', 'volume_image_metadata'];

export function createdVolumeView(v: Volume, c: ViewContext): Record<string, unknown> {
  return Object.fromEntries(Object.entries(volumeView(v, [], c)).filter(([k]) => !SHOW_ONLY.includes(k)));
}

export const volumeSummary = (v: Volume, c: ViewContext) => ({ id: v.uuid, name: v.name, links: links(c.base, v.project_id, 'volumes', v.uuid) });

export function snapshotView(s: Snapshot, c: ViewContext, detail = true): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: s.uuid,
    name: s.name,
    description: s.description,
    status: s.status,
    size: s.size,
    volume_id: s.volume_uuid,
    created_at: cinderTime(s.created_at),
    updated_at: cinderTime(s.updated_at),
    metadata: s.metadata,
  };
  if (detail) {
    view['os-extended-snapshot-attributes:progress'] = s.status === 'available' ? '100%' : '0%';
    view['os-extended-snapshot-attributes:project_id'] = s.project_id;
  }
  if (atLeast(c.version, '3.14')) view['group_snapshot_id'] = null;
  if (atLeast(c.version, '3.41')) view['user_id'] = s.user_id;
  if (atLeast(c.version, '3.65')) view['consumes_quota'] = true;
  return view;
}

/** A volume type; the answer to its create has no qos_specs_id, to its update not the access key either (Cinder's views). */
export function typeView(t: VolumeType, isAdmin: boolean, answering: 'show' | 'create' | 'update' = 'show'): Record<string, unknown> {
  const view: Record<string, unknown> = { id: t.uuid, name: t.name, description: t.description, is_public: t.is_public };
  if (answering !== 'update') view['os-volume-type-access:is_public'] = t.is_public;
  if (answering === 'show') view['qos_specs_id'] = null;
  if (isAdmin) view['extra_specs'] = t.extra_specs;
  return view;
}

export const attachmentSummary = (a: Attachment) => ({ id: a.uuid, status: a.attach_status, instance: a.instance_uuid, volume_id: a.volume_uuid });

export function attachmentView(a: Attachment, volume: Volume | undefined): Record<string, unknown> {
  return {
    ...attachmentSummary(a),
    attached_at: cinderTime(a.attach_time),
    detached_at: cinderTime(a.detach_time),
    attach_mode: a.attach_mode,
    connection_info: a.connector && volume ? connectionInfo(volume, a) : {},
  };
}
