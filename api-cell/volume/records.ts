/** The volume service's records, as its tables hold them (Cinder's fields, trimmed to what is served). */
export interface Volume {
  uuid: string;
  project_id: string;
  user_id: string;
  name: string | null;
  description: string | null;
  size: number;
  status: string;
  attach_status: string;
  availability_zone: string;
  volume_type_uuid: string;
  snapshot_uuid: string | null;
  source_volume_uuid: string | null;
  image_uuid: string | null;
  image_metadata: Record<string, string> | null;
  bootable: boolean;
  multiattach: boolean;
  metadata: Record<string, string>;
  provider_location: string | null;
  created_at: Date;
  updated_at: Date | null;
}

export interface Snapshot {
  uuid: string;
  project_id: string;
  user_id: string;
  volume_uuid: string;
  name: string | null;
  description: string | null;
  size: number;
  status: string;
  metadata: Record<string, string>;
  provider_location: string | null;
  created_at: Date;
  updated_at: Date | null;
}

export interface VolumeType {
  uuid: string;
  name: string;
  description: string | null;
  is_public: boolean;
  extra_specs: Record<string, string>;
}

/** One attachment of a volume to a server (Cinder's v3.27 attachment): reserved, attaching, attached. */
export interface Attachment {
  uuid: string;
  volume_uuid: string;
  project_id: string;
  instance_uuid: string | null;
  attach_status: string;
  attach_mode: string;
  connector: Record<string, unknown> | null;
  mountpoint: string | null;
  attached_host: string | null;
  attach_time: Date | null;
  detach_time: Date | null;
}

/** Who asks: other projects' resources are not found unless the caller is an admin. */
export interface VolumeViewer {
  projectId: string;
  userId: string;
  isAdmin: boolean;
}

const json = <T>(text: string | null, empty: T): T => (text ? (JSON.parse(text) as T) : empty);

export const VOLUME_COLUMNS =
  'uuid, project_id, user_id, name, description, size, status, attach_status, availability_zone, volume_type_uuid, snapshot_uuid, source_volume_uuid, image_uuid, image_metadata, bootable, multiattach, metadata, provider_location, created_at, updated_at';
export type VolumeRow = Omit<Volume, 'image_metadata' | 'metadata' | 'bootable' | 'multiattach'> & {
  image_metadata: string | null;
  metadata: string | null;
  bootable: number;
  multiattach: number;
};
export const toVolume = (row: VolumeRow): Volume => ({
  ...row,
  image_metadata: json<Record<string, string> | null>(row.image_metadata, null),
  metadata: json(row.metadata, {}),
  bootable: Boolean(row.bootable),
  multiattach: Boolean(row.multiattach),
});

export const SNAPSHOT_COLUMNS = 'uuid, project_id, user_id, volume_uuid, name, description, size, status, metadata, provider_location, created_at, updated_at';
export type SnapshotRow = Omit<Snapshot, 'metadata'> & { metadata: string | null };
export const toSnapshot = (row: SnapshotRow): Snapshot => ({ ...row, metadata: json(row.metadata, {}) });

export const TYPE_COLUMNS = 'uuid, name, description, is_public, extra_specs';
export type TypeRow = Omit<VolumeType, 'is_public' | 'extra_specs'> & { is_public: number; extra_specs: string | null };
export const toType = (row: TypeRow): VolumeType => ({ ...row, is_public: Boolean(row.is_public), extra_specs: json(row.extra_specs, {}) });

export const ATTACHMENT_COLUMNS =
  'uuid, volume_uuid, project_id, instance_uuid, attach_status, attach_mode, connector, mountpoint, attached_host, attach_time, detach_time';
export type AttachmentRow = Omit<Attachment, 'connector'> & { connector: string | null };
export const toAttachment = (row: AttachmentRow): Attachment => ({ ...row, connector: json<Record<string, unknown> | null>(row.connector, null) });

/** The default type's name (Cinder's since Train). */
export const DEFAULT_TYPE = '__DEFAULT__';
