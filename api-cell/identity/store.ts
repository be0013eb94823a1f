import { randomUUID } from 'node:crypto';
import { ConflictError, execute, InvalidInputError, NotFoundError, select, UnauthorizedError } from '../../ops/runtime/index.js';
import type { ApiDatabase } from '../db/index.js';
import { hashPassword, verifyPassword } from './passwords.js';

export const DEFAULT_DOMAIN = { id: 'default', name: 'Default' } as const;
/** Keystone's default roles; Nova's policy reads admin, member and reader. */
export const DEFAULT_ROLES = ['admin', 'member', 'reader'] as const;

export interface Domain {
  id: string;
  name: string;
}

export interface Project {
  id: string;
  name: string;
  domain_id: string;
  description: string | null;
  enabled: boolean;
}

export interface User {
  id: string;
  name: string;
  domain_id: string;
  default_project_id: string | null;
  enabled: boolean;
}

export interface Role {
  id: string;
  name: string;
}

/** How clients name a domain, project or user: by id, or by name within a domain. */
export interface Ref {
  id?: string | undefined;
  name?: string | undefined;
  domain?: { id?: string | undefined; name?: string | undefined } | undefined;
}

/** Keystone's ids: 32 hex characters. */
export const newId = (): string => randomUUID().replace(/-/g, '');

const bool = (v: unknown): boolean => v === true || v === 1;

/** Creates the default domain and roles if missing. */
export async function ensureIdentityDefaults(api: ApiDatabase): Promise<void> {
  await execute(api, 'INSERT IGNORE INTO domains (uuid, name) VALUES (?, ?)', [DEFAULT_DOMAIN.id, DEFAULT_DOMAIN.name]);
  for (const role of DEFAULT_ROLES) await execute(api, 'INSERT IGNORE INTO roles (uuid, name) VALUES (?, ?)', [newId(), role]);
}

export async function findDomain(api: ApiDatabase, ref: Ref['domain']): Promise<Domain> {
  if (!ref || (!ref.id && !ref.name)) return DEFAULT_DOMAIN;
  const rows = await select<{ uuid: string; name: string }>(
    api,
    `SELECT uuid, name FROM domains WHERE ${ref.id ? 'uuid' : 'name'} = ? AND enabled = 1`,
    [ref.id ?? ref.name],
  );
  const row = rows[0];
  if (!row) throw new NotFoundError(`Could not find domain: ${ref.id ?? ref.name ?? ''}.`);
  return { id: row.uuid, name: row.name };
}

async function findOne<T>(api: ApiDatabase, table: 'projects' | 'users', ref: Ref, what: string): Promise<T & { uuid: string }> {
  let rows: (T & { uuid: string })[];
  if (ref.id) {
    rows = await select(api, `SELECT * FROM ${table} WHERE uuid = ?`, [ref.id]);
  } else if (ref.name) {
    const domain = await findDomain(api, ref.domain);
    rows = await select(api, `SELECT * FROM ${table} WHERE name = ? AND domain_id = ?`, [ref.name, domain.id]);
  } else {
    throw new InvalidInputError(`a ${what} must be named by id or by name`);
  }
  const row = rows[0];
  if (!row) throw new NotFoundError(`Could not find ${what}: ${ref.id ?? ref.name ?? ''}.`);
  return row;
}

type ProjectRow = Omit<Project, 'id' | 'enabled'> & { uuid: string; enabled: number };
type UserRow = Omit<User, 'id' | 'enabled'> & { uuid: string; enabled: number; password_hash: string | null };

const toProject = (r: ProjectRow): Project => ({ id: r.uuid, name: r.name, domain_id: r.domain_id, description: r.description, enabled: bool(r.enabled) });
const toUser = (r: UserRow): User => ({ id: r.uuid, name: r.name, domain_id: r.domain_id, default_project_id: r.default_project_id, enabled: bool(r.enabled) });

