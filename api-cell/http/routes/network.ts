import Router from '@koa/router';
import { NotFoundError } from '../../../ops/runtime/index.js';
import { authenticate } from '../middleware.js';
import type { ApiState } from '../state.js';
import type { ApiServices } from './services.js';

/** Neutron's quota keys; this deployment has no networking, so every limit is 0. */
const QUOTA_KEYS = ['floatingip', 'network', 'port', 'rbac_policy', 'router', 'security_group', 'security_group_rule', 'subnet', 'subnetpool'];

/**
 * A network endpoint with nothing in it. cellstack does not do networking (servers boot with
 * `--nic none`), but clients probe the network service for some commands (`openstack
 * availability zone list`, `quota show`): they get an empty Neutron v2.0 instead of an error.
 */
export function networkRouter(services: ApiServices): Router<ApiState> {
  const router = new Router<ApiState>();
  router.get(['/network', '/network/'], (ctx) => {
    ctx.body = { versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ rel: 'self', href: `${services.publicUrl || ctx.origin}/network/v2.0/` }] }] };
  });
  const v2 = new Router<ApiState>({ prefix: '/network/v2.0' });
  v2.use(authenticate(services.config, services.identity));
  v2.get('/', (ctx) => {
    ctx.body = { resources: [] };
  });
  for (const collection of ['extensions', 'availability_zones', 'networks', 'subnets', 'ports', 'security_groups', 'floatingips', 'routers']) {
    v2.get([`/${collection}`, `/${collection}.json`], (ctx) => {
      ctx.body = { [collection]: [] };
    });
  }
  v2.get('/extensions/:alias', (ctx) => {
    throw new NotFoundError(`Extension with alias ${ctx.params['alias'] ?? ''} does not exist`);
  });
  const quota = () => Object.fromEntries(QUOTA_KEYS.map((k) => [k, 0]));
  v2.get(['/quotas/:project', '/quotas/:project.json', '/quotas/:project/default', '/quotas/:project/default.json'], (ctx) => {
    ctx.body = { quota: quota() };
  });
  v2.get(['/quotas/:project/details', '/quotas/:project/details.json'], (ctx) => {
    ctx.body = { quota: Object.fromEntries(QUOTA_KEYS.map((k) => [k, { limit: 0, used: 0, reserved: 0 }])) };
  });
  router.use(v2.routes(), v2.allowedMethods({ throw: true }));
  return router;
}
