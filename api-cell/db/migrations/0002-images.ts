import type { QueryInterface } from 'sequelize';
import { column, softDelete, timestamps } from '../../../ops/runtime-db/index.js';

/**
 * The image registry (a Glance v2 subset: what `imageRef` and `openstack image list` resolve
 * against), and an index for incremental host-state refreshes.
 */
export async function up(qi: QueryInterface): Promise<void> {
  // Host-state caches read only the providers changed since their last look.
  await qi.addIndex('resource_providers', ['updated_at'], { name: 'resource_providers_updated' });
  await qi.createTable('images', {
    id: column.id(),
    uuid: column.uuid(),
    name: column.string(),
    status: column.string(false, 30),
    visibility: { ...column.string(false, 20), defaultValue: 'public' },
    owner: column.string(),
    disk_format: column.string(true, 20),
    container_format: column.string(true, 20),
    size: column.bigint(true),
    checksum: column.string(true, 64),
    min_disk: column.int(),
    min_ram: column.int(),
    protected: column.bool(),
    properties: column.text(),
    ...timestamps(),
    ...softDelete(),
  });
  await qi.addIndex('images', ['uuid'], { unique: true, name: 'images_uuid' });
  await qi.addIndex('images', ['name', 'deleted'], { name: 'images_name' });
  await qi.addIndex('images', ['owner', 'deleted'], { name: 'images_owner' });
}

export async function down(qi: QueryInterface): Promise<void> {
  await qi.dropTable('images');
  await qi.removeIndex('resource_providers', 'resource_providers_updated');
}
