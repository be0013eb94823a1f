import type { QueryInterface } from 'sequelize';
import { column, dropColumns, timestamps } from '../../../ops/runtime-db/index.js';

/**
 * Identity administration over Keystone's v3 API: groups and their members, role assignments of
 * users or groups on projects or domains (Keystone's single assignment table), extra attributes
 * and tags, and revocation events that end every token of a user or a project at once.
 */
export async function up(qi: QueryInterface): Promise<void> {
  await qi.addColumn('domains', 'description', column.text());
  await qi.addColumn('projects', 'tags', column.text());
  await qi.addColumn('projects', 'extra', column.text());
  await qi.addColumn('users', 'extra', column.text());
  await qi.addColumn('roles', 'description', column.text());

  await qi.createTable('user_groups', {
    id: column.id(),
    uuid: column.string(false, 64),
    name: column.string(false),
    domain_id: column.string(false, 64),
    description: column.text(),
    ...timestamps(),
  });
  await qi.addIndex('user_groups', ['uuid'], { unique: true, name: 'user_groups_uuid' });
  await qi.addIndex('user_groups', ['domain_id', 'name'], { unique: true, name: 'user_groups_domain_name' });

  await qi.createTable('group_members', {
    id: column.id(),
    group_id: column.string(false, 64),
    user_id: column.string(false, 64),
    ...timestamps(),
  });
  await qi.addIndex('group_members', ['group_id', 'user_id'], { unique: true, name: 'group_members_pair' });
  await qi.addIndex('group_members', ['user_id'], { name: 'group_members_user' });

  // type is Keystone's: UserProject, GroupProject, UserDomain or GroupDomain.
  await qi.createTable('assignments', {
    id: column.id(),
    type: column.string(false, 16),
    actor_id: column.string(false, 64),
    target_id: column.string(false, 64),
    role_id: column.string(false, 64),
    ...timestamps(),
  });
  await qi.addIndex('assignments', ['type', 'actor_id', 'target_id', 'role_id'], { unique: true, name: 'assignments_grant' });
  await qi.addIndex('assignments', ['target_id'], { name: 'assignments_target' });
  await qi.addIndex('assignments', ['actor_id'], { name: 'assignments_actor' });
  await qi.sequelize.query(
    "INSERT INTO assignments (type, actor_id, target_id, role_id, created_at) SELECT 'UserProject', user_id, project_id, role_id, created_at FROM role_assignments",
  );
  await qi.dropTable('role_assignments');

  // Tokens issued at or before issued_before to the user (and/or in the project) are no longer valid.
  await qi.createTable('revocation_events', {
    id: column.id(),
    user_id: column.string(true, 64),
    project_id: column.string(true, 64),
    issued_before: column.time(false),
    ...timestamps(),
  });
  await qi.addIndex('revocation_events', ['created_at'], { name: 'revocation_events_created' });
}

export async function down(qi: QueryInterface): Promise<void> {
  await qi.dropTable('revocation_events');
  await qi.createTable('role_assignments', {
    id: column.id(),
    user_id: column.string(false, 64),
    project_id: column.string(false, 64),
    role_id: column.string(false, 64),
    ...timestamps(),
  });
  await qi.addIndex('role_assignments', ['user_id', 'project_id', 'role_id'], { unique: true, name: 'role_assignments_triple' });
  await qi.addIndex('role_assignments', ['project_id'], { name: 'role_assignments_project' });
  await qi.sequelize.query(
    "INSERT INTO role_assignments (user_id, project_id, role_id, created_at) SELECT actor_id, target_id, role_id, created_at FROM assignments WHERE type = 'UserProject'",
  );
  await qi.dropTable('assignments');
  await qi.dropTable('group_members');
  await qi.dropTable('user_groups');
  await dropColumns(qi, 'roles', ['description']);
  await dropColumns(qi, 'users', ['extra']);
  await dropColumns(qi, 'projects', ['extra', 'tags']);
  await dropColumns(qi, 'domains', ['description']);
}
