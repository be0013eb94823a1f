import { NotFoundError } from '../../ops/runtime/index.js';
import { execute, select } from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';
import { duplicate, findDomain, findGroup, findUser, nameTaken, newId, toGroup, toUser, writeUnique, type Group, type Ref, type User, type UserRow } from './lookup.js';
import { revokeTokensOf, revokeTokensOfGroups } from './revocations.js';

/** POST /v3/groups: a name unique in its domain (409 otherwise). */
export async function createGroup(api: ApiDatabase, spec: { name: string; domain?: Ref['domain']; description?: string | null | undefined }): Promise<Group> {
  const domain = await findDomain(api, spec.domain);
  const clash = () => duplicate('group', spec.name, domain.id);
  if (await nameTaken(api, 'user_groups', spec.name, domain.id)) throw clash();
  const id = newId();
  await writeUnique(api, 'INSERT INTO user_groups (uuid, name, domain_id, description) VALUES (?, ?, ?, ?)', [id, spec.name, domain.id, spec.description ?? null], clash);
  return findGroup(api, { id });
}

export async function updateGroup(api: ApiDatabase, id: string, changes: { name?: string | undefined; description?: string | null | undefined }): Promise<Group> {
  const group = await findGroup(api, { id });
  const name = changes.name ?? group.name;
  const clash = () => duplicate('group', name, group.domain_id);
  if (name !== group.name && (await nameTaken(api, 'user_groups', name, group.domain_id, id))) throw clash();
  const description = changes.description === undefined ? group.description : changes.description;
  await writeUnique(api, 'UPDATE user_groups SET name = ?, description = ?, updated_at = NOW(6) WHERE uuid = ?', [name, description, id], clash);
  return findGroup(api, { id });
}

/** DELETE /v3/groups/{id}: its assignments and memberships go; its members' tokens stop working. */
export async function deleteGroup(api: ApiDatabase, id: string): Promise<void> {
  await findGroup(api, { id });
  await revokeTokensOfGroups(api, [id]);
  await execute(api, "DELETE FROM assignments WHERE actor_id = ? AND type IN ('GroupProject', 'GroupDomain')", [id]);
  await execute(api, 'DELETE FROM group_members WHERE group_id = ?', [id]);
  await execute(api, 'DELETE FROM user_groups WHERE uuid = ?', [id]);
}

/** PUT /v3/groups/{g}/users/{u}; adding twice changes nothing. */
export async function addGroupMember(api: ApiDatabase, groupId: string, userId: string): Promise<void> {
  await Promise.all([findGroup(api, { id: groupId }), findUser(api, { id: userId })]);
  await execute(api, 'INSERT IGNORE INTO group_members (group_id, user_id) VALUES (?, ?)', [groupId, userId]);
}

/** HEAD /v3/groups/{g}/users/{u}: 404 unless the user is a member. */
export async function checkGroupMember(api: ApiDatabase, groupId: string, userId: string): Promise<void> {
  await Promise.all([findGroup(api, { id: groupId }), findUser(api, { id: userId })]);
  const rows = await select(api, 'SELECT 1 FROM group_members WHERE group_id = ? AND user_id = ?', [groupId, userId]);
  if (rows.length === 0) throw new NotFoundError(`User ${userId} is not a member of group ${groupId}.`);
}

/** DELETE /v3/groups/{g}/users/{u}: the user's tokens stop working, since they may carry the group's roles. */
export async function removeGroupMember(api: ApiDatabase, groupId: string, userId: string): Promise<void> {
  await checkGroupMember(api, groupId, userId);
  await execute(api, 'DELETE FROM group_members WHERE group_id = ? AND user_id = ?', [groupId, userId]);
  await revokeTokensOf(api, [{ userId }]);
}

export async function groupMembers(api: ApiDatabase, groupId: string): Promise<User[]> {
  await findGroup(api, { id: groupId });
  const sql = 'SELECT u.* FROM users u JOIN group_members m ON m.user_id = u.uuid WHERE m.group_id = ? ORDER BY u.name';
  return (await select<UserRow>(api, sql, [groupId])).map(toUser);
}

export async function groupsOf(api: ApiDatabase, userId: string): Promise<Group[]> {
  await findUser(api, { id: userId });
  const sql = 'SELECT g.* FROM user_groups g JOIN group_members m ON m.group_id = g.uuid WHERE m.user_id = ? ORDER BY g.name';
  return (await select<{ uuid: string; name: string; domain_id: string; description: string | null }>(api, sql, [userId])).map(toGroup);
}
