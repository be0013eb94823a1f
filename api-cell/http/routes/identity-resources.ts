import Router from '@koa/router';
import type { IdentityService } from '../../identity/index.js';
import type { ApiDatabase } from '../../db/index.js';
import type { ApiState } from '../state.js';
import { IdentityViews } from './identity-common.js';
import { domainAndGroupRoutes } from './identity-domains.js';
import { projectRoutes } from './identity-projects.js';
import { roleRoutes } from './identity-roles.js';
import { userRoutes } from './identity-users.js';

/**
 * Keystone v3's administration: projects, users, roles and their assignments, domains and
 * groups, with Keystone's default policy (writes are for admins). `cellctl` calls the same
 * identity functions these routes do.
 */
export function identityResourceRouter(identity: IdentityService, api: ApiDatabase, publicUrl: string): Router<ApiState> {
  const router = new Router<ApiState>();
  const views = new IdentityViews(identity, publicUrl);
  for (const base of ['/identity/v3', '/v3']) {
    projectRoutes(router, base, api, views);
    userRoutes(router, base, api, views);
    roleRoutes(router, base, api, views);
    domainAndGroupRoutes(router, base, api, views);
  }
  return router;
}
