import { execute } from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';
import { assignRole } from './assignments.js';
import { DEFAULT_DOMAIN, DEFAULT_ROLES, findProject, findRole, findUser, newId, type Project, type User } from './lookup.js';
import { createProject } from './projects.js';
import { createUser, setPassword } from './users.js';

/** Creates the default domain and roles if missing. */
export async function ensureIdentityDefaults(api: ApiDatabase): Promise<void> {
  await execute(api, 'INSERT IGNORE INTO domains (uuid, name) VALUES (?, ?)', [DEFAULT_DOMAIN.id, DEFAULT_DOMAIN.name]);
  for (const role of DEFAULT_ROLES) await execute(api, 'INSERT IGNORE INTO roles (uuid, name) VALUES (?, ?)', [newId(), role]);
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
