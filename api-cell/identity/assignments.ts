import { NotFoundError } from '../../ops/runtime/index.js';
import { execute, select } from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';
import { findGroup, findProject, findRole, findUser, getDomain, toRole, type Role } from './lookup.js';
import { revokeTokensOf, revokeTokensOfGroups } from './revocations.js';

export type ActorKind = 'user' | 'group';
export type TargetKind = 'project' | 'domain';

/** Who holds a role where: a user or a group, on a project or a domain. */
export interface Grant {
  actor: ActorKind;
  actorId: string;
  target: TargetKind;
  targetId: string;
}

/** One row of GET /v3/role_assignments; `viaGroup` is set when an effective listing expanded a group's. */
export interface Assignment extends Grant {
  roleId: string;
  viaGroup?: string;
}

const typeOf = (g: Grant): string => `${g.actor === 'user' ? 'User' : 'Group'}${g.target === 'project' ? 'Project' : 'Domain'}`;

/** 404 unless the actor and target exist (Keystone names whichever is missing). */
async function mustExist(api: ApiDatabase, g: Grant): Promise<void> {
  await (g.actor === 'user' ? findUser(api, { id: g.actorId }) : findGroup(api, { id: g.actorId }));
  await (g.target === 'project' ? findProject(api, { id: g.targetId }) : getDomain(api, g.targetId));
}

/** PUT .../roles/{role}: giving a role twice changes nothing. */
export async function grantRole(api: ApiDatabase, g: Grant, roleId: string): Promise<void> {
  await mustExist(api, g);
  const role = await findRole(api, roleId);
  await execute(api, 'INSERT IGNORE INTO assignments (type, actor_id, target_id, role_id) VALUES (?, ?, ?, ?)', [typeOf(g), g.actorId, g.targetId, role.id]);
}

/** HEAD .../roles/{role}: 404 when the assignment is not there. */
export async function checkGrant(api: ApiDatabase, g: Grant, roleId: string): Promise<void> {
  await mustExist(api, g);
  const role = await findRole(api, roleId);
  const rows = await select(api, 'SELECT 1 FROM assignments WHERE type = ? AND actor_id = ? AND target_id = ? AND role_id = ?', [typeOf(g), g.actorId, g.targetId, role.id]);
  if (rows.length === 0) throw new NotFoundError(`Could not find role assignment with role: ${role.id}, ${g.actor}: ${g.actorId}, ${g.target}: ${g.targetId}.`);
}

/** DELETE .../roles/{role}: the holder's tokens there stop working (404 when there was no such assignment). */
export async function revokeGrant(api: ApiDatabase, g: Grant, roleId: string): Promise<void> {
  await checkGrant(api, g, roleId);
  const role = await findRole(api, roleId);
  await execute(api, 'DELETE FROM assignments WHERE type = ? AND actor_id = ? AND target_id = ? AND role_id = ?', [typeOf(g), g.actorId, g.targetId, role.id]);
  const projectId = g.target === 'project' ? g.targetId : undefined;
  if (g.actor === 'user') await revokeTokensOf(api, [{ userId: g.actorId, projectId }]);
  else await revokeTokensOfGroups(api, [g.actorId], projectId);
}

/** GET .../users/{u}/roles: the roles given directly to this actor on this target. */
export async function grantedRoles(api: ApiDatabase, g: Grant): Promise<Role[]> {
  await mustExist(api, g);
  const sql = 'SELECT r.uuid, r.name, r.description FROM assignments a JOIN roles r ON r.uuid = a.role_id WHERE a.type = ? AND a.actor_id = ? AND a.target_id = ? ORDER BY r.name';
  return (await select<{ uuid: string; name: string; description: string | null }>(api, sql, [typeOf(g), g.actorId, g.targetId])).map(toRole);
}

/** Gives a user a role on a project (cellctl's and bootstrap's shortcut). */
export async function assignRole(api: ApiDatabase, userId: string, projectId: string, roleId: string): Promise<void> {
  await grantRole(api, { actor: 'user', actorId: userId, target: 'project', targetId: projectId }, roleId);
}

export interface AssignmentFilter {
  userId?: string | undefined;
  groupId?: string | undefined;
  projectId?: string | undefined;
  domainId?: string | undefined;
  roleId?: string | undefined;
  /** Keystone's `effective`: a group's assignments show as its members' own. */
  effective?: boolean | undefined;
}

/** GET /v3/role_assignments. */
export async function listAssignments(api: ApiDatabase, f: AssignmentFilter): Promise<Assignment[]> {
  const where: string[] = [];
  const values: string[] = [];
  const add = (sql: string, value: string | undefined) => {
    if (value === undefined) return;
    where.push(sql);
    values.push(value);
  };
  add("(a.target_id = ? AND a.type LIKE '%Project')", f.projectId);
  add("(a.target_id = ? AND a.type LIKE '%Domain')", f.domainId);
  add('a.role_id = ?', f.roleId);
  if (!f.effective) {
    add("(a.actor_id = ? AND a.type LIKE 'User%')", f.userId);
    add("(a.actor_id = ? AND a.type LIKE 'Group%')", f.groupId);
  }
  const rows = await select<{ type: string; actor_id: string; target_id: string; role_id: string }>(
    api,
    `SELECT a.type, a.actor_id, a.target_id, a.role_id FROM assignments a ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.id`,
    values,
  );
  const all: Assignment[] = rows.map((r) => ({
    actor: r.type.startsWith('User') ? 'user' : 'group',
    actorId: r.actor_id,
    target: r.type.endsWith('Project') ? 'project' : 'domain',
    targetId: r.target_id,
    roleId: r.role_id,
  }));
  if (!f.effective) return all;
  const expanded: Assignment[] = [];
  for (const a of all) {
    if (a.actor === 'user') {
      expanded.push(a);
      continue;
    }
    const members = await select<{ user_id: string }>(api, 'SELECT user_id FROM group_members WHERE group_id = ? ORDER BY user_id', [a.actorId]);
    for (const m of members) expanded.push({ ...a, actor: 'user', actorId: m.user_id, viaGroup: a.actorId });
  }
  return expanded.filter((a) => (f.userId === undefined || a.actorId === f.userId) && f.groupId === undefined);
}
