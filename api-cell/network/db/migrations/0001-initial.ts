import type { QueryInterface } from 'sequelize';

/**
 * The network service's own database (a Neutron v2.0 subset): networks, subnets, ports and the
 * addresses they hold, security groups and rules, routers, floating IPs, quotas. Ids are UUIDs
 * and rows are deleted, not soft-deleted, as in Neutron. `ip_allocations` has one row per address
 * in use; its primary key is what makes two allocations of one address impossible. A port
 * port's `compute_binding` says what compute made of it: 0 nothing, 1 made for a server (deleted
 * with it: Nova's preserve_on_delete false), 2 a user's port a server took (unbound and kept). Only
 * those count as a server's interfaces: a port a user merely names a server in is not one.
 */
/** Neutron's standard attributes: every resource's revision and times. */
const standard = `revision_number INT NOT NULL DEFAULT 1,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)`;

/** The id, owner, name and description most resources start with. */
const named = `id CHAR(36) NOT NULL PRIMARY KEY,
    project_id VARCHAR(64) NOT NULL,
    name VARCHAR(255) NOT NULL DEFAULT '',
    description VARCHAR(255) NOT NULL DEFAULT ''`;

const tables = [
  `CREATE TABLE networks (
    ${named},
    admin_state_up TINYINT(1) NOT NULL DEFAULT 1,
    status VARCHAR(16) NOT NULL DEFAULT 'ACTIVE',
    mtu INT NOT NULL DEFAULT 1500,
    shared TINYINT(1) NOT NULL DEFAULT 0,
    router_external TINYINT(1) NOT NULL DEFAULT 0,
    is_default TINYINT(1) NOT NULL DEFAULT 0,
    port_security_enabled TINYINT(1) NOT NULL DEFAULT 1,
    ${standard},
    KEY networks_project (project_id),
    KEY networks_shared (shared),
    KEY networks_external (router_external)
  )`,
  `CREATE TABLE subnets (
    id CHAR(36) NOT NULL PRIMARY KEY,
    network_id CHAR(36) NOT NULL,
    project_id VARCHAR(64) NOT NULL,
    name VARCHAR(255) NOT NULL DEFAULT '',
    description VARCHAR(255) NOT NULL DEFAULT '',
    ip_version TINYINT NOT NULL,
    cidr VARCHAR(64) NOT NULL,
    gateway_ip VARCHAR(64) NULL,
    enable_dhcp TINYINT(1) NOT NULL DEFAULT 1,
    allocation_pools TEXT NOT NULL,
    dns_nameservers TEXT NOT NULL,
    host_routes TEXT NOT NULL,
    ipv6_ra_mode VARCHAR(16) NULL,
    ipv6_address_mode VARCHAR(16) NULL,
    ip_cursor VARCHAR(40) NOT NULL DEFAULT '0',
    ${standard},
    KEY subnets_network (network_id),
    KEY subnets_project (project_id),
    CONSTRAINT subnets_network_fk FOREIGN KEY (network_id) REFERENCES networks (id)
  )`,
  `CREATE TABLE ports (
    id CHAR(36) NOT NULL PRIMARY KEY,
    network_id CHAR(36) NOT NULL,
    project_id VARCHAR(64) NOT NULL,
    name VARCHAR(255) NOT NULL DEFAULT '',
    description VARCHAR(255) NOT NULL DEFAULT '',
    mac_address VARCHAR(32) NOT NULL,
    admin_state_up TINYINT(1) NOT NULL DEFAULT 1,
    status VARCHAR(16) NOT NULL DEFAULT 'DOWN',
    device_id VARCHAR(255) NOT NULL DEFAULT '',
    device_owner VARCHAR(255) NOT NULL DEFAULT '',
    binding_host_id VARCHAR(255) NOT NULL DEFAULT '',
    binding_vnic_type VARCHAR(64) NOT NULL DEFAULT 'normal',
    security_groups TEXT NOT NULL,
    allowed_address_pairs TEXT NOT NULL,
    port_security_enabled TINYINT(1) NOT NULL DEFAULT 1,
    compute_binding TINYINT NOT NULL DEFAULT 0,
    ${standard},
    UNIQUE KEY ports_network_mac (network_id, mac_address),
    KEY ports_device (device_id),
    KEY ports_project (project_id),
    CONSTRAINT ports_network_fk FOREIGN KEY (network_id) REFERENCES networks (id)
  )`,
  `CREATE TABLE ip_allocations (
    subnet_id CHAR(36) NOT NULL,
    ip_address VARCHAR(64) NOT NULL,
    port_id CHAR(36) NOT NULL,
    network_id CHAR(36) NOT NULL,
    PRIMARY KEY (subnet_id, ip_address),
    KEY ip_allocations_port (port_id),
    CONSTRAINT ip_allocations_subnet_fk FOREIGN KEY (subnet_id) REFERENCES subnets (id),
    CONSTRAINT ip_allocations_port_fk FOREIGN KEY (port_id) REFERENCES ports (id) ON DELETE CASCADE
  )`,
  `CREATE TABLE security_groups (
    ${named},
    default_of VARCHAR(64) NULL,
    stateful TINYINT(1) NOT NULL DEFAULT 1,
    ${standard},
    UNIQUE KEY security_groups_default (default_of),
    KEY security_groups_project (project_id)
  )`,
  `CREATE TABLE security_group_rules (
    id CHAR(36) NOT NULL PRIMARY KEY,
    security_group_id CHAR(36) NOT NULL,
    project_id VARCHAR(64) NOT NULL,
    direction VARCHAR(8) NOT NULL,
    ethertype VARCHAR(8) NOT NULL,
    protocol VARCHAR(40) NULL,
    port_range_min INT NULL,
    port_range_max INT NULL,
    remote_ip_prefix VARCHAR(64) NULL,
    remote_group_id CHAR(36) NULL,
    description VARCHAR(255) NOT NULL DEFAULT '',
    ${standard},
    KEY security_group_rules_group (security_group_id),
    KEY security_group_rules_project (project_id),
    CONSTRAINT security_group_rules_group_fk FOREIGN KEY (security_group_id) REFERENCES security_groups (id) ON DELETE CASCADE
  )`,
  `CREATE TABLE routers (
    ${named},
    admin_state_up TINYINT(1) NOT NULL DEFAULT 1,
    status VARCHAR(16) NOT NULL DEFAULT 'ACTIVE',
    gateway_network_id CHAR(36) NULL,
    gateway_port_id CHAR(36) NULL,
    enable_snat TINYINT(1) NOT NULL DEFAULT 1,
    ${standard},
    KEY routers_project (project_id)
  )`,
  `CREATE TABLE floating_ips (
    id CHAR(36) NOT NULL PRIMARY KEY,
    project_id VARCHAR(64) NOT NULL,
    floating_network_id CHAR(36) NOT NULL,
    floating_port_id CHAR(36) NOT NULL,
    floating_ip_address VARCHAR(64) NOT NULL,
    port_id CHAR(36) NULL,
    fixed_ip_address VARCHAR(64) NULL,
    router_id CHAR(36) NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'DOWN',
    description VARCHAR(255) NOT NULL DEFAULT '',
    ${standard},
    UNIQUE KEY floating_ips_fixed (port_id, fixed_ip_address),
    KEY floating_ips_project (project_id),
    CONSTRAINT floating_ips_port_fk FOREIGN KEY (floating_port_id) REFERENCES ports (id)
  )`,
  `CREATE TABLE quotas (
    project_id VARCHAR(64) NOT NULL,
    resource VARCHAR(64) NOT NULL,
    hard_limit INT NOT NULL,
    PRIMARY KEY (project_id, resource)
  )`,
];

export async function up(qi: QueryInterface): Promise<void> {
  for (const sql of tables) await qi.sequelize.query(`${sql} ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
}

export async function down(qi: QueryInterface): Promise<void> {
  for (const table of ['quotas', 'floating_ips', 'routers', 'security_group_rules', 'security_groups', 'ip_allocations', 'ports', 'subnets', 'networks']) {
    await qi.sequelize.query(`DROP TABLE IF EXISTS ${table}`);
  }
}
