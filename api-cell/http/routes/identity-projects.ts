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
import { InvalidInputError, NotFoundError } from '../../../ops/runtime/index.js';
import type { ApiDatabase } from '../../db/index.js';
import { ProjectCreateBody, ProjectTag, ProjectTagsBody, ProjectUpdateBody } from '../schemas/identity.js';
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

  projectTagRoutes(router, base, api, v);

  const userProjects = async (ctx: Ctx, userId: string) => {
    await v.adminOrSelf(ctx, userId, 'identity:list_user_projects');
    ctx.body = v.list(ctx, 'projects', filtered(ctx, await projectsOf(api, userId)));
  };
  router.get(`${base}/auth/projects`, async (ctx) => userProjects(ctx, (await v.caller(ctx)).userId));
  router.get(`${base}/users/:id/projects`, async (ctx) => userProjects(ctx, ctx.params['id'] ?? ''));
}

/** Keystone's /v3/projects/{id}/tags: members of the project read them, admins change them. */
function projectTagRoutes(router: Router<ApiState>, base: string, api: ApiDatabase, v: IdentityViews): void {
  const readable = async (ctx: Ctx): Promise<Project> => {
    const who = await v.caller(ctx);
    const project = await findProject(api, { id: ctx.params['id'] ?? '' });
    if (!who.isAdmin && who.projectId !== project.id) throw forbidden('identity:get_project_tags');
    return project;
  };
  const writable = async (ctx: Ctx): Promise<Project> => {
    await v.adminOnly(ctx, 'identity:update_project_tags');
    return findProject(api, { id: ctx.params['id'] ?? '' });
  };
  const setTags = (p: Project, tags: string[]) => {
    if (tags.length > 80) throw new InvalidInputError('A project has at most 80 tags.');
    return updateProject(api, p.id, { tags });
  };
  const tags = `${base}/projects/:id/tags`;
  router.get(tags, async (ctx) => {
    ctx.body = { tags: (await readable(ctx)).tags };
  });
  router.put(tags, async (ctx) => {
    const body = validate<{ tags: string[] }>(ProjectTagsBody, ctx.state.body);
    ctx.body = { tags: (await setTags(await writable(ctx), body.tags)).tags };
  });
  router.delete(tags, async (ctx) => {
    await setTags(await writable(ctx), []);
    ctx.status = 204;
  });
  router.get(`${tags}/:tag`, async (ctx) => {
    const tag = ctx.params['tag'] ?? '';
    if (!(await readable(ctx)).tags.includes(tag)) throw new NotFoundError(`Tag ${tag} was not found on project ${ctx.params['id'] ?? ''}.`);
    ctx.status = 204;
  });
  router.put(`${tags}/:tag`, async (ctx) => {
    const tag = validate<string>(ProjectTag, ctx.params['tag'] ?? '');
    const project = await writable(ctx);
    if (!project.tags.includes(tag)) await setTags(project, [...project.tags, tag]);
    ctx.status = 201;
    ctx.set('location', v.url(ctx, `projects/${project.id}/tags/${encodeURIComponent(tag)}`));
  });
  router.delete(`${tags}/:tag`, async (ctx) => {
    const tag = ctx.params['tag'] ?? '';
    const project = await writable(ctx);
    if (!project.tags.includes(tag)) throw new NotFoundError(`Tag ${tag} was not found on project ${project.id}.`);
    await setTags(project, project.tags.filter((t) => t !== tag));
    ctx.status = 204;
  });
}
