import { execute, select } from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';
import { duplicate, findDomain, findProject, nameTaken, newId, toProject, writeUnique, type Extra, type Project, type ProjectRow, type Ref } from './lookup.js';
import { revokeTokensOf } from './revocations.js';

export interface ProjectSpec {
  name: string;
  domain?: Ref['domain'];
  description?: string | null | undefined;
  enabled?: boolean | undefined;
  tags?: string[] | undefined;
  extra?: Extra | undefined;
}

export type ProjectChanges = Partial<Omit<ProjectSpec, 'domain'>>;

const text = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

/** Keystone's POST /v3/projects: a name unique in its domain (409 otherwise). */
export async function createProject(api: ApiDatabase, spec: ProjectSpec): Promise<Project> {
  const domain = await findDomain(api, spec.domain);
  const clash = () => duplicate('project', spec.name, domain.id);
  if (await nameTaken(api, 'projects', spec.name, domain.id)) throw clash();
  const id = newId();
  await writeUnique(
    api,
    'INSERT INTO projects (uuid, name, domain_id, description, enabled, tags, extra) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [id, spec.name, domain.id, spec.description ?? null, spec.enabled ?? true, text(spec.tags ?? []), text(spec.extra ?? {})],
    clash,
  );
  return findProject(api, { id });
}

/** PATCH /v3/projects/{id}. Disabling a project ends the tokens scoped to it. */
export async function updateProject(api: ApiDatabase, id: string, changes: ProjectChanges): Promise<Project> {
  const project = await findProject(api, { id });
  const next = { ...project, ...definedOnly(changes), extra: { ...project.extra, ...changes.extra } };
  const clash = () => duplicate('project', next.name, project.domain_id);
  if (next.name !== project.name && (await nameTaken(api, 'projects', next.name, project.domain_id, id))) throw clash();
  await writeUnique(
    api,
    'UPDATE projects SET name = ?, description = ?, enabled = ?, tags = ?, extra = ?, updated_at = NOW(6) WHERE uuid = ?',
    [next.name, next.description, next.enabled, text(next.tags), text(next.extra), id],
    clash,
  );
  if (project.enabled && !next.enabled) await revokeTokensOf(api, [{ projectId: id }]);
  return findProject(api, { id });
}

/** DELETE /v3/projects/{id}: its role assignments go with it, and so do the tokens scoped to it. */
export async function deleteProject(api: ApiDatabase, id: string): Promise<void> {
  await findProject(api, { id });
  await execute(api, "DELETE FROM assignments WHERE target_id = ? AND type IN ('UserProject', 'GroupProject')", [id]);
  await execute(api, 'DELETE FROM projects WHERE uuid = ?', [id]);
  await revokeTokensOf(api, [{ projectId: id }]);
}

/** Projects where the user holds any role, directly or through a group (GET /v3/users/{id}/projects). */
export async function projectsOf(api: ApiDatabase, userId: string): Promise<Project[]> {
  const sql =
    'SELECT DISTINCT p.* FROM projects p JOIN assignments a ON a.target_id = p.uuid ' +
    "WHERE (a.type = 'UserProject' AND a.actor_id = ?) OR (a.type = 'GroupProject' AND a.actor_id IN (SELECT group_id FROM group_members WHERE user_id = ?)) " +
    'ORDER BY p.name';
  return (await select<ProjectRow>(api, sql, [userId, userId])).map(toProject);
}

export function definedOnly<T extends object>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<T>;
}
