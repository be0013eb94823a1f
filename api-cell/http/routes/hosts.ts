import type Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import { assertComputeHost, listHosts, showHost, type HostDeps } from '../../hosts/index.js';
import { NotFoundError } from '../../../ops/runtime/index.js';
import { NotImplementedError } from '../errors.js';
import { atLeast } from '../microversion.js';
import { requireAdmin } from '../policy.js';
import { validateQuery } from '../query.js';
import { HostListQuery, UpdateHostBody } from '../schemas/hosts.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import type { ApiServices } from './services.js';

type Ctx = ParameterizedContext<ApiState>;

const rule = (action: string): string => `os_compute_api:os-hosts:${action}`;

/** os-hosts went at 2.43 (os-services and os-hypervisors took its place): 404, as Nova answers. */
function allowed(ctx: Ctx, action: string): void {
  if (atLeast(ctx.state.version, '2.43')) throw new NotFoundError('The resource could not be found.');
  requireAdmin(ctx.state.context, rule(action));
}

const unsupported = (): NotImplementedError => new NotImplementedError('The requested functionality is not supported.');

/** os-hosts (admin, up to 2.42): hosts by service and zone, a host's resources; power and maintenance are not supported. */
export function registerHostRoutes(router: Router<ApiState>, services: ApiServices): void {
  const deps = (ctx: Ctx): HostDeps => ({ api: services.api, registry: services.registry, config: services.config, log: ctx.state.log });

  router.get('/v2.1/os-hosts', async (ctx) => {
    allowed(ctx, 'list');
    const zone = validateQuery<HostListQuery>(HostListQuery, ctx.query).zone;
    const last = Array.isArray(zone) ? zone.at(-1) : zone;
    ctx.body = { hosts: await listHosts(deps(ctx), last || undefined) };
  });

  router.get('/v2.1/os-hosts/:host', async (ctx) => {
    allowed(ctx, 'show');
    const resources = await showHost(deps(ctx), ctx.params['host'] ?? '');
    ctx.body = { host: resources.map((resource) => ({ resource })) };
  });

  // Enabling a host, its maintenance mode and its power are driver calls no driver here (nor libvirt) has.
  router.put('/v2.1/os-hosts/:host', async (ctx) => {
    allowed(ctx, 'update');
    validate<UpdateHostBody>(UpdateHostBody, ctx.state.body);
    await assertComputeHost(deps(ctx), ctx.params['host'] ?? '');
    throw unsupported();
  });

  for (const action of ['startup', 'shutdown', 'reboot'] as const) {
    router.get(`/v2.1/os-hosts/:host/${action}`, async (ctx) => {
      allowed(ctx, action === 'startup' ? 'start' : action);
      await assertComputeHost(deps(ctx), ctx.params['host'] ?? '');
      throw unsupported();
    });
  }
}
