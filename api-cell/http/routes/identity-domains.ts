import type Router from '@koa/router';
import {
  addGroupMember,
  checkGroupMember,
  createDomain,
  createGroup,
  deleteDomain,
  deleteGroup,
  findDomain,
  findGroup,
  getDomain,
  groupMembers,
  listDomains,
  listGroups,
  removeGroupMember,
  updateDomain,
  updateGroup,
} from '../../identity/index.js';
import { InvalidInputError } from '../../../ops/runtime/index.js';
import type { ApiDatabase } from '../../db/index.js';
import { DomainCreateBody, DomainUpdateBody, GroupCreateBody, GroupUpdateBody } from '../schemas/identity.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import { matches, type IdentityViews } from './identity-common.js';

interface DomainBody {
  name?: string;
  description?: string | null;
  enabled?: boolean;
}

interface GroupBody {
  name?: string;
  description?: string | null;
  domain_id?: string;
}

/** /v3/domains and /v3/groups with their members (GET and HEAD check a membership, as in Keystone). */
export function domainAndGroupRoutes(router: Router<ApiState>, base: string, api: ApiDatabase, v: IdentityViews): void {
  router.get(`${base}/domains`, async (ctx) => {
    await v.adminOnly(ctx, 'identity:list_domains');
    ctx.body = v.list(ctx, 'domains', (await listDomains(api)).filter((d) => matches(ctx, d)).map((d) => v.domain(ctx, d)));
  });
  router.get(`${base}/domains/:id`, async (ctx) => {
    const who = await v.caller(ctx);
    const id = ctx.params['id'] ?? '';
    // Anyone may look up an enabled domain (clients resolve user and project domains); only admins see disabled ones.
    ctx.body = { domain: v.domain(ctx, who.isAdmin ? await getDomain(api, id) : await findDomain(api, { id })) };
  });
  router.post(`${base}/domains`, async (ctx) => {
    await v.adminOnly(ctx, 'identity:create_domain');
    const body = validate<{ domain: DomainBody & { name: string } }>(DomainCreateBody, ctx.state.body).domain;
    await v.written(ctx, 201, { domain: v.domain(ctx, await createDomain(api, body)) });
  });
  router.patch(`${base}/domains/:id`, async (ctx) => {
    await v.adminOnly(ctx, 'identity:update_domain');
    const body = validate<{ domain: DomainBody }>(DomainUpdateBody, ctx.state.body).domain;
    await v.written(ctx, 200, { domain: v.domain(ctx, await updateDomain(api, ctx.params['id'] ?? '', body)) });
  });
  router.delete(`${base}/domains/:id`, async (ctx) => {
    await v.adminOnly(ctx, 'identity:delete_domain');
    await deleteDomain(api, ctx.params['id'] ?? '');
    await v.written(ctx, 204);
  });

  router.get(`${base}/groups`, async (ctx) => {
    await v.adminOnly(ctx, 'identity:list_groups');
    ctx.body = v.list(ctx, 'groups', (await listGroups(api)).filter((g) => matches(ctx, g)).map((g) => v.group(ctx, g)));
  });
  router.get(`${base}/groups/:id`, async (ctx) => {
    await v.adminOnly(ctx, 'identity:get_group');
    ctx.body = { group: v.group(ctx, await findGroup(api, { id: ctx.params['id'] ?? '' })) };
  });
  router.post(`${base}/groups`, async (ctx) => {
    await v.adminOnly(ctx, 'identity:create_group');
    const body = validate<{ group: GroupBody & { name: string } }>(GroupCreateBody, ctx.state.body).group;
    const group = await createGroup(api, { name: body.name, description: body.description, domain: { id: body.domain_id } });
    await v.written(ctx, 201, { group: v.group(ctx, group) });
  });
  router.patch(`${base}/groups/:id`, async (ctx) => {
    await v.adminOnly(ctx, 'identity:update_group');
    const body = validate<{ group: GroupBody }>(GroupUpdateBody, ctx.state.body).group;
    const current = await findGroup(api, { id: ctx.params['id'] ?? '' });
    if (body.domain_id !== undefined && body.domain_id !== current.domain_id) throw new InvalidInputError('Cannot change Domain ID.');
    await v.written(ctx, 200, { group: v.group(ctx, await updateGroup(api, current.id, body)) });
  });
  router.delete(`${base}/groups/:id`, async (ctx) => {
    await v.adminOnly(ctx, 'identity:delete_group');
    await deleteGroup(api, ctx.params['id'] ?? '');
    await v.written(ctx, 204);
  });

  router.get(`${base}/groups/:id/users`, async (ctx) => {
    await v.adminOnly(ctx, 'identity:list_users_in_group');
    ctx.body = v.list(ctx, 'users', (await groupMembers(api, ctx.params['id'] ?? '')).filter((u) => matches(ctx, u)).map((u) => v.user(ctx, u)));
  });
  const member = `${base}/groups/:id/users/:user`;
  router.put(member, async (ctx) => {
    await v.adminOnly(ctx, 'identity:add_user_to_group');
    await addGroupMember(api, ctx.params['id'] ?? '', ctx.params['user'] ?? '');
    await v.written(ctx, 204);
  });
  router.get(member, async (ctx) => {
    await v.adminOnly(ctx, 'identity:check_user_in_group');
    await checkGroupMember(api, ctx.params['id'] ?? '', ctx.params['user'] ?? '');
    ctx.status = 204;
  });
  router.delete(member, async (ctx) => {
    await v.adminOnly(ctx, 'identity:remove_user_from_group');
    await removeGroupMember(api, ctx.params['id'] ?? '', ctx.params['user'] ?? '');
    await v.written(ctx, 204);
  });
}
