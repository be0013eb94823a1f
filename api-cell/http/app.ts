import Router from '@koa/router';
import Koa from 'koa';
import type { Config, Logger } from '../../ops/runtime/index.js';
import { MethodNotAllowedError } from './errors.js';
import { authenticate, faults, jsonBody, microversions, requestIds, serviceOnly } from './middleware.js';
import { registerAggregateRoutes } from './routes/aggregates.js';
import { registerAvailabilityZoneRoutes } from './routes/availability-zones.js';
import { registerComputeServiceRoutes } from './routes/compute-services.js';
import { registerHypervisorRoutes } from './routes/hypervisors.js';
import { identityRouter } from './routes/identity.js';
import { registerPlacementRoutes } from './routes/placement.js';
import { registerServerRoutes } from './routes/servers.js';
import type { ApiServices } from './routes/services.js';
import type { ApiState } from './state.js';
import { registerVersionRoutes } from './versions.js';

export interface AppDeps {
  config: Config;
  log: Logger;
  services: ApiServices;
}

/** The Compute API (and the placement calls services make) as a Koa application. */
export function createApp(deps: AppDeps): Koa<ApiState> {
  const app = new Koa<ApiState>();
  app.proxy = false;
  app.silent = true;
  const open = new Router<ApiState>();
  open.get('/healthcheck', (ctx) => {
    ctx.body = 'OK';
  });
  registerVersionRoutes(open, { publicUrl: deps.services.publicUrl });

  const identity = identityRouter(deps.services.identity, deps.services.publicUrl);

  const compute = new Router<ApiState>();
  compute.use(microversions(), authenticate(deps.config, deps.services.identity));
  registerServerRoutes(compute, deps.services);
  registerAggregateRoutes(compute, deps.services);
  registerAvailabilityZoneRoutes(compute, deps.services);
  registerHypervisorRoutes(compute, deps.services);
  registerComputeServiceRoutes(compute, deps.services);

  const placement = new Router<ApiState>();
  placement.use(serviceOnly(deps.config, deps.services.identity));
  registerPlacementRoutes(placement, deps.services);

  const notAllowed = { throw: true, methodNotAllowed: () => new MethodNotAllowedError('Method not allowed for this resource.') };
  app.use(requestIds(deps.log));
  app.use(faults());
  app.use(jsonBody(deps.config.api.max_body_bytes));
  for (const router of [open, identity, compute, placement]) {
    app.use(router.routes());
    app.use(router.allowedMethods(notAllowed));
  }
  return app;
}
