import Router, { type RouterContext } from '@koa/router';
import {
  findDomain,
  findProject,
  findUser,
  listDomains,
  listProjects,
  listRoles,
  listUsers,
  projectsOf,
  type Domain,
  type IdentityService,
  type Project,
  type Role,
  type TokenClaims,
  type User,
} from '../../identity/index.js';
import { ForbiddenError, NotFoundError } from '../../../ops/runtime/index.js';
import type { ApiDatabase } from '../../db/index.js';
import type { ApiState } from '../state.js';

type Ctx = RouterContext<ApiState>;

/**
 * Keystone v3's read side for projects, users, roles and domains: what clients look up when a
 * command names a project or user (`openstack quota set --instances 5 demo`). Changes go
 * through `cellctl`.
 */
export function identityResourceRouter(identity: IdentityService, api: ApiDatabase, publicUrl: string): Router<ApiState> {
  const router = new Router<ApiState>();
  const self = (ctx: Ctx) => `${publicUrl || ctx.origin}${ctx.path}`;
  const link = (ctx: Ctx, kind: string, id: string) => ({ self: `${publicUrl || ctx.origin}/identity/v3/${kind}/${id}` });
  const listBody = (ctx: Ctx, key: string, items: unknown[]) => ({ [key]: items, links: { self: self(ctx), previous: null, next: null } });
  const caller = async (ctx: Ctx): Promise<TokenClaims & { isAdmin: boolean }> => {
    const claims = await identity.validate(ctx.get('x-auth-token'));
    return { ...claims, isAdmin: claims.roles.some((r) => r.toLowerCase() === 'admin') };
  };
  const adminOnly = async (ctx: Ctx, rule: string): Promise<void> => {
    if (!(await caller(ctx)).isAdmin) throw new ForbiddenError(`You are not authorized to perform the requested action: ${rule}.`);
  };
  const projectView = (ctx: Ctx, p: Project) => ({
    id: p.id,
    name: p.name,
    domain_id: p.domain_id,
    description: p.description ?? '',
    enabled: p.enabled,
    parent_id: p.domain_id,
    is_domain: false,
    tags: [],
    options: {},
    links: link(ctx, 'projects', p.id),
  });
  const userView = (ctx: Ctx, u: User) => ({
    id: u.id,
    name: u.name,
    domain_id: u.domain_id,
    enabled: u.enabled,
    ...(u.default_project_id ? { default_project_id: u.default_project_id } : {}),
    password_expires_at: null,
    options: {},
    links: link(ctx, 'users', u.id),
  });
  const roleView = (ctx: Ctx, r: Role) => ({ id: r.id, name: r.name, domain_id: null, description: null, options: {}, links: link(ctx, 'roles', r.id) });
  const domainView = (ctx: Ctx, d: Domain) => ({ id: d.id, name: d.name, description: '', enabled: true, tags: [], options: {}, links: link(ctx, 'domains', d.id) });
  const matches = (ctx: Ctx, item: { name: string; domain_id?: string; enabled?: boolean }) =>
    (ctx.query['name'] === undefined || ctx.query['name'] === item.name) &&
    (ctx.query['domain_id'] === undefined || ctx.query['domain_id'] === item.domain_id) &&
    (ctx.query['enabled'] === undefined || String(item.enabled) === String(ctx.query['enabled']).toLowerCase());

  for (const base of ['/identity/v3', '/v3']) {
    router.get(`${base}/projects`, async (ctx) => {
      await adminOnly(ctx, 'identity:list_projects');
      ctx.body = listBody(ctx, 'projects', (await listProjects(api)).filter((p) => matches(ctx, p)).map((p) => projectView(ctx, p)));
    });
    router.get(`${base}/projects/:id`, async (ctx) => {
      const who = await caller(ctx);
      const project = await findProject(api, { id: ctx.params['id'] ?? '' });
      if (!who.isAdmin && who.projectId !== project.id) throw new ForbiddenError('You are not authorized to perform the requested action: identity:get_project.');
      ctx.body = { project: projectView(ctx, project) };
    });
    const myProjects = async (ctx: Ctx, userId: string) => {
      const who = await caller(ctx);
      if (!who.isAdmin && who.userId !== userId) throw new ForbiddenError('You are not authorized to perform the requested action: identity:list_user_projects.');
      ctx.body = listBody(ctx, 'projects', (await projectsOf(api, userId)).filter((p) => matches(ctx, p)).map((p) => projectView(ctx, p)));
    };
    router.get(`${base}/auth/projects`, async (ctx) => myProjects(ctx, (await caller(ctx)).userId));
    router.get(`${base}/users/:id/projects`, async (ctx) => myProjects(ctx, ctx.params['id'] ?? ''));
    router.get(`${base}/users`, async (ctx) => {
      await adminOnly(ctx, 'identity:list_users');
      ctx.body = listBody(ctx, 'users', (await listUsers(api)).filter((u) => matches(ctx, u)).map((u) => userView(ctx, u)));
    });
    router.get(`${base}/users/:id`, async (ctx) => {
      const who = await caller(ctx);
      const id = ctx.params['id'] ?? '';
      if (!who.isAdmin && who.userId !== id) throw new ForbiddenError('You are not authorized to perform the requested action: identity:get_user.');
      ctx.body = { user: userView(ctx, await findUser(api, { id })) };
    });
    router.get(`${base}/roles`, async (ctx) => {
      await adminOnly(ctx, 'identity:list_roles');
      ctx.body = listBody(ctx, 'roles', (await listRoles(api)).filter((r) => matches(ctx, r)).map((r) => roleView(ctx, r)));
    });
    router.get(`${base}/roles/:id`, async (ctx) => {
      await adminOnly(ctx, 'identity:get_role');
      const role = (await listRoles(api)).find((r) => r.id === ctx.params['id']);
      if (!role) throw new NotFoundError(`Could not find role: ${ctx.params['id'] ?? ''}.`);
      ctx.body = { role: roleView(ctx, role) };
    });
    router.get(`${base}/domains`, async (ctx) => {
      await adminOnly(ctx, 'identity:list_domains');
      ctx.body = listBody(ctx, 'domains', (await listDomains(api)).filter((d) => matches(ctx, d)).map((d) => domainView(ctx, d)));
    });
    router.get(`${base}/domains/:id`, async (ctx) => {
      await caller(ctx);
      ctx.body = { domain: domainView(ctx, await findDomain(api, { id: ctx.params['id'] ?? '' })) };
    });
  }
  return router;
}
