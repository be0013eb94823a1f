import { randomUUID } from 'node:crypto';
import { ConflictError, InvalidInputError, NotFoundError } from '../../ops/runtime/index.js';
import { execute, select } from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';

export const DEFAULT_DOMAIN = { id: 'default', name: 'Default' } as const;
/** Keystone's default roles; Nova's policy reads admin, member and reader. */
export const DEFAULT_ROLES = ['admin', 'member', 'reader'] as const;

/** Attributes Keystone keeps beside the known ones (a user's email, description...). */
export type Extra = Record<string, unknown>;

export interface Domain {
  id: string;
  name: string;
  description: string | null;
  enabled: boolean;
}

export interface Project {
  id: string;
  name: string;
  domain_id: string;
  description: string | null;
  enabled: boolean;
  tags: string[];
  extra: Extra;
}

export interface User {
  id: string;
  name: string;
  domain_id: string;
  default_project_id: string | null;
  enabled: boolean;
  extra: Extra;
}

export interface Role {
  id: string;
  name: string;
  description: string | null;
}

export interface Group {
  id: string;
  name: string;
  domain_id: string;
  description: string | null;
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
const json = <T>(text: string | null, empty: T): T => (text ? (JSON.parse(text) as T) : empty);

export type DomainRow = { uuid: string; name: string; description: string | null; enabled: number };
export type ProjectRow = { uuid: string; name: string; domain_id: string; description: string | null; enabled: number; tags: string | null; extra: string | null };
export type UserRow = { uuid: string; name: string; domain_id: string; default_project_id: string | null; enabled: number; extra: string | null; password_hash: string | null };
type RoleRow = { uuid: string; name: string; description: string | null };
type GroupRow = { uuid: string; name: string; domain_id: string; description: string | null };

export const toDomain = (r: DomainRow): Domain => ({ id: r.uuid, name: r.name, description: r.description, enabled: bool(r.enabled) });
export const toProject = (r: ProjectRow): Project => ({
  id: r.uuid, name: r.name, domain_id: r.domain_id, description: r.description, enabled: bool(r.enabled), tags: json(r.tags, []), extra: json(r.extra, {}),
});
export const toUser = (r: UserRow): User => ({
  id: r.uuid, name: r.name, domain_id: r.domain_id, default_project_id: r.default_project_id, enabled: bool(r.enabled), extra: json(r.extra, {}),
});
export const toRole = (r: RoleRow): Role => ({ id: r.uuid, name: r.name, description: r.description });
export const toGroup = (r: GroupRow): Group => ({ id: r.uuid, name: r.name, domain_id: r.domain_id, description: r.description });
export const isEnabled = bool;

/** An enabled domain by id or name (the default domain when none is named): what logins and names resolve against. */
export async function findDomain(api: ApiDatabase, ref: Ref['domain']): Promise<Domain> {
  const key = ref?.id ?? ref?.name ?? DEFAULT_DOMAIN.id;
  const column = ref?.id || !ref?.name ? 'uuid' : 'name';
  const row = (await select<DomainRow>(api, `SELECT * FROM domains WHERE ${column} = ? AND enabled = 1`, [key]))[0];
  if (!row) throw new NotFoundError(`Could not find domain: ${key}.`);
  return toDomain(row);
}

/** A domain by id, enabled or not: what administrators look at. */
export async function getDomain(api: ApiDatabase, id: string): Promise<Domain> {
  const row = (await select<DomainRow>(api, 'SELECT * FROM domains WHERE uuid = ?', [id]))[0];
  if (!row) throw new NotFoundError(`Could not find domain: ${id}.`);
  return toDomain(row);
}

async function findOne<T extends object>(api: ApiDatabase, table: 'projects' | 'users' | 'user_groups', ref: Ref, what: string): Promise<T> {
  let rows: T[];
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

export async function findProject(api: ApiDatabase, ref: Ref): Promise<Project> {
  return toProject(await findOne<ProjectRow>(api, 'projects', ref, 'project'));
}

export async function findUser(api: ApiDatabase, ref: Ref): Promise<User> {
  return toUser(await findOne<UserRow>(api, 'users', ref, 'user'));
}

/** The user's row with its password hash, for checking a password. */
export async function findUserRow(api: ApiDatabase, ref: Ref): Promise<UserRow> {
  return findOne<UserRow>(api, 'users', ref, 'user');
}

export async function findGroup(api: ApiDatabase, ref: Ref): Promise<Group> {
  return toGroup(await findOne<GroupRow>(api, 'user_groups', ref, 'group'));
}

export async function findRole(api: ApiDatabase, nameOrId: string): Promise<Role> {
  const row = (await select<RoleRow>(api, 'SELECT uuid, name, description FROM roles WHERE name = ? OR uuid = ?', [nameOrId, nameOrId]))[0];
  if (!row) throw new NotFoundError(`Could not find role: ${nameOrId}.`);
  return toRole(row);
}

export async function listDomains(api: ApiDatabase): Promise<Domain[]> {
  return (await select<DomainRow>(api, 'SELECT * FROM domains ORDER BY name')).map(toDomain);
}

export async function listProjects(api: ApiDatabase): Promise<Project[]> {
  return (await select<ProjectRow>(api, 'SELECT * FROM projects ORDER BY name')).map(toProject);
}

export async function listUsers(api: ApiDatabase): Promise<User[]> {
  return (await select<UserRow>(api, 'SELECT * FROM users ORDER BY name')).map(toUser);
}

export async function listRoles(api: ApiDatabase): Promise<Role[]> {
  return (await select<RoleRow>(api, 'SELECT uuid, name, description FROM roles ORDER BY name')).map(toRole);
}

export async function listGroups(api: ApiDatabase): Promise<Group[]> {
  return (await select<GroupRow>(api, 'SELECT * FROM user_groups ORDER BY name')).map(toGroup);
}

/** Keystone's wording for a name taken in its domain. */
export const duplicate = (kind: string, name: string, domainId?: string): ConflictError =>
  new ConflictError(`Conflict occurred attempting to store ${kind} - Duplicate entry found with name ${name}${domainId ? ` at domain ID ${domainId}` : ''}.`);

/** An INSERT or UPDATE that a unique key may refuse (two writers racing for one name): a 409, not a 500. */
export async function writeUnique(api: ApiDatabase, sql: string, values: unknown[], clash: () => ConflictError): Promise<number> {
  try {
    return await execute(api, sql, values);
  } catch (err) {
    if (err instanceof Error && err.name === 'SequelizeUniqueConstraintError') throw clash();
    throw err;
  }
}

/** Whether a name is taken in a domain by another row than `exceptId`. */
export async function nameTaken(api: ApiDatabase, table: 'projects' | 'users' | 'user_groups', name: string, domainId: string, exceptId = ''): Promise<boolean> {
  return (await select(api, `SELECT 1 FROM ${table} WHERE name = ? AND domain_id = ? AND uuid <> ?`, [name, domainId, exceptId])).length > 0;
}
