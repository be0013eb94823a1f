import type { QueryInterface } from 'sequelize';
import { column, timestamps } from '../../../ops/runtime-db/index.js';

/** The API database as the first release has it: mappings, build queue state, flavors, placement. */
export async function up(qi: QueryInterface): Promise<void> {
  await cellMappings(qi);
  await buildState(qi);
  await flavors(qi);
  await keypairsAndQuotas(qi);
  await aggregatesAndGroups(qi);
  await placement(qi);
}

export async function down(qi: QueryInterface): Promise<void> {
  const tables = [
    'allocations', 'inventories', 'consumers', 'resource_providers',
    'instance_group_member', 'instance_groups', 'aggregate_metadata', 'aggregate_hosts', 'aggregates',
    'quota_usages', 'quota_classes', 'project_user_quotas', 'quotas', 'key_pairs',
    'flavor_projects', 'flavor_extra_specs', 'flavors',
    'request_specs', 'build_requests', 'instance_mappings', 'host_mappings', 'cell_mappings',
  ];
  for (const table of tables) await qi.dropTable(table);
}

async function cellMappings(qi: QueryInterface): Promise<void> {
  await qi.createTable('cell_mappings', {
    id: column.id(),
    uuid: column.uuid(),
    name: column.string(false),
    transport_url: column.text(false),
    database_url: column.text(false),
    disabled: column.bool(),
    ...timestamps(),
  });
  await qi.addIndex('cell_mappings', ['uuid'], { unique: true, name: 'cell_mappings_uuid' });
  await qi.addIndex('cell_mappings', ['name'], { unique: true, name: 'cell_mappings_name' });

  await qi.createTable('host_mappings', {
    id: column.id(),
    cell_id: column.foreign('cell_mappings', 'RESTRICT'),
    host: column.string(false),
    ...timestamps(),
  });
  await qi.addIndex('host_mappings', ['host'], { unique: true, name: 'host_mappings_host' });
  await qi.addIndex('host_mappings', ['cell_id'], { name: 'host_mappings_cell' });

  await qi.createTable('instance_mappings', {
    id: column.id(),
    instance_uuid: column.uuid(),
    cell_id: column.foreign('cell_mappings', 'RESTRICT', true),
    project_id: column.string(false),
    user_id: column.string(false),
    queued_for_delete: column.bool(),
    ...timestamps(),
  });
  await qi.addIndex('instance_mappings', ['instance_uuid'], { unique: true, name: 'instance_mappings_uuid' });
  await qi.addIndex('instance_mappings', ['cell_id'], { name: 'instance_mappings_cell' });
  await qi.addIndex('instance_mappings', ['project_id', 'user_id'], { name: 'instance_mappings_project_user' });
}

async function buildState(qi: QueryInterface): Promise<void> {
  await qi.createTable('build_requests', {
    id: column.id(),
    instance_uuid: column.uuid(),
    project_id: column.string(false),
    user_id: column.string(false),
    // The instance as the API accepted it (JSON); it becomes a cell's instance row once scheduled.
    instance: column.text(false),
    tags: column.text(),
    ...timestamps(),
  });
  await qi.addIndex('build_requests', ['instance_uuid'], { unique: true, name: 'build_requests_uuid' });
  await qi.addIndex('build_requests', ['project_id', 'created_at'], { name: 'build_requests_project' });
  await qi.addIndex('build_requests', ['created_at'], { name: 'build_requests_created' });

  await qi.createTable('request_specs', {
    id: column.id(),
    instance_uuid: column.uuid(),
    spec: column.text(false),
    ...timestamps(),
  });
  await qi.addIndex('request_specs', ['instance_uuid'], { unique: true, name: 'request_specs_uuid' });
}

async function flavors(qi: QueryInterface): Promise<void> {
  await qi.createTable('flavors', {
    id: column.id(),
    flavorid: column.string(false),
    name: column.string(false),
    memory_mb: column.int(),
    vcpus: column.int(),
    root_gb: column.int(),
    ephemeral_gb: column.int(),
    swap: column.int(),
    rxtx_factor: { ...column.float(false), defaultValue: 1 },
    vcpu_weight: column.int(true, null),
    disabled: column.bool(),
    is_public: column.bool(true),
    description: column.text(),
    ...timestamps(),
  });
  await qi.addIndex('flavors', ['flavorid'], { unique: true, name: 'flavors_flavorid' });
  await qi.addIndex('flavors', ['name'], { unique: true, name: 'flavors_name' });

  await qi.createTable('flavor_extra_specs', {
    id: column.id(),
    flavor_id: column.foreign('flavors'),
    key: column.string(false),
    value: column.string(),
    ...timestamps(),
  });
  await qi.addIndex('flavor_extra_specs', ['flavor_id', 'key'], { unique: true, name: 'flavor_extra_specs_key' });

  await qi.createTable('flavor_projects', {
    id: column.id(),
    flavor_id: column.foreign('flavors'),
    project_id: column.string(false),
    ...timestamps(),
  });
  await qi.addIndex('flavor_projects', ['flavor_id', 'project_id'], { unique: true, name: 'flavor_projects_project' });
}