export async function findProject(api: ApiDatabase, ref: Ref): Promise<Project> {
  return toProject(await findOne<ProjectRow>(api, 'projects', ref, 'project'));
}

export async function findUser(api: ApiDatabase, ref: Ref): Promise<User> {
  return toUser(await findOne<UserRow>(api, 'users', ref, 'user'));
}

export async function listProjects(api: ApiDatabase): Promise<Project[]> {
  return (await select<ProjectRow>(api, 'SELECT * FROM projects ORDER BY name')).map(toProject);
}

/** Projects where the user holds any role (Keystone's GET /v3/users/{id}/projects). */
export async function projectsOf(api: ApiDatabase, userId: string): Promise<Project[]> {
  const sql = 'SELECT DISTINCT p.* FROM projects p JOIN role_assignments a ON a.project_id = p.uuid WHERE a.user_id = ? ORDER BY p.name';
  return (await select<ProjectRow>(api, sql, [userId])).map(toProject);
}

export async function listDomains(api: ApiDatabase): Promise<Domain[]> {
  return (await select<{ uuid: string; name: string }>(api, 'SELECT uuid, name FROM domains ORDER BY name')).map((r) => ({ id: r.uuid, name: r.name }));
}

export async function listUsers(api: ApiDatabase): Promise<User[]> {
  return (await select<UserRow>(api, 'SELECT * FROM users ORDER BY name')).map(toUser);
}

export async function createProject(api: ApiDatabase, spec: { name: string; domain?: Ref['domain']; description?: string }): Promise<Project> {
  const domain = await findDomain(api, spec.domain);
  const clash = await select(api, 'SELECT 1 FROM projects WHERE name = ? AND domain_id = ?', [spec.name, domain.id]);
  if (clash.length > 0) throw new ConflictError(`a project named ${spec.name} already exists in domain ${domain.name}`);
  const id = newId();
  await execute(api, 'INSERT INTO projects (uuid, name, domain_id, description) VALUES (?, ?, ?, ?)', [id, spec.name, domain.id, spec.description ?? null]);
  return findProject(api, { id });
}

export async function createUser(api: ApiDatabase, spec: { name: string; password: string; domain?: Ref['domain']; defaultProject?: string }): Promise<User> {
  if (spec.password.length < 8) throw new InvalidInputError('a password must have at least 8 characters');
  const domain = await findDomain(api, spec.domain);
  const clash = await select(api, 'SELECT 1 FROM users WHERE name = ? AND domain_id = ?', [spec.name, domain.id]);
  if (clash.length > 0) throw new ConflictError(`a user named ${spec.name} already exists in domain ${domain.name}`);
  const id = newId();
  await execute(api, 'INSERT INTO users (uuid, name, domain_id, password_hash, default_project_id) VALUES (?, ?, ?, ?, ?)', [
    id, spec.name, domain.id, await hashPassword(spec.password), spec.defaultProject ?? null,
  ]);
  return findUser(api, { id });
}

export async function setPassword(api: ApiDatabase, userId: string, password: string): Promise<void> {
  if (password.length < 8) throw new InvalidInputError('a password must have at least 8 characters');
  await execute(api, 'UPDATE users SET password_hash = ?, updated_at = NOW(6) WHERE uuid = ?', [await hashPassword(password), userId]);
}

export async function findRole(api: ApiDatabase, nameOrId: string): Promise<Role> {
  const rows = await select<{ uuid: string; name: string }>(api, 'SELECT uuid, name FROM roles WHERE name = ? OR uuid = ?', [nameOrId, nameOrId]);
  const row = rows[0];
  if (!row) throw new NotFoundError(`Could not find role: ${nameOrId}.`);
  return { id: row.uuid, name: row.name };
}

export async function listRoles(api: ApiDatabase): Promise<Role[]> {
  return (await select<{ uuid: string; name: string }>(api, 'SELECT uuid, name FROM roles ORDER BY name')).map((r) => ({ id: r.uuid, name: r.name }));
}

