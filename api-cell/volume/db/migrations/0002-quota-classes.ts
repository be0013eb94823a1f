import type { QueryInterface } from 'sequelize';
import { column, timestamps } from '../../../../ops/runtime-db/index.js';

/** Quota classes (Cinder's os-quota-class-sets): the `default` class overrides the configured defaults. */
export async function up(qi: QueryInterface): Promise<void> {
  await qi.createTable('volume_quota_classes', {
    id: column.id(),
    class_name: column.string(false),
    resource: column.string(false),
    hard_limit: column.int(),
    ...timestamps(),
  });
  await qi.addIndex('volume_quota_classes', ['class_name', 'resource'], { unique: true, name: 'volume_quota_classes_class' });
}

export async function down(qi: QueryInterface): Promise<void> {
  await qi.dropTable('volume_quota_classes');
}
