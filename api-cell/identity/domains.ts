import { ConflictError, ForbiddenError } from '../../ops/runtime/index.js';
import { execute, select } from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';
import { deleteGroup } from './groups.js';
import { DEFAULT_DOMAIN, getDomain, newId, writeUnique, type Domain } from './lookup.js';
import { deleteProject } from './projects.js';
import { revokeTokensOf } from './revocations.js';
import { deleteUser } from './users.js';

const taken = (name: string) => new ConflictError(`Conflict occurred attempting to store domain - Duplicate entry found with name ${name}.`);

/** POST /v3/domains: names are unique (409 otherwise). */
export async function createDomain(api: ApiDatabase, spec: { name: string; description?: string | null | undefined; enabled?: boolean | undefined }): Promise<Domain> {
  if ((await select(api, 'SELECT 1 FROM domains WHERE name = ?', [spec.name])).length > 0) throw taken(spec.name);
  const id = newId();
  await writeUnique(api, 'INSERT INTO domains (uuid, name, description, enabled) VALUES (?, ?, ?, ?)', [id, spec.name, spec.description ?? null, spec.enabled ?? true], () => taken(spec.name));
  return getDomain(api, id);
}

/** PATCH /v3/domains/{id}. Disabling a domain ends the tokens of its users and projects. */
export async function updateDomain(
  api: ApiDatabase,
  id: string,
  changes: { name?: string | undefined; description?: string | null | undefined; enabled?: boolean | undefined },
): Promise<Domain> {
  const domain = await getDomain(api, id);
  const name = changes.name ?? domain.name;
  const enabled = changes.enabled ?? domain.enabled;
  if (id === DEFAULT_DOMAIN.id && !enabled) throw new ForbiddenError('The default domain cannot be disabled.');
  if (name !== domain.name && (await select(api, 'SELECT 1 FROM domains WHERE name = ?', [name])).length > 0) throw taken(name);
  const description = changes.description === undefined ? domain.description : changes.description;
  await writeUnique(api, 'UPDATE domains SET name = ?, description = ?, enabled = ?, updated_at = NOW(6) WHERE uuid = ?', [name, description, enabled, id], () => taken(name));
  if (domain.enabled && !enabled) {
    const users = await select<{ uuid: string }>(api, 'SELECT uuid FROM users WHERE domain_id = ?', [id]);
    const projects = await select<{ uuid: string }>(api, 'SELECT uuid FROM projects WHERE domain_id = ?', [id]);
    await revokeTokensOf(api, [...users.map((u) => ({ userId: u.uuid })), ...projects.map((p) => ({ projectId: p.uuid }))]);
  }
  return getDomain(api, id);
}

/** DELETE /v3/domains/{id}: only a disabled domain (Keystone's rule), and everything in it goes too. */
export async function deleteDomain(api: ApiDatabase, id: string): Promise<void> {
  const domain = await getDomain(api, id);
  if (domain.enabled) throw new ForbiddenError('Cannot delete a domain that is enabled, please disable it first.');
  for (const p of await select<{ uuid: string }>(api, 'SELECT uuid FROM projects WHERE domain_id = ?', [id])) await deleteProject(api, p.uuid);
  for (const u of await select<{ uuid: string }>(api, 'SELECT uuid FROM users WHERE domain_id = ?', [id])) await deleteUser(api, u.uuid);
  for (const g of await select<{ uuid: string }>(api, 'SELECT uuid FROM user_groups WHERE domain_id = ?', [id])) await deleteGroup(api, g.uuid);
  await execute(api, "DELETE FROM assignments WHERE target_id = ? AND type IN ('UserDomain', 'GroupDomain')", [id]);
  await execute(api, 'DELETE FROM domains WHERE uuid = ?', [id]);
}
