import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { ApiState } from '../../http/state.js';
import type { NetworkDeps } from './common.js';
import { registerFloatingIpRoutes } from './floating-ips.js';
import { registerNetworkRoutes } from './networks.js';
import { registerPortRoutes } from './ports.js';
import { registerRouterRoutes } from './routers.js';
import { registerSecurityGroupRoutes } from './security-groups.js';
import { registerServiceRoutes } from './service.js';
import { registerSubnetRoutes } from './subnets.js';

/** Clients may ask for `/network/v2.0/networks.json`: Neutron's routes take the suffix. */
export function networkJsonSuffix(): Middleware {
  return async (ctx, next) => {
    if (ctx.path.startsWith('/network/') && ctx.path.endsWith('.json')) ctx.path = ctx.path.slice(0, -'.json'.length);
    await next();
  };
}

/** The Networking API v2.0 under `/network`, behind the caller's authentication. */
export function networkApiRouter(deps: NetworkDeps, authenticate: Middleware<ApiState>): Router<ApiState> {
  const router = new Router<ApiState>();
  router.get(['/network', '/network/'], (ctx) => {
    ctx.body = { versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ rel: 'self', href: `${deps.publicUrl || ctx.origin}/network/v2.0/` }] }] };
  });
  const v2 = new Router<ApiState>({ prefix: '/network/v2.0' });
  v2.use(authenticate);
  registerServiceRoutes(v2, deps);
  registerNetworkRoutes(v2, deps);
  registerSubnetRoutes(v2, deps);
  registerPortRoutes(v2, deps);
  registerSecurityGroupRoutes(v2, deps);
  registerRouterRoutes(v2, deps);
  registerFloatingIpRoutes(v2, deps);
  router.use(v2.routes(), v2.allowedMethods({ throw: true }));
  return router;
}
