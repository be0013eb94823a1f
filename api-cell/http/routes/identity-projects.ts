import type Router from '@koa/router';
import {
  createProject,
  deleteProject,
  findDomain,
  findProject,
  listProjects,
  projectsOf,
  updateProject,
  type Project,
} from '../../identity/index.js';
import { InvalidInputError } from '../../../ops/runtime/index.js';
import type { ApiDatabase } from '../../db/index.js';
import { ProjectCreateBody, ProjectUpdateBody } from '../schemas/identity.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import { forbidden, matches, queryText, splitExtra, type Ctx, type IdentityViews } from './identity-common.js';

const KNOWN = ['name', 'description', 'enabled', 'tags', 'options', 'domain_id', 'parent_id', 'is_domain'] as const;

interface ProjectBody {
  name?: string;
  description?: string | null;
  enabled?: boolean;
  tags?: string[];
  domain_id?: string | null;
  parent_id?: string | null;
  [extra: string]: unknown;
}

/** Keystone's ?tags= (all of them) and ?tags-any= (one of them). */
function tagged(ctx: Ctx, p: Project): boolean {
  const all = queryText(ctx, 'tags')?.split(',');
  const any = queryText(ctx, 'tags-any')?.split(',');
  return (!all || all.every((t) => p.tags.includes(t))) && (!any || any.some((t) => p.tags.includes(t)));
}

/** /v3/projects: Keystone's admin writes and the reads clients resolve names with. */
export function projectRoutes(router: Router<ApiState>, base: string, api: ApiDatabase, v: IdentityViews): void {
  const show = (ctx: Ctx, p: Project) => ({ project: v.project(ctx, p) });
  const filtered = (ctx: Ctx, items: Project[]) => items.filter((p) => matches(ctx, p) && tagged(ctx, p)).map((p) => v.project(ctx, p));

  router.get(`${base}/projects`, async (ctx) => {
    await v.adminOnly(ctx, 'identity:list_projects');
    ctx.body = v.list(ctx, 'projects', filtered(ctx, await listProjects(api)));
  });
  router.get(`${base}/projects/:id`, async (ctx) => {
    const who = await v.caller(ctx);
    const project = await findProject(api, { id: ctx.params['id'] ?? '' });
    if (!who.isAdmin && who.projectId !== project.id) throw forbidden('identity:get_project');
    ctx.body = show(ctx, project);
  });
  router.post(`${base}/projects`, async (ctx) => {
    await v.adminOnly(ctx, 'identity:create_project');
    const body = validate<{ project: ProjectBody & { name: string } }>(ProjectCreateBody, ctx.state.body).project;
    const domain = await findDomain(api, { id: body.domain_id ?? undefined });
    if (body.parent_id && body.parent_id !== domain.id) throw new InvalidInputError('Projects nested under other projects are not supported: parent_id must be the domain.');
    const project = await createProject(api, {
      name: body.name,
      domain: { id: domain.id },
      description: body.description,
      enabled: body.enabled,
      tags: body.tags,
      extra: splitExtra(body, KNOWN),
    });
    await v.written(ctx, 201, show(ctx, project));
  });
  router.patch(`${base}/projects/:id`, async (ctx) => {
    await v.adminOnly(ctx, 'identity:update_project');
    const body = validate<{ project: ProjectBody }>(ProjectUpdateBody, ctx.state.body).project;
    const current = await findProject(api, { id: ctx.params['id'] ?? '' });
    if (body.domain_id !== undefined && body.domain_id !== current.domain_id) throw new InvalidInputError('Cannot change Domain ID.');
    const project = await updateProject(api, current.id, {
      name: body.name,
      description: body.description,
      enabled: body.enabled,
      tags: body.tags,
      extra: splitExtra(body, KNOWN),
    });
    await v.written(ctx, 200, show(ctx, project));
  });
  router.delete(`${base}/projects/:id`, async (ctx) => {
    await v.adminOnly(ctx, 'identity:delete_project');
    await deleteProject(api, ctx.params['id'] ?? '');
    await v.written(ctx, 204);
  });

  const userProjects = async (ctx: Ctx, userId: string) => {
    await v.adminOrSelf(ctx, userId, 'identity:list_user_projects');
    ctx.body = v.list(ctx, 'projects', filtered(ctx, await projectsOf(api, userId)));
  };
  router.get(`${base}/auth/projects`, async (ctx) => userProjects(ctx, (await v.caller(ctx)).userId));
  router.get(`${base}/users/:id/projects`, async (ctx) => userProjects(ctx, ctx.params['id'] ?? ''));
}
