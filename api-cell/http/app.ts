import Router from '@koa/router';
import Koa from 'koa';
import { workerCounts, type Config, type Logger } from '../../ops/runtime/index.js';
import { MethodNotAllowedError } from './errors.js';
import { authenticate, faults, jsonBody, microversions, requestIds, serviceOnly, volumesBootAlias } from './middleware.js';
import { registerFlavorRoutes } from './routes/flavors.js';
import { registerAggregateRoutes } from './routes/aggregates.js';
import { registerAvailabilityZoneRoutes } from './routes/availability-zones.js';
import { registerComputeServiceRoutes } from './routes/compute-services.js';
import { registerAttachmentRoutes } from './routes/attachments.js';
import { registerExtensionRoutes } from './routes/extensions.js';
import { registerHostRoutes } from './routes/hosts.js';
import { registerHypervisorRoutes } from './routes/hypervisors.js';
import { registerImageProxyRoutes } from './routes/image-proxy.js';
import { registerVolumeProxyRoutes } from './routes/volume-proxy.js';
import { identityRouter } from './routes/identity.js';
import { identityResourceRouter } from './routes/identity-resources.js';
import { imageRouter } from './routes/images.js';
import { networkRouter } from './routes/network.js';
import { networkJsonSuffix } from '../network/index.js';
import { registerLimitsRoutes } from './routes/limits.js';
import { registerKeypairRoutes } from './routes/keypairs.js';
import { registerPlacementRoutes } from './routes/placement.js';
import { registerMigrationRoutes } from './routes/migrations.js';
import { registerServerActionRoutes } from './routes/server-actions.js';
import { registerServerResourceRoutes } from './routes/server-resources.js';
import { registerServerListRoutes } from './routes/servers-list.js';
import { registerQuotaClassRoutes } from './routes/quota-classes.js';
import { registerQuotaRoutes } from './routes/quota-sets.js';
import { registerServerExternalEventRoutes } from './routes/server-external-events.js';
import { registerUsageAuditLogRoutes } from './routes/usage-audit-log.js';
import { registerServerGroupRoutes } from './routes/server-groups.js';
import { registerServerRoutes } from './routes/servers.js';
import type { ApiServices } from './routes/services.js';
import { registerTenantUsageRoutes } from './routes/tenant-usage.js';
import { registerConsolePage, registerConsoleRoutes } from './routes/consoles.js';
import { registerDiagnosticsRoutes } from './routes/diagnostics.js';
import type { ApiState } from './state.js';
import { registerVersionRoutes } from './versions.js';
import { volumeRouter } from '../volume/index.js';

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
    // Under a primary, how many API workers listen: `cellctl status` shows it.
    const workers = workerCounts();
    if (workers) ctx.set('x-cellstack-api-workers', `${workers.listening}/${workers.wanted}`);
    ctx.body = 'OK';
  });
  registerVersionRoutes(open, { publicUrl: deps.services.publicUrl });
  registerConsolePage(open, deps.services);

  const identity = identityRouter(deps.services.identity, deps.services.publicUrl);
  const identityResources = identityResourceRouter(deps.services.identity, deps.services.api, deps.services.publicUrl);
  const image = imageRouter(deps.services);
  const network = networkRouter(deps.services);
  const volume = volumeRouter({ config: deps.config, identity: deps.services.identity, volumes: deps.services.volumes, publicUrl: deps.services.publicUrl });

  const compute = new Router<ApiState>();
  compute.use(microversions(), authenticate(deps.config, deps.services.identity));
  registerServerListRoutes(compute, deps.services);
  registerServerRoutes(compute, deps.services);
  registerServerResourceRoutes(compute, deps.services);
  registerServerActionRoutes(compute, deps.services, deps.services.moves);
  registerMigrationRoutes(compute, deps.services);
  registerServerGroupRoutes(compute, deps.services);
  registerQuotaRoutes(compute, deps.services);
  registerLimitsRoutes(compute, deps.services);
  registerTenantUsageRoutes(compute, deps.services);
  registerFlavorRoutes(compute, deps.services);
  registerKeypairRoutes(compute, deps.services);
  registerAggregateRoutes(compute, deps.services);
  registerAvailabilityZoneRoutes(compute, deps.services);
  registerHypervisorRoutes(compute, deps.services);
  registerComputeServiceRoutes(compute, deps.services);
  registerConsoleRoutes(compute, deps.services);
  registerDiagnosticsRoutes(compute, deps.services);
  registerHostRoutes(compute, deps.services);
  registerAttachmentRoutes(compute, deps.services);
  registerImageProxyRoutes(compute, deps.services);
  registerVolumeProxyRoutes(compute, deps.services);
  registerExtensionRoutes(compute);
  registerQuotaClassRoutes(compute, deps.services);
  registerServerExternalEventRoutes(compute, deps.services);
  registerUsageAuditLogRoutes(compute, deps.services);

  const placement = new Router<ApiState>();
  placement.use(serviceOnly(deps.config, deps.services.identity));
  registerPlacementRoutes(placement, deps.services);

  const notAllowed = { throw: true, methodNotAllowed: () => new MethodNotAllowedError('Method not allowed for this resource.') };
  app.use(requestIds(deps.log));
  app.use(faults());
  app.use(jsonBody(deps.config.api.max_body_bytes));
  app.use(volumesBootAlias());
  app.use(networkJsonSuffix());
  for (const router of [open, identity, identityResources, image, network, volume, compute, placement]) {
    app.use(router.routes());
    app.use(router.allowedMethods(notAllowed));
  }
  return app;
}
