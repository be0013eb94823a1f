import type { QueryInterface } from 'sequelize';

/**
 * Compute services register as `nova-compute`, the binary name clients and operators use
 * (`openstack compute service set HOST nova-compute`, `GET /os-services?binary=nova-compute`).
 */
export async function up(qi: QueryInterface): Promise<void> {
  await qi.sequelize.query("UPDATE services SET `binary` = 'nova-compute' WHERE `binary` = 'cellstack-compute'");
}

export async function down(qi: QueryInterface): Promise<void> {
  await qi.sequelize.query("UPDATE services SET `binary` = 'cellstack-compute' WHERE `binary` = 'nova-compute'");
}
