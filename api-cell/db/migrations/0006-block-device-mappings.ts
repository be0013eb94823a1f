import type { QueryInterface } from 'sequelize';
import { column, softDelete, timestamps } from '../../../ops/runtime-db/index.js';

/**
 * A server's volumes (Nova's block device mappings). Nova keeps them in the cell database; here
 * the volume service is global and hosts never read them, so they sit beside the instance
 * mappings in the API database, written by the API when it accepts a server or attaches a volume.
 */
export async function up(qi: QueryInterface): Promise<void> {
  await qi.createTable('block_device_mappings', {
    id: column.id(),
    uuid: column.uuid(),
    instance_uuid: column.uuid(),
    project_id: column.string(false),
    source_type: column.string(false, 20),
    destination_type: column.string(false, 20),
    volume_id: column.uuid(true),
    attachment_id: column.uuid(true),
    boot_index: column.int(true, null),
    device_name: column.string(),
    delete_on_termination: column.bool(),
    volume_size: column.int(true, null),
    tag: column.string(true, 60),
    ...timestamps(),
    ...softDelete(),
  });
  await qi.addIndex('block_device_mappings', ['uuid'], { unique: true, name: 'block_device_mappings_uuid' });
  await qi.addIndex('block_device_mappings', ['instance_uuid', 'deleted'], { name: 'block_device_mappings_instance' });
  await qi.addIndex('block_device_mappings', ['volume_id', 'deleted'], { name: 'block_device_mappings_volume' });
}

export async function down(qi: QueryInterface): Promise<void> {
  await qi.dropTable('block_device_mappings');
}
