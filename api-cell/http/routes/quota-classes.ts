import type Router from '@koa/router';
import { classQuotas, setClassQuotas, type QuotaResource, type QuotaValues } from '../../quota/index.js';
import { InvalidInputError } from '../../../ops/runtime/index.js';
import { atLeast } from '../microversion.js';
import { requireAdmin } from '../policy.js';
import { strictQuery } from '../query.js';
import { UpdateQuotaClassV21, UpdateQuotaClassV250, UpdateQuotaClassV257, type UpdateQuotaClassBody } from '../schemas/quota-sets.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import { quotaClassView } from '../views/quotas.js';
import type { ApiServices } from './services.js';

const rule = (action: string): string => `os_compute_api:os-quota-class-sets:${action}`;

function limitsOf(body: UpdateQuotaClassBody): Partial<QuotaValues> {
  const changes: Partial<QuotaValues> = {};
  for (const [key, raw] of Object.entries(body.quota_class_set)) {
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < -1 || value > 0x7fffffff) {
      throw new InvalidInputError(`Invalid input for field/attribute quota_class_set/${key}. Value: ${String(raw)}. It must be an integer from -1 to ${0x7fffffff}.`);
    }
    changes[key as QuotaResource] = value;
  }
  return changes;
}

/**
 * os-quota-class-sets (admin): a class's limits, show and update. Only the `default` class
 * counts: it is what every project without limits of its own gets.
 */
export function registerQuotaClassRoutes(router: Router<ApiState>, services: ApiServices): void {
  const { api, config } = services;

  router.get('/v2.1/os-quota-class-sets/:id', async (ctx) => {
    requireAdmin(ctx.state.context, rule('show'));
    strictQuery(ctx, '2.102');
    const id = ctx.params['id'] ?? '';
    ctx.body = quotaClassView(id, await classQuotas(api, id, config.quota), ctx.state.version);
  });

  router.put('/v2.1/os-quota-class-sets/:id', async (ctx) => {
    const { context, version } = ctx.state;
    requireAdmin(context, rule('update'));
    const schema = atLeast(version, '2.57') ? UpdateQuotaClassV257 : atLeast(version, '2.50') ? UpdateQuotaClassV250 : UpdateQuotaClassV21;
    const body = validate<UpdateQuotaClassBody>(schema, ctx.state.body);
    const id = ctx.params['id'] ?? '';
    if (id.length < 1 || id.length > 255) throw new InvalidInputError('quota_class_name has a length of 1 to 255 characters.');
    await setClassQuotas(api, id, limitsOf(body));
    if (id === 'default') services.creator.forgetLimits();
    ctx.body = quotaClassView(null, await classQuotas(api, id, config.quota), version);
  });
}
