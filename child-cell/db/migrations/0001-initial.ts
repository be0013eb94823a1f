import type { QueryInterface } from 'sequelize';
import { column, softDelete, timestamps } from '../../../ops/runtime-db/index.js';

/** A cell database (cell0 and every child cell): its instances, hosts and their history. */
export async function up(qi: QueryInterface): Promise<void> {
  await instances(qi);
  await instanceDetails(qi);
  await instanceActions(qi);
  await hosts(qi);
  await migrations(qi);
}

export async function down(qi: QueryInterface): Promise<void> {
  const tables = [
    'migrations', 'compute_nodes', 'services', 'instance_actions_events', 'instance_actions',
    'tags', 'instance_system_metadata', 'instance_metadata', 'instance_faults', 'instances',
  ];
  for (const table of tables) await qi.dropTable(table);
}

async function instances(qi: QueryInterface): Promise<void> {
  await qi.createTable('instances', {
    id: column.id(),
    uuid: column.uuid(),
    project_id: column.string(false),
    user_id: column.string(false),
    display_name: column.string(),
    display_description: column.text(),
    hostname: column.string(),
    host: column.string(),
    node: column.string(),
    launched_on: column.string(),
    availability_zone: column.string(),
    vm_state: column.string(false),
    task_state: column.string(),
    power_state: column.int(),
    // The flavor as booted: its JSON, plus the numbers the scheduler and usage reports read.
    instance_type_id: column.bigint(true),
    flavor: column.text(false),
    vcpus: column.int(),
    memory_mb: column.int(),
    root_gb: column.int(),
    ephemeral_gb: column.int(),
    image_ref: column.string(),
    key_name: column.string(),
    key_data: column.text(),
    user_data: column.text(),
    config_drive: column.string(),
    access_ip_v4: column.string(true, 39),
    access_ip_v6: column.string(true, 39),
    reservation_id: column.string(),
    launch_index: column.int(),
    locked: column.bool(),
    locked_by: column.string(),
    locked_reason: column.text(),
    progress: column.int(),
    scheduled_at: column.time(),
    launched_at: column.time(),
    terminated_at: column.time(),
    ...timestamps(),
    ...softDelete(),
  });
  await qi.addIndex('instances', ['uuid'], { unique: true, name: 'instances_uuid' });
  // Listing: a project's live servers newest first, and everyone's (admin) the same way.
  await qi.addIndex('instances', ['project_id', 'deleted', 'created_at', 'uuid'], { name: 'instances_project_created' });
  await qi.addIndex('instances', ['deleted', 'created_at', 'uuid'], { name: 'instances_created' });
  await qi.addIndex('instances', ['host', 'node', 'deleted'], { name: 'instances_host_node' });
  await qi.addIndex('instances', ['reservation_id'], { name: 'instances_reservation' });
  await qi.addIndex('instances', ['updated_at'], { name: 'instances_updated' });
  await qi.addIndex('instances', ['vm_state', 'task_state', 'deleted'], { name: 'instances_states' });
}

async function instanceDetails(qi: QueryInterface): Promise<void> {
  await qi.createTable('instance_faults', {
    id: column.id(),
    instance_uuid: column.uuid(),
    code: column.int(),
    message: column.string(),
    details: column.text(),
    host: column.string(),
    ...timestamps(),
    ...softDelete(),
  });
  await qi.addIndex('instance_faults', ['instance_uuid', 'deleted', 'created_at'], { name: 'instance_faults_instance' });

  for (const table of ['instance_metadata', 'instance_system_metadata']) {
    await qi.createTable(table, {
      id: column.id(),
      instance_uuid: column.uuid(),
      key: column.string(false),
      value: column.text(),
      ...timestamps(),
      ...softDelete(),
    });
    await qi.addIndex(table, ['instance_uuid', 'key', 'deleted'], { unique: true, name: `${table}_key` });
  }

  await qi.createTable('tags', {
    resource_id: { ...column.uuid(), primaryKey: true },
    tag: { ...column.string(false, 60), primaryKey: true },
  });
  await qi.addIndex('tags', ['tag'], { name: 'tags_tag' });
}