/** Gives a user a role on a project; giving it twice changes nothing. */
export async function assignRole(api: ApiDatabase, userId: string, projectId: string, roleId: string): Promise<void> {
  await execute(api, 'INSERT IGNORE INTO role_assignments (user_id, project_id, role_id) VALUES (?, ?, ?)', [userId, projectId, roleId]);
}

export async function unassignRole(api: ApiDatabase, userId: string, projectId: string, roleId: string): Promise<boolean> {
  return (await execute(api, 'DELETE FROM role_assignments WHERE user_id = ? AND project_id = ? AND role_id = ?', [userId, projectId, roleId])) > 0;
}

/**
 * A user's roles on a project. As in Keystone's default role hierarchy, admin implies member and
 * member implies reader.
 */
export async function rolesOn(api: ApiDatabase, userId: string, projectId: string): Promise<Role[]> {
  const rows = await select<{ uuid: string; name: string }>(
    api,
    'SELECT r.uuid, r.name FROM role_assignments a JOIN roles r ON r.uuid = a.role_id WHERE a.user_id = ? AND a.project_id = ?',
    [userId, projectId],
  );
  const names = new Set(rows.map((r) => r.name));
  if (names.has('admin')) names.add('member');
  if (names.has('member')) names.add('reader');
  const implied = [...names].filter((n) => !rows.some((r) => r.name === n));
  const extra = await Promise.all(implied.map((n) => findRole(api, n).catch(() => undefined)));
  return [...rows.map((r) => ({ id: r.uuid, name: r.name })), ...extra.filter((r): r is Role => r !== undefined)];
}

/** Checks a password; unknown users and wrong passwords get the same answer. */
export async function authenticate(api: ApiDatabase, ref: Ref, password: string): Promise<User> {
  const denied = new UnauthorizedError('The request you have made requires authentication.');
  const row = await findOne<UserRow>(api, 'users', ref, 'user').catch(() => undefined);
  if (!row || !bool(row.enabled) || !(await verifyPassword(password, row.password_hash))) throw denied;
  return toUser(row);
}

export interface Bootstrap {
  user: User;
  project: Project;
  /** False when the admin existed already (its password is left as it was unless reset). */
  created: boolean;
}

/**
 * Keystone's bootstrap: the default domain and roles, an `admin` project and user with the
 * admin role, and a `service` project. Safe to run again.
 */
export async function bootstrapIdentity(api: ApiDatabase, options: { password: string; reset?: boolean }): Promise<Bootstrap> {
  await ensureIdentityDefaults(api);
  const project = await findProject(api, { name: 'admin' }).catch(() => createProject(api, { name: 'admin', description: 'Bootstrap project for the cloud admin' }));
  await findProject(api, { name: 'service' }).catch(() => createProject(api, { name: 'service', description: 'Project of the services' }));
  let created = false;
  let user = await findUser(api, { name: 'admin' }).catch(() => undefined);
  if (!user) {
    user = await createUser(api, { name: 'admin', password: options.password, defaultProject: project.id });
    created = true;
  } else if (options.reset) {
    await setPassword(api, user.id, options.password);
  }
  const admin = await findRole(api, 'admin');
  await assignRole(api, user.id, project.id, admin.id);
  return { user, project, created };
}

/** Remembers a revoked token until it would have expired anyway. */
export async function revokeToken(api: ApiDatabase, auditId: string, expiresAt: number): Promise<void> {
  await execute(api, 'INSERT IGNORE INTO revoked_tokens (audit_id, expires_at) VALUES (?, ?)', [auditId, new Date(expiresAt)]);
}

export async function revokedSince(api: ApiDatabase, since: Date): Promise<{ audit_id: string; created_at: Date }[]> {
  return select(api, 'SELECT audit_id, created_at FROM revoked_tokens WHERE created_at >= ? AND expires_at > NOW(6)', [since]);
}
