import { ConflictError } from '../../ops/runtime/index.js';
import { execute, select } from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';
import { findRole, newId, writeUnique, type Role } from './lookup.js';
import { revokeTokensOf, revokeTokensOfGroups } from './revocations.js';

const taken = (name: string) => new ConflictError(`Conflict occurred attempting to store role - Duplicate entry found with name ${name}.`);

/** POST /v3/roles: role names are unique (409 otherwise). */
export async function createRole(api: ApiDatabase, spec: { name: string; description?: string | null | undefined }): Promise<Role> {
  if ((await select(api, 'SELECT 1 FROM roles WHERE name = ?', [spec.name])).length > 0) throw taken(spec.name);
  const id = newId();
  await writeUnique(api, 'INSERT INTO roles (uuid, name, description) VALUES (?, ?, ?)', [id, spec.name, spec.description ?? null], () => taken(spec.name));
  return findRole(api, id);
}

export async function updateRole(api: ApiDatabase, id: string, changes: { name?: string | undefined; description?: string | null | undefined }): Promise<Role> {
  const role = await findRole(api, id);
  const name = changes.name ?? role.name;
  if (name !== role.name && (await select(api, 'SELECT 1 FROM roles WHERE name = ?', [name])).length > 0) throw taken(name);
  const description = changes.description === undefined ? role.description : changes.description;
  await writeUnique(api, 'UPDATE roles SET name = ?, description = ?, updated_at = NOW(6) WHERE uuid = ?', [name, description, role.id], () => taken(name));
  return findRole(api, role.id);
}

/** DELETE /v3/roles/{id}: every assignment of it goes, and the tokens that carried it stop working. */
export async function deleteRole(api: ApiDatabase, id: string): Promise<void> {
  const role = await findRole(api, id);
  const grants = await select<{ type: string; actor_id: string; target_id: string }>(api, 'SELECT type, actor_id, target_id FROM assignments WHERE role_id = ?', [role.id]);
  await execute(api, 'DELETE FROM assignments WHERE role_id = ?', [role.id]);
  await execute(api, 'DELETE FROM roles WHERE uuid = ?', [role.id]);
  const projectOf = (g: { type: string; target_id: string }) => (g.type.endsWith('Project') ? g.target_id : undefined);
  await revokeTokensOf(api, grants.filter((g) => g.type.startsWith('User')).map((g) => ({ userId: g.actor_id, projectId: projectOf(g) })));
  for (const g of grants.filter((x) => x.type.startsWith('Group'))) await revokeTokensOfGroups(api, [g.actor_id], projectOf(g));
}

/**
 * A user's roles on a project, its own and its groups'. As in Keystone's default role hierarchy,
 * admin implies member and member implies reader.
 */
export async function rolesOn(api: ApiDatabase, userId: string, projectId: string): Promise<Role[]> {
  const rows = await select<{ uuid: string; name: string; description: string | null }>(
    api,
    'SELECT DISTINCT r.uuid, r.name, r.description FROM assignments a JOIN roles r ON r.uuid = a.role_id WHERE a.target_id = ? AND ' +
      "((a.type = 'UserProject' AND a.actor_id = ?) OR (a.type = 'GroupProject' AND a.actor_id IN (SELECT group_id FROM group_members WHERE user_id = ?)))",
    [projectId, userId, userId],
  );
  const names = new Set(rows.map((r) => r.name));
  if (names.has('admin')) names.add('member');
  if (names.has('member')) names.add('reader');
  const implied = [...names].filter((n) => !rows.some((r) => r.name === n));
  const extra = await Promise.all(implied.map((n) => findRole(api, n).catch(() => undefined)));
  return [...rows.map((r) => ({ id: r.uuid, name: r.name, description: r.description })), ...extra.filter((r): r is Role => r !== undefined)];
}
