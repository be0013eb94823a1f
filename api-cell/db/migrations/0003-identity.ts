import type { QueryInterface } from 'sequelize';
import { column, timestamps } from '../../../ops/runtime-db/index.js';

/** The built-in identity (a Keystone v3 subset): domains, projects, users, roles, revoked tokens. */
export async function up(qi: QueryInterface): Promise<void> {
  await qi.createTable('domains', {
    id: column.id(),
    uuid: column.string(false, 64),
    name: column.string(false),
    enabled: column.bool(true),
    ...timestamps(),
  });
  await qi.addIndex('domains', ['uuid'], { unique: true, name: 'domains_uuid' });
  await qi.addIndex('domains', ['name'], { unique: true, name: 'domains_name' });

  await qi.createTable('projects', {
    id: column.id(),
    uuid: column.string(false, 64),
    name: column.string(false),
    domain_id: column.string(false, 64),
    description: column.text(),
    enabled: column.bool(true),
    ...timestamps(),
  });
  await qi.addIndex('projects', ['uuid'], { unique: true, name: 'projects_uuid' });
  await qi.addIndex('projects', ['domain_id', 'name'], { unique: true, name: 'projects_domain_name' });

  await qi.createTable('users', {
    id: column.id(),
    uuid: column.string(false, 64),
    name: column.string(false),
    domain_id: column.string(false, 64),
    password_hash: column.string(true, 255),
    default_project_id: column.string(true, 64),
    enabled: column.bool(true),
    ...timestamps(),
  });
  await qi.addIndex('users', ['uuid'], { unique: true, name: 'users_uuid' });
  await qi.addIndex('users', ['domain_id', 'name'], { unique: true, name: 'users_domain_name' });

  await qi.createTable('roles', {
    id: column.id(),
    uuid: column.string(false, 64),
    name: column.string(false),
    ...timestamps(),
  });
  await qi.addIndex('roles', ['uuid'], { unique: true, name: 'roles_uuid' });
  await qi.addIndex('roles', ['name'], { unique: true, name: 'roles_name' });

  await qi.createTable('role_assignments', {
    id: column.id(),
    user_id: column.string(false, 64),
    project_id: column.string(false, 64),
    role_id: column.string(false, 64),
    ...timestamps(),
  });
  await qi.addIndex('role_assignments', ['user_id', 'project_id', 'role_id'], { unique: true, name: 'role_assignments_triple' });
  await qi.addIndex('role_assignments', ['project_id'], { name: 'role_assignments_project' });

  // Tokens are signed, not stored; a revoked one is remembered until it would have expired anyway.
  await qi.createTable('revoked_tokens', {
    id: column.id(),
    audit_id: column.string(false, 64),
    expires_at: column.time(false),
    ...timestamps(),
  });
  await qi.addIndex('revoked_tokens', ['audit_id'], { unique: true, name: 'revoked_tokens_audit' });
  await qi.addIndex('revoked_tokens', ['created_at'], { name: 'revoked_tokens_created' });
}

export async function down(qi: QueryInterface): Promise<void> {
  for (const table of ['revoked_tokens', 'role_assignments', 'roles', 'users', 'projects', 'domains']) await qi.dropTable(table);
}
