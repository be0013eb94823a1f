import type { QueryInterface } from 'sequelize';

/**
 * The scheduler asks each cell, every second, which hosts have not heartbeated lately: with this
 * index that is a range read of the few stale rows, not a scan of every service.
 */
export async function up(qi: QueryInterface): Promise<void> {
  await qi.addIndex('services', ['binary', 'deleted', 'last_seen_up'], { name: 'services_liveness' });
  await qi.addIndex('services', ['updated_at'], { name: 'services_updated' });
}

export async function down(qi: QueryInterface): Promise<void> {
  await qi.sequelize.query('ALTER TABLE services DROP INDEX services_liveness, DROP INDEX services_updated');
}
