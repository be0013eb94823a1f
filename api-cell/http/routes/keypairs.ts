import type Router from '@koa/router';
import type { TSchema } from '@sinclair/typebox';
import type { ParameterizedContext } from 'koa';
import { createKeypair, deleteKeypair, findKeypair, listKeypairs } from '../../keypairs/index.js';
import { ForbiddenError } from '../../../ops/runtime/index.js';
import { atLeast, type Microversion } from '../microversion.js';
import { nextLinks, pageLimit } from '../paging.js';
import { validateQuery } from '../query.js';
import { lastOf, noContent } from '../respond.js';
import {
  CreateKeypairBody,
  CreateKeypairBodyV210,
  CreateKeypairBodyV22,
  CreateKeypairBodyV292,
  KeypairListQueryV235,
  KeypairListQueryV275,
  KeypairQueryV21,
  KeypairQueryV210,
  KeypairQueryV275,
  type KeypairQuery,
} from '../schemas/keypairs.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import { keypairBriefView, keypairCreatedView, keypairView } from '../views/keypairs.js';
import type { ApiServices } from './services.js';

type Ctx = ParameterizedContext<ApiState>;

function querySchema(version: Microversion, list: boolean): TSchema {
  if (!atLeast(version, '2.10')) return KeypairQueryV21;
  if (atLeast(version, '2.75')) return list ? KeypairListQueryV275 : KeypairQueryV275;
  return list && atLeast(version, '2.35') ? KeypairListQueryV235 : KeypairQueryV210;
}

function createSchema(version: Microversion): TSchema {
  if (atLeast(version, '2.92')) return CreateKeypairBodyV292;
  if (atLeast(version, '2.10')) return CreateKeypairBodyV210;
  if (atLeast(version, '2.2')) return CreateKeypairBodyV22;
  return CreateKeypairBody;
}

/** Whose key pairs: the caller's, or (from 2.10) the user_id asked for; only admins may name another user. */
function owner(ctx: Ctx, action: string, requested: string | undefined): string {
  const { context } = ctx.state;
  const userId = (atLeast(ctx.state.version, '2.10') && requested) || context.userId;
  if (userId !== context.userId && !context.isAdmin) throw new ForbiddenError(`Policy doesn't allow os_compute_api:os-keypairs:${action} to be performed.`);
  return userId;
}

/** The first user_id of the query, as Nova reads it. */
const queryUser = (ctx: Ctx, list: boolean): { query: KeypairQuery; userId: string | undefined } => {
  const query = validateQuery<KeypairQuery>(querySchema(ctx.state.version, list), ctx.query);
  return { query, userId: query.user_id?.[0] };
};

export function registerKeypairRoutes(router: Router<ApiState>, services: ApiServices): void {
  router.get('/v2.1/os-keypairs', async (ctx) => {
    const { query, userId } = queryUser(ctx, true);
    const user = owner(ctx, 'index', userId);
    const version = ctx.state.version;
    if (!atLeast(version, '2.35')) {
      ctx.body = { keypairs: (await listKeypairs(services.api, user)).map((k) => ({ keypair: keypairBriefView(k, version) })) };
      return;
    }
    const limit = pageLimit(lastOf(query.limit), services.config.api.max_limit);
    const marker = lastOf(query.marker);
    const page = await listKeypairs(services.api, user, marker === undefined ? { limit } : { limit, marker });
    const body: Record<string, unknown> = { keypairs: page.map((k) => ({ keypair: keypairBriefView(k, version) })) };
    const next = nextLinks(services.publicUrl, '/v2.1/os-keypairs', ctx.query, page, limit, () => page.at(-1)?.name ?? '');
    if (next.length > 0) body['keypairs_links'] = next;
    ctx.body = body;
  });

  router.get('/v2.1/os-keypairs/:name', async (ctx) => {
    const user = owner(ctx, 'show', queryUser(ctx, false).userId);
    ctx.body = { keypair: keypairView(await findKeypair(services.api, user, ctx.params['name'] ?? ''), ctx.state.version) };
  });

  router.delete('/v2.1/os-keypairs/:name', async (ctx) => {
    const user = owner(ctx, 'delete', queryUser(ctx, false).userId);
    await deleteKeypair(services.api, user, ctx.params['name'] ?? '');
    noContent(ctx, atLeast(ctx.state.version, '2.2') ? 204 : 202);
  });

  router.post('/v2.1/os-keypairs', async (ctx) => {
    const version = ctx.state.version;
    const { keypair: body } = validate<CreateKeypairBody>(createSchema(version), ctx.state.body);
    const user = owner(ctx, 'create', body.user_id);
    const created = await createKeypair(services.api, services.config.quota, {
      userId: user,
      projectId: ctx.state.context.projectId,
      name: body.name.trim(),
      type: body.type ?? 'ssh',
      ...(body.public_key === undefined ? {} : { publicKey: body.public_key }),
    });
    ctx.status = atLeast(version, '2.2') ? 201 : 200;
    ctx.body = { keypair: keypairCreatedView(created.keypair, version, created.privateKey) };
  });
}
