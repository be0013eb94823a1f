import { InvalidInputError, UnauthorizedError } from '../../ops/runtime/index.js';
import { execute } from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';
import { duplicate, findDomain, findUser, findUserRow, isEnabled, nameTaken, newId, toUser, writeUnique, type Extra, type Ref, type User } from './lookup.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { definedOnly } from './projects.js';
import { revokeTokensOf } from './revocations.js';

export interface UserSpec {
  name: string;
  /** Without one, the user exists but cannot log in with a password. */
  password?: string | null | undefined;
  domain?: Ref['domain'];
  defaultProject?: string | null | undefined;
  enabled?: boolean | undefined;
  extra?: Extra | undefined;
}

export type UserChanges = Partial<Omit<UserSpec, 'domain'>>;

const hashed = async (password: string | null | undefined): Promise<string | null> => {
  if (password === null || password === undefined) return null;
  if (password.length < 8) throw new InvalidInputError('a password must have at least 8 characters');
  return hashPassword(password);
};

/** Keystone's POST /v3/users: a name unique in its domain (409 otherwise). */
export async function createUser(api: ApiDatabase, spec: UserSpec): Promise<User> {
  const domain = await findDomain(api, spec.domain);
  const clash = () => duplicate('user', spec.name, domain.id);
  if (await nameTaken(api, 'users', spec.name, domain.id)) throw clash();
  const id = newId();
  await writeUnique(
    api,
    'INSERT INTO users (uuid, name, domain_id, password_hash, default_project_id, enabled, extra) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [id, spec.name, domain.id, await hashed(spec.password), spec.defaultProject ?? null, spec.enabled ?? true, JSON.stringify(spec.extra ?? {})],
    clash,
  );
  return findUser(api, { id });
}

/** PATCH /v3/users/{id}. A new password or disabling the user ends its tokens, as in Keystone. */
export async function updateUser(api: ApiDatabase, id: string, changes: UserChanges): Promise<User> {
  const user = await findUser(api, { id });
  const { password, defaultProject, ...rest } = changes;
  const next = { ...user, ...definedOnly(rest), extra: { ...user.extra, ...changes.extra } };
  if (defaultProject !== undefined) next.default_project_id = defaultProject;
  const clash = () => duplicate('user', next.name, user.domain_id);
  if (next.name !== user.name && (await nameTaken(api, 'users', next.name, user.domain_id, id))) throw clash();
  await writeUnique(
    api,
    'UPDATE users SET name = ?, default_project_id = ?, enabled = ?, extra = ?, updated_at = NOW(6) WHERE uuid = ?',
    [next.name, next.default_project_id, next.enabled, JSON.stringify(next.extra), id],
    clash,
  );
  if (password !== undefined) await execute(api, 'UPDATE users SET password_hash = ? WHERE uuid = ?', [await hashed(password), id]);
  if (password !== undefined || (user.enabled && !next.enabled)) await revokeTokensOf(api, [{ userId: id }]);
  return findUser(api, { id });
}

export async function setPassword(api: ApiDatabase, userId: string, password: string): Promise<void> {
  await updateUser(api, userId, { password });
}

/** POST /v3/users/{id}/password: the user proves the old password to set a new one. */
export async function changePassword(api: ApiDatabase, userId: string, original: string, password: string): Promise<void> {
  const row = await findUserRow(api, { id: userId });
  if (!(await verifyPassword(original, row.password_hash))) throw new UnauthorizedError('The request you have made requires authentication.');
  await updateUser(api, userId, { password });
}

/** DELETE /v3/users/{id}: its assignments and group memberships go, and its tokens stop working. */
export async function deleteUser(api: ApiDatabase, id: string): Promise<void> {
  await findUser(api, { id });
  await execute(api, "DELETE FROM assignments WHERE actor_id = ? AND type IN ('UserProject', 'UserDomain')", [id]);
  await execute(api, 'DELETE FROM group_members WHERE user_id = ?', [id]);
  await execute(api, 'DELETE FROM users WHERE uuid = ?', [id]);
  await revokeTokensOf(api, [{ userId: id }]);
}

/** Checks a password; unknown users, disabled ones and wrong passwords get the same answer. */
export async function authenticate(api: ApiDatabase, ref: Ref, password: string): Promise<User> {
  const denied = new UnauthorizedError('The request you have made requires authentication.');
  const row = await findUserRow(api, ref).catch(() => undefined);
  if (!row || !isEnabled(row.enabled) || !(await verifyPassword(password, row.password_hash))) throw denied;
  await findDomain(api, { id: row.domain_id }).catch(() => {
    throw denied;
  });
  return toUser(row);
}
