import type Router from '@koa/router';
import { availabilityZones, type HostDeps, type ZoneInfo } from '../../hosts/index.js';
import { requireAdmin } from '../policy.js';
import type { ApiState } from '../state.js';
import { isoTime } from '../views/links.js';
import type { ApiServices } from './services.js';

function zoneView(zone: ZoneInfo): Record<string, unknown> {
  if (!zone.hosts) return { ...zone };
  const hosts = Object.fromEntries(
    Object.entries(zone.hosts).map(([host, binaries]) => [
      host,
      Object.fromEntries(Object.entries(binaries).map(([binary, s]) => [binary, { ...s, updated_at: isoTime(s.updated_at) }])),
    ]),
  );
  return { ...zone, hosts };
}

/** os-availability-zone: zone names for anyone, with hosts and their services for admins. */
export function registerAvailabilityZoneRoutes(router: Router<ApiState>, services: ApiServices): void {
  const deps = (log: HostDeps['log']): HostDeps => ({ api: services.api, registry: services.registry, config: services.config, log });

  router.get('/v2.1/os-availability-zone', async (ctx) => {
    ctx.body = { availabilityZoneInfo: (await availabilityZones(deps(ctx.state.log), false)).map(zoneView) };
  });

  router.get('/v2.1/os-availability-zone/detail', async (ctx) => {
    requireAdmin(ctx.state.context, 'os_compute_api:os-availability-zone:detail');
    ctx.body = { availabilityZoneInfo: (await availabilityZones(deps(ctx.state.log), true)).map(zoneView) };
  });
}