async function keypairsAndQuotas(qi: QueryInterface): Promise<void> {
  await qi.createTable('key_pairs', {
    id: column.id(),
    name: column.string(false),
    user_id: column.string(false),
    fingerprint: column.string(),
    public_key: column.text(),
    type: { ...column.string(false), defaultValue: 'ssh' },
    ...timestamps(),
  });
  await qi.addIndex('key_pairs', ['user_id', 'name'], { unique: true, name: 'key_pairs_user_name' });

  await qi.createTable('quotas', {
    id: column.id(),
    project_id: column.string(false),
    resource: column.string(false),
    hard_limit: column.int(true, null),
    ...timestamps(),
  });
  await qi.addIndex('quotas', ['project_id', 'resource'], { unique: true, name: 'quotas_project_resource' });

  await qi.createTable('project_user_quotas', {
    id: column.id(),
    project_id: column.string(false),
    user_id: column.string(false),
    resource: column.string(false),
    hard_limit: column.int(true, null),
    ...timestamps(),
  });
  await qi.addIndex('project_user_quotas', ['project_id', 'user_id', 'resource'], {
    unique: true,
    name: 'project_user_quotas_resource',
  });

  await qi.createTable('quota_classes', {
    id: column.id(),
    class_name: column.string(false),
    resource: column.string(false),
    hard_limit: column.int(true, null),
    ...timestamps(),
  });
  await qi.addIndex('quota_classes', ['class_name', 'resource'], { unique: true, name: 'quota_classes_resource' });

  // Usage counted as it is charged and released, so a quota check is one locked row, not a scan.
  await qi.createTable('quota_usages', {
    id: column.id(),
    project_id: column.string(false),
    resource: column.string(false),
    in_use: column.bigint(false),
    ...timestamps(),
  });
  await qi.addIndex('quota_usages', ['project_id', 'resource'], { unique: true, name: 'quota_usages_resource' });
}

async function aggregatesAndGroups(qi: QueryInterface): Promise<void> {
  await qi.createTable('aggregates', {
    id: column.id(),
    uuid: column.uuid(),
    name: column.string(false),
    ...timestamps(),
  });
  await qi.addIndex('aggregates', ['uuid'], { unique: true, name: 'aggregates_uuid' });
  await qi.addIndex('aggregates', ['name'], { unique: true, name: 'aggregates_name' });

  await qi.createTable('aggregate_hosts', {
    id: column.id(),
    aggregate_id: column.foreign('aggregates'),
    host: column.string(false),
    ...timestamps(),
  });
  await qi.addIndex('aggregate_hosts', ['aggregate_id', 'host'], { unique: true, name: 'aggregate_hosts_host' });
  await qi.addIndex('aggregate_hosts', ['host'], { name: 'aggregate_hosts_by_host' });

  await qi.createTable('aggregate_metadata', {
    id: column.id(),
    aggregate_id: column.foreign('aggregates'),
    key: column.string(false),
    value: column.string(false),
    ...timestamps(),
  });
  await qi.addIndex('aggregate_metadata', ['aggregate_id', 'key'], { unique: true, name: 'aggregate_metadata_key' });

  await qi.createTable('instance_groups', {
    id: column.id(),
    uuid: column.uuid(),
    name: column.string(),
    project_id: column.string(false),
    user_id: column.string(false),
    policy: column.string(false),
    rules: column.text(),
    ...timestamps(),
  });
  await qi.addIndex('instance_groups', ['uuid'], { unique: true, name: 'instance_groups_uuid' });
  await qi.addIndex('instance_groups', ['project_id'], { name: 'instance_groups_project' });

  await qi.createTable('instance_group_member', {
    id: column.id(),
    group_id: column.foreign('instance_groups'),
    instance_uuid: column.uuid(),
    ...timestamps(),
  });
  await qi.addIndex('instance_group_member', ['group_id', 'instance_uuid'], { unique: true, name: 'group_member' });
  await qi.addIndex('instance_group_member', ['instance_uuid'], { name: 'group_member_instance' });
}

async function placement(qi: QueryInterface): Promise<void> {
  await qi.createTable('resource_providers', {
    id: column.id(),
    uuid: column.uuid(),
    name: column.string(false, 200),
    generation: column.int(),
    // The host mapping's host this provider is the compute node of.
    host: column.string(),
    ...timestamps(),
  });
  await qi.addIndex('resource_providers', ['uuid'], { unique: true, name: 'resource_providers_uuid' });
  await qi.addIndex('resource_providers', ['name'], { unique: true, name: 'resource_providers_name' });
  await qi.addIndex('resource_providers', ['host'], { name: 'resource_providers_host' });

  await qi.createTable('inventories', {
    id: column.id(),
    resource_provider_id: column.foreign('resource_providers'),
    resource_class: column.string(false),
    total: column.int(),
    reserved: column.int(),
    min_unit: column.int(false, 1),
    max_unit: column.int(),
    step_size: column.int(false, 1),
    allocation_ratio: { ...column.float(false), defaultValue: 1 },
    ...timestamps(),
  });
  await qi.addIndex('inventories', ['resource_provider_id', 'resource_class'], {
    unique: true,
    name: 'inventories_provider_class',
  });

  await qi.createTable('consumers', {
    id: column.id(),
    uuid: column.uuid(),
    project_id: column.string(false),
    user_id: column.string(false),
    generation: column.int(),
    ...timestamps(),
  });
  await qi.addIndex('consumers', ['uuid'], { unique: true, name: 'consumers_uuid' });

  await qi.createTable('allocations', {
    id: column.id(),
    resource_provider_id: column.foreign('resource_providers'),
    consumer_id: column.uuid(),
    resource_class: column.string(false),
    used: column.int(),
    ...timestamps(),
  });
  await qi.addIndex('allocations', ['consumer_id', 'resource_provider_id', 'resource_class'], {
    unique: true,
    name: 'allocations_consumer',
  });
  await qi.addIndex('allocations', ['resource_provider_id', 'resource_class'], { name: 'allocations_provider' });
}