async function instanceActions(qi: QueryInterface): Promise<void> {
  await qi.createTable('instance_actions', {
    id: column.id(),
    action: column.string(false),
    instance_uuid: column.uuid(),
    request_id: column.string(false),
    user_id: column.string(),
    project_id: column.string(),
    start_time: column.time(),
    finish_time: column.time(),
    message: column.string(),
    ...timestamps(),
    ...softDelete(),
  });
  // Unique so a handler run twice records its action once.
  await qi.addIndex('instance_actions', ['instance_uuid', 'request_id', 'action'], {
    unique: true,
    name: 'instance_actions_request',
  });
  await qi.addIndex('instance_actions', ['updated_at'], { name: 'instance_actions_updated' });

  await qi.createTable('instance_actions_events', {
    id: column.id(),
    action_id: column.foreign('instance_actions'),
    event: column.string(false),
    host: { ...column.string(false), defaultValue: '' },
    start_time: column.time(),
    finish_time: column.time(),
    result: column.string(),
    traceback: column.text(),
    details: column.text(),
    ...timestamps(),
    ...softDelete(),
  });
  await qi.addIndex('instance_actions_events', ['action_id', 'event', 'host'], {
    unique: true,
    name: 'instance_actions_events_event',
  });
}

async function hosts(qi: QueryInterface): Promise<void> {
  await qi.createTable('services', {
    id: column.id(),
    uuid: column.uuid(),
    host: column.string(false),
    binary: column.string(false),
    topic: column.string(),
    report_count: column.bigint(false),
    disabled: column.bool(),
    disabled_reason: column.string(),
    last_seen_up: column.time(),
    forced_down: column.bool(),
    version: column.int(),
    ...timestamps(),
    ...softDelete(),
  });
  await qi.addIndex('services', ['uuid'], { unique: true, name: 'services_uuid' });
  await qi.addIndex('services', ['host', 'binary', 'deleted'], { unique: true, name: 'services_host_binary' });
  await qi.addIndex('services', ['binary', 'deleted'], { name: 'services_binary' });

  await qi.createTable('compute_nodes', {
    id: column.id(),
    uuid: column.uuid(),
    service_id: column.bigint(true),
    host: column.string(false),
    hypervisor_hostname: column.string(false),
    hypervisor_type: column.string(false),
    hypervisor_version: column.int(),
    host_ip: column.string(true, 39),
    vcpus: column.int(),
    memory_mb: column.int(),
    local_gb: column.int(),
    vcpus_used: column.int(),
    memory_mb_used: column.int(),
    local_gb_used: column.int(),
    running_vms: column.int(),
    cpu_allocation_ratio: column.float(false),
    ram_allocation_ratio: column.float(false),
    disk_allocation_ratio: column.float(false),
    ...timestamps(),
    ...softDelete(),
  });
  await qi.addIndex('compute_nodes', ['uuid'], { unique: true, name: 'compute_nodes_uuid' });
  await qi.addIndex('compute_nodes', ['host', 'hypervisor_hostname', 'deleted'], {
    unique: true,
    name: 'compute_nodes_host_node',
  });
  await qi.addIndex('compute_nodes', ['updated_at'], { name: 'compute_nodes_updated' });
}

async function migrations(qi: QueryInterface): Promise<void> {
  await qi.createTable('migrations', {
    id: column.id(),
    uuid: column.uuid(),
    instance_uuid: column.uuid(),
    migration_type: column.string(false),
    status: column.string(false),
    source_compute: column.string(),
    source_node: column.string(),
    dest_compute: column.string(),
    dest_node: column.string(),
    old_instance_type_id: column.bigint(true),
    new_instance_type_id: column.bigint(true),
    hidden: column.bool(),
    ...timestamps(),
    ...softDelete(),
  });
  await qi.addIndex('migrations', ['uuid'], { unique: true, name: 'migrations_uuid' });
  await qi.addIndex('migrations', ['instance_uuid', 'status'], { name: 'migrations_instance' });
  await qi.addIndex('migrations', ['source_compute', 'status'], { name: 'migrations_source' });
  await qi.addIndex('migrations', ['dest_compute', 'status'], { name: 'migrations_dest' });
  await qi.addIndex('migrations', ['updated_at'], { name: 'migrations_updated' });
}
