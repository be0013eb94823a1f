import type Router from '@koa/router';
import {
  checkGrant,
  createRole,
  deleteRole,
  findRole,
  grantedRoles,
  grantRole,
  listAssignments,
  listDomains,
  listGroups,
  listProjects,
  listRoles,
  listUsers,
  revokeGrant,
  updateRole,
  type ActorKind,
  type Assignment,
  type Grant,
  type TargetKind,
} from '../../identity/index.js';
import { InvalidInputError, NotFoundError } from '../../../ops/runtime/index.js';
import type { ApiDatabase } from '../../db/index.js';
import { RoleCreateBody, RoleUpdateBody } from '../schemas/identity.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import { matches, queryBool, queryText, type Ctx, type IdentityViews } from './identity-common.js';

const plural = { user: 'users', group: 'groups', project: 'projects', domain: 'domains' } as const;

/** /v3/roles, grants on projects and domains to users and groups, and /v3/role_assignments. */
export function roleRoutes(router: Router<ApiState>, base: string, api: ApiDatabase, v: IdentityViews): void {
  router.get(`${base}/roles`, async (ctx) => {
    await v.adminOnly(ctx, 'identity:list_roles');
    ctx.body = v.list(ctx, 'roles', (await listRoles(api)).filter((r) => matches(ctx, r)).map((r) => v.role(ctx, r)));
  });
  router.get(`${base}/roles/:id`, async (ctx) => {
    await v.adminOnly(ctx, 'identity:get_role');
    const role = (await listRoles(api)).find((r) => r.id === ctx.params['id']);
    if (!role) throw new NotFoundError(`Could not find role: ${ctx.params['id'] ?? ''}.`);
    ctx.body = { role: v.role(ctx, role) };
  });
  router.post(`${base}/roles`, async (ctx) => {
    await v.adminOnly(ctx, 'identity:create_role');
    const body = validate<{ role: { name: string; description?: string | null } }>(RoleCreateBody, ctx.state.body).role;
    await v.written(ctx, 201, { role: v.role(ctx, await createRole(api, body)) });
  });
  router.patch(`${base}/roles/:id`, async (ctx) => {
    await v.adminOnly(ctx, 'identity:update_role');
    const body = validate<{ role: { name?: string; description?: string | null } }>(RoleUpdateBody, ctx.state.body).role;
    await v.written(ctx, 200, { role: v.role(ctx, await updateRole(api, await roleId(api, ctx.params['id']), body)) });
  });
  router.delete(`${base}/roles/:id`, async (ctx) => {
    await v.adminOnly(ctx, 'identity:delete_role');
    await deleteRole(api, await roleId(api, ctx.params['id']));
    await v.written(ctx, 204);
  });

  for (const target of ['project', 'domain'] as const) {
    for (const actor of ['user', 'group'] as const) {
      const path = `${base}/${plural[target]}/:target/${plural[actor]}/:actor/roles`;
      const grant = (ctx: Ctx): Grant => ({ actor, actorId: ctx.params['actor'] ?? '', target, targetId: ctx.params['target'] ?? '' });
      const rule = (verb: string) => `identity:${verb}_grant`;
      router.get(path, async (ctx) => {
        await v.adminOnly(ctx, 'identity:list_grants');
        ctx.body = v.list(ctx, 'roles', (await grantedRoles(api, grant(ctx))).map((r) => v.role(ctx, r)));
      });
      router.put(`${path}/:role`, async (ctx) => {
        await v.adminOnly(ctx, rule('create'));
        await grantRole(api, grant(ctx), await roleId(api, ctx.params['role']));
        await v.written(ctx, 204);
      });
      router.get(`${path}/:role`, async (ctx) => {
        await v.adminOnly(ctx, rule('check'));
        await checkGrant(api, grant(ctx), await roleId(api, ctx.params['role']));
        ctx.status = 204;
      });
      router.delete(`${path}/:role`, async (ctx) => {
        await v.adminOnly(ctx, rule('revoke'));
        await revokeGrant(api, grant(ctx), await roleId(api, ctx.params['role']));
        await v.written(ctx, 204);
      });
    }
  }

  router.get(`${base}/role_assignments`, async (ctx) => {
    await v.adminOnly(ctx, 'identity:list_role_assignments');
    const effective = ctx.query['effective'] !== undefined && queryBool(queryText(ctx, 'effective') || 'true');
    const filter = {
      userId: queryText(ctx, 'user.id'),
      groupId: queryText(ctx, 'group.id'),
      projectId: queryText(ctx, 'scope.project.id'),
      domainId: queryText(ctx, 'scope.domain.id'),
      roleId: queryText(ctx, 'role.id'),
      effective,
    };
    if (effective && filter.groupId) throw new InvalidInputError('Combining effective and group filter will always result in an empty list.');
    if (filter.projectId && filter.domainId) throw new InvalidInputError('Specify a domain or project, not both');
    const rows = await listAssignments(api, filter);
    const withNames = ctx.query['include_names'] !== undefined && queryBool(queryText(ctx, 'include_names') || 'true');
    const names = withNames ? await nameBook(api) : undefined;
    ctx.body = v.list(ctx, 'role_assignments', rows.map((a) => assignmentView(ctx, v, a, names)));
  });
}

/** Role routes take a role's id; clients that pass a name get it resolved too. */
async function roleId(api: ApiDatabase, value: string | undefined): Promise<string> {
  return (await findRole(api, value ?? '')).id;
}

type Named = { name: string; domain?: { id: string; name: string } };
type NameBook = Record<ActorKind | TargetKind | 'role', Map<string, Named>>;

/** Names for include_names, read once per listing. */
async function nameBook(api: ApiDatabase): Promise<NameBook> {
  const domains = new Map((await listDomains(api)).map((d) => [d.id, { name: d.name }]));
  const domainOf = (id: string) => ({ id, name: domains.get(id)?.name ?? '' });
  return {
    domain: domains,
    role: new Map((await listRoles(api)).map((r) => [r.id, { name: r.name }])),
    user: new Map((await listUsers(api)).map((u) => [u.id, { name: u.name, domain: domainOf(u.domain_id) }])),
    group: new Map((await listGroups(api)).map((g) => [g.id, { name: g.name, domain: domainOf(g.domain_id) }])),
    project: new Map((await listProjects(api)).map((p) => [p.id, { name: p.name, domain: domainOf(p.domain_id) }])),
  };
}

function assignmentView(ctx: Ctx, v: IdentityViews, a: Assignment, names: NameBook | undefined) {
  const ref = (kind: ActorKind | TargetKind | 'role', id: string) => ({ id, ...(names ? (names[kind].get(id) ?? {}) : {}) });
  const actorPath = `${plural[a.actor]}/${a.actorId}`;
  const link = a.viaGroup
    ? { assignment: v.url(ctx, `${plural[a.target]}/${a.targetId}/groups/${a.viaGroup}/roles/${a.roleId}`), membership: v.url(ctx, `groups/${a.viaGroup}/users/${a.actorId}`) }
    : { assignment: v.url(ctx, `${plural[a.target]}/${a.targetId}/${actorPath}/roles/${a.roleId}`) };
  return { role: ref('role', a.roleId), [a.actor]: ref(a.actor, a.actorId), scope: { [a.target]: ref(a.target, a.targetId) }, links: link };
}

