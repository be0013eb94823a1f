import { DataTypes, type QueryInterface } from 'sequelize';
import { column, dropColumns, timestamps } from '../../../ops/runtime-db/index.js';

/** Image tags, hashes, hidden flag and the uploaded bytes of small images (the image registry's own store). */
export async function up(qi: QueryInterface): Promise<void> {
  await qi.addColumn('images', 'tags', column.text());
  await qi.addColumn('images', 'os_hash_value', column.string(true, 128));
  await qi.addColumn('images', 'os_hidden', column.bool());
  await qi.createTable('image_data', {
    id: column.id(),
    image_uuid: column.uuid(),
    data: { type: DataTypes.BLOB('long'), allowNull: false },
    ...timestamps(),
  });
  await qi.addIndex('image_data', ['image_uuid'], { unique: true, name: 'image_data_image' });
}

export async function down(qi: QueryInterface): Promise<void> {
  await qi.dropTable('image_data');
  await dropColumns(qi, 'images', ['os_hidden', 'os_hash_value', 'tags']);
}
