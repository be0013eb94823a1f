import Router, { type RouterContext } from '@koa/router';
import type { AuthRequest, IdentityService } from '../../identity/index.js';
import { NotFoundError, UnauthorizedError } from '../../../ops/runtime/index.js';
import { AuthTokensBody } from '../schemas/identity.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';

const v3 = (publicUrl: string) => ({
  id: 'v3.14',
  status: 'stable',
  updated: '2020-04-07T00:00:00Z',
  links: [{ rel: 'self', href: `${publicUrl}/identity/v3/` }],
  'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
});

/** Keystone v3, the part clients use to log in: discovery, tokens, catalog. */
export function identityRouter(identity: IdentityService, publicUrl: string): Router<ApiState> {
  const router = new Router<ApiState>();
  router.get(['/identity', '/identity/'], (ctx) => {
    ctx.status = 300;
    ctx.body = { versions: { values: [v3(publicUrl)] } };
  });
  for (const base of ['/identity/v3', '/v3']) {
    router.get([base, `${base}/`], (ctx) => {
      ctx.body = { version: v3(publicUrl) };
    });
    router.post(`${base}/auth/tokens`, async (ctx) => {
      const body = validate<AuthRequest>(AuthTokensBody, ctx.state.body);
      const { token, claims } = await identity.issue(body);
      ctx.status = 201;
      ctx.set('x-subject-token', token);
      ctx.body = await identity.describe(claims, !ctx.query['nocatalog']);
    });
    const subject = async (ctx: RouterContext<ApiState>) => {
      await identity.validate(ctx.get('x-auth-token'));
      const token = ctx.get('x-subject-token');
      return identity.validate(token).catch(() => {
        throw new NotFoundError('Could not find token.');
      });
    };
    router.get(`${base}/auth/tokens`, async (ctx) => {
      const claims = await subject(ctx);
      ctx.set('x-subject-token', ctx.get('x-subject-token'));
      ctx.body = await identity.describe(claims, !ctx.query['nocatalog']);
    });
    router.head(`${base}/auth/tokens`, async (ctx) => {
      await subject(ctx);
      ctx.status = 200;
    });
    router.delete(`${base}/auth/tokens`, async (ctx) => {
      await identity.validate(ctx.get('x-auth-token'));
      await identity.revoke(ctx.get('x-subject-token')).catch(() => {
        throw new NotFoundError('Could not find token.');
      });
      ctx.status = 204;
    });
    router.get(`${base}/auth/catalog`, async (ctx) => {
      const claims = await identity.validate(ctx.get('x-auth-token'));
      if (!claims.projectId) throw new UnauthorizedError('A project-scoped token is required for the catalog.');
      ctx.body = { catalog: identity.catalog, links: { self: `${publicUrl}/identity/v3/auth/catalog` } };
    });
  }
  return router;
}
