import type { QueryInterface } from 'sequelize';
import { column, dropColumns } from '../../../ops/runtime-db/index.js';

/**
 * The zone a server's request asked for (2.96 pinned_availability_zone), apart from
 * availability_zone, which is the zone of the host it landed on.
 */
export async function up(qi: QueryInterface): Promise<void> {
  await qi.addColumn('instances', 'pinned_availability_zone', column.string());
}

export async function down(qi: QueryInterface): Promise<void> {
  await dropColumns(qi, 'instances', ['pinned_availability_zone']);
}
