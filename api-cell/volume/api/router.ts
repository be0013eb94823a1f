import Router from '@koa/router';
import { formatVersion } from '../../http/microversion.js';
import { authenticate } from '../../http/middleware.js';
import type { ApiState } from '../../http/state.js';
import { registerAttachmentRoutes } from './attachments-routes.js';
import type { Ctx, VolumeApiDeps } from './common.js';
import { VOLUME_MAX, VOLUME_MIN, volumeMicroversions } from './microversion.js';
import { registerMetadataRoutes } from './metadata-routes.js';
import { registerQuotaRoutes } from './quotas-routes.js';
import { registerSnapshotRoutes } from './snapshots-routes.js';
import { registerTypeRoutes } from './types-routes.js';
import { registerVolumeRoutes } from './volumes-routes.js';

function versionDoc(ctx: Ctx, deps: VolumeApiDeps) {
  return {
    id: 'v3.0',
    status: 'CURRENT',
    version: formatVersion(VOLUME_MAX),
    min_version: formatVersion(VOLUME_MIN),
    updated: '2023-08-31T00:00:00Z',
    links: [{ rel: 'self', href: `${deps.publicUrl || ctx.origin}/volume/v3/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.volume+json;version=3' }],
  };
}

/** The Block Storage API v3 subset at /volume: versions without a token, everything else with one. */
export function volumeRouter(deps: VolumeApiDeps): Router<ApiState> {
  const router = new Router<ApiState>();
  router.get(['/volume', '/volume/'], (ctx) => {
    ctx.status = 300;
    ctx.body = { versions: [versionDoc(ctx, deps)] };
  });
  router.get(['/volume/v3', '/volume/v3/'], (ctx) => {
    ctx.body = { versions: [versionDoc(ctx, deps)] };
  });
  // Strict: `/volumes/` is no list (Cinder answers it 404), as Tempest checks.
  const v3 = new Router<ApiState>({ prefix: '/volume/v3', strict: true });
  v3.use(volumeMicroversions(), authenticate(deps.config, deps.identity));
  registerVolumeRoutes(v3, deps);
  registerSnapshotRoutes(v3, deps);
  registerTypeRoutes(v3, deps);
  registerAttachmentRoutes(v3, deps);
  registerQuotaRoutes(v3, deps);
  registerMetadataRoutes(v3, deps);
  router.use(v3.routes(), v3.allowedMethods({ throw: true }));
  return router;
}
