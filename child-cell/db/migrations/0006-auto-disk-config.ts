import type { QueryInterface } from 'sequelize';
import { column, dropColumns } from '../../../ops/runtime-db/index.js';

/** Whether the guest's disk is resized and partitioned for it (OS-DCF:diskConfig AUTO) or left as the image has it (MANUAL). */
export async function up(qi: QueryInterface): Promise<void> {
  await qi.addColumn('instances', 'auto_disk_config', column.bool(false));
}

export async function down(qi: QueryInterface): Promise<void> {
  await dropColumns(qi, 'instances', ['auto_disk_config']);
}
