import { randomUUID } from 'node:crypto';
import type { QueryInterface } from 'sequelize';
import { column, softDelete, timestamps } from '../../../../ops/runtime-db/index.js';

/** The volume service's own schema: volumes, snapshots, types, attachments, quotas (Cinder's tables, trimmed). */
export async function up(qi: QueryInterface): Promise<void> {
  await qi.createTable('volume_types', {
    id: column.id(),
    uuid: column.uuid(),
    name: column.string(false),
    description: column.string(),
    is_public: column.bool(true),
    extra_specs: column.text(),
    ...timestamps(),
    ...softDelete(),
  });
  await qi.addIndex('volume_types', ['uuid'], { unique: true, name: 'volume_types_uuid' });
  await qi.addIndex('volume_types', ['name', 'deleted'], { unique: true, name: 'volume_types_name' });
  await qi.createTable('volumes', {
    id: column.id(),
    uuid: column.uuid(),
    project_id: column.string(false),
    user_id: column.string(false),
    name: column.string(),
    description: column.string(),
    size: column.int(),
    status: column.string(false, 30),
    attach_status: { ...column.string(false, 30), defaultValue: 'detached' },
    availability_zone: column.string(false),
    volume_type_uuid: column.uuid(),
    snapshot_uuid: column.uuid(true),
    source_volume_uuid: column.uuid(true),
    image_uuid: column.uuid(true),
    image_metadata: column.text(),
    bootable: column.bool(),
    multiattach: column.bool(),
    metadata: column.text(),
    /** Where the volume's file is, relative to the backend directory. */
    provider_location: column.string(),
    ...timestamps(),
    ...softDelete(),
  });
  await qi.addIndex('volumes', ['uuid'], { unique: true, name: 'volumes_uuid' });
  await qi.addIndex('volumes', ['project_id', 'deleted'], { name: 'volumes_project' });
  await qi.createTable('snapshots', {
    id: column.id(),
    uuid: column.uuid(),
    project_id: column.string(false),
    user_id: column.string(false),
    volume_uuid: column.uuid(),
    name: column.string(),
    description: column.string(),
    size: column.int(),
    status: column.string(false, 30),
    metadata: column.text(),
    provider_location: column.string(),
    ...timestamps(),
    ...softDelete(),
  });
  await qi.addIndex('snapshots', ['uuid'], { unique: true, name: 'snapshots_uuid' });
  await qi.addIndex('snapshots', ['project_id', 'deleted'], { name: 'snapshots_project' });
  await qi.addIndex('snapshots', ['volume_uuid', 'deleted'], { name: 'snapshots_volume' });
  await qi.createTable('volume_attachments', {
    id: column.id(),
    uuid: column.uuid(),
    volume_uuid: column.uuid(),
    project_id: column.string(false),
    instance_uuid: column.uuid(true),
    attach_status: column.string(false, 30),
    attach_mode: { ...column.string(false, 10), defaultValue: 'rw' },
    connector: column.text(),
    mountpoint: column.string(),
    attached_host: column.string(),
    attach_time: column.time(),
    detach_time: column.time(),
    ...timestamps(),
    ...softDelete(),
  });
  await qi.addIndex('volume_attachments', ['uuid'], { unique: true, name: 'volume_attachments_uuid' });
  await qi.addIndex('volume_attachments', ['volume_uuid', 'deleted'], { name: 'volume_attachments_volume' });
  await qi.addIndex('volume_attachments', ['instance_uuid', 'deleted'], { name: 'volume_attachments_instance' });
  await qi.createTable('volume_quotas', {
    id: column.id(),
    project_id: column.string(false),
    resource: column.string(false),
    hard_limit: column.int(),
    ...timestamps(),
  });
  await qi.addIndex('volume_quotas', ['project_id', 'resource'], { unique: true, name: 'volume_quotas_project' });
  // One row per project that creates something: held FOR UPDATE while its usage is counted.
  await qi.createTable('volume_quota_locks', { project_id: { ...column.string(false), primaryKey: true } });
  // Cinder's default type since Train: every volume created without a type gets it.
  await qi.bulkInsert('volume_types', [{ uuid: randomUUID(), name: '__DEFAULT__', description: 'Default Volume Type', is_public: true, extra_specs: '{}' }]);
}

export async function down(qi: QueryInterface): Promise<void> {
  for (const table of ['volume_quota_locks', 'volume_quotas', 'volume_attachments', 'snapshots', 'volumes', 'volume_types']) await qi.dropTable(table);
}
