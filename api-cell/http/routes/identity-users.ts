import type Router from '@koa/router';
import { changePassword, createUser, deleteUser, findDomain, findProject, findUser, groupsOf, listUsers, updateUser } from '../../identity/index.js';
import { InvalidInputError } from '../../../ops/runtime/index.js';
import type { ApiDatabase } from '../../db/index.js';
import { PasswordChangeBody, UserCreateBody, UserUpdateBody } from '../schemas/identity.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import { matches, splitExtra, type IdentityViews } from './identity-common.js';

const KNOWN = ['name', 'password', 'enabled', 'default_project_id', 'domain_id', 'options'] as const;

interface UserBody {
  name?: string;
  password?: string | null;
  enabled?: boolean;
  default_project_id?: string | null;
  domain_id?: string;
  [extra: string]: unknown;
}

/** /v3/users: Keystone's admin writes, a user's own password change, and the reads. */
export function userRoutes(router: Router<ApiState>, base: string, api: ApiDatabase, v: IdentityViews): void {
  const defaultProject = async (id: string | null | undefined) => (id ? (await findProject(api, { id })).id : id);

  router.get(`${base}/users`, async (ctx) => {
    await v.adminOnly(ctx, 'identity:list_users');
    ctx.body = v.list(ctx, 'users', (await listUsers(api)).filter((u) => matches(ctx, u)).map((u) => v.user(ctx, u)));
  });
  router.get(`${base}/users/:id`, async (ctx) => {
    const id = ctx.params['id'] ?? '';
    await v.adminOrSelf(ctx, id, 'identity:get_user');
    ctx.body = { user: v.user(ctx, await findUser(api, { id })) };
  });
  router.post(`${base}/users`, async (ctx) => {
    await v.adminOnly(ctx, 'identity:create_user');
    const body = validate<{ user: UserBody & { name: string } }>(UserCreateBody, ctx.state.body).user;
    const domain = await findDomain(api, { id: body.domain_id });
    const user = await createUser(api, {
      name: body.name,
      password: body.password,
      domain: { id: domain.id },
      defaultProject: await defaultProject(body.default_project_id),
      enabled: body.enabled,
      extra: splitExtra(body, KNOWN),
    });
    await v.written(ctx, 201, { user: v.user(ctx, user) });
  });
  router.patch(`${base}/users/:id`, async (ctx) => {
    await v.adminOnly(ctx, 'identity:update_user');
    const body = validate<{ user: UserBody }>(UserUpdateBody, ctx.state.body).user;
    const current = await findUser(api, { id: ctx.params['id'] ?? '' });
    if (body.domain_id !== undefined && body.domain_id !== current.domain_id) throw new InvalidInputError('Cannot change Domain ID.');
    const user = await updateUser(api, current.id, {
      name: body.name,
      password: body.password,
      enabled: body.enabled,
      defaultProject: await defaultProject(body.default_project_id),
      extra: splitExtra(body, KNOWN),
    });
    await v.written(ctx, 200, { user: v.user(ctx, user) });
  });
  router.delete(`${base}/users/:id`, async (ctx) => {
    await v.adminOnly(ctx, 'identity:delete_user');
    await deleteUser(api, ctx.params['id'] ?? '');
    await v.written(ctx, 204);
  });
  // As in Keystone, the original password is the proof: a user whose token expired can still change it.
  router.post(`${base}/users/:id/password`, async (ctx) => {
    const body = validate<{ user: { password: string; original_password: string } }>(PasswordChangeBody, ctx.state.body).user;
    await changePassword(api, ctx.params['id'] ?? '', body.original_password, body.password);
    await v.written(ctx, 204);
  });
  router.get(`${base}/users/:id/groups`, async (ctx) => {
    const id = ctx.params['id'] ?? '';
    await v.adminOrSelf(ctx, id, 'identity:list_groups_for_user');
    ctx.body = v.list(ctx, 'groups', (await groupsOf(api, id)).filter((g) => matches(ctx, g)).map((g) => v.group(ctx, g)));
  });
}
