import type Router from '@koa/router';
import { projectQuotas, projectQuotaUsage } from '../../quota/index.js';
import { atLeast } from '../microversion.js';
import { requireAdmin } from '../policy.js';
import { validateQuery } from '../query.js';
import { LimitsQuery, LimitsQueryV275 } from '../schemas/quota-sets.js';
import type { ApiState } from '../state.js';
import { limitsView } from '../views/quotas.js';
import type { ApiServices } from './services.js';

/** GET /limits: the caller's project's absolute limits and usage; another project's for admins (`tenant_id`). */
export function registerLimitsRoutes(router: Router<ApiState>, services: ApiServices): void {
  router.get('/v2.1/limits', async (ctx) => {
    const { context, version } = ctx.state;
    const query = validateQuery<{ tenant_id?: string }>(atLeast(version, '2.75') ? LimitsQueryV275 : LimitsQuery, ctx.query);
    let projectId = context.projectId;
    if (query.tenant_id !== undefined) {
      requireAdmin(context, 'os_compute_api:limits:other_project');
      projectId = query.tenant_id;
    }
    const [limits, used] = await Promise.all([projectQuotas(services.api, projectId, services.config.quota), projectQuotaUsage(services.api, projectId)]);
    ctx.body = limitsView(limits, used, version);
  });
}
