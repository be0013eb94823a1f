import type Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import type { RequestContext } from '../../context.js';
import {
  defaultQuotas,
  projectQuotas,
  projectQuotaUsage,
  resetProjectQuotas,
  resetUserQuotas,
  setProjectQuotas,
  setUserQuotas,
  userQuotaMaximums,
  userQuotas,
  userQuotaUsage,
  type QuotaResource,
  type QuotaValues,
} from '../../quota/index.js';
import { InvalidInputError } from '../../../ops/runtime/index.js';
import { atLeast } from '../microversion.js';
import { requireAdmin, requireReader } from '../policy.js';
import { validateQuery } from '../query.js';
import {
  isTrue,
  QuotaSetQuery,
  QuotaSetQueryV275,
  UpdateQuotaSetV21,
  UpdateQuotaSetV236,
  UpdateQuotaSetV257,
  type UpdateQuotaSetBody,
} from '../schemas/quota-sets.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import { quotaDetailView, quotaSetView } from '../views/quotas.js';
import type { ApiServices } from './services.js';

const rule = (action: string): string => `os_compute_api:os-quota-sets:${action}`;

/** Readers see their own project's quotas; another project's need an admin. */
function requireProjectReader(context: RequestContext, projectId: string, action: string): void {
  if (context.projectId !== projectId) requireAdmin(context, rule(action));
  requireReader(context, rule(action));
}

/** The user a request is about (`?user_id=`, the first one given, as Nova reads it), or none for the whole project. */
function userOf(ctx: ParameterizedContext<ApiState>): string | undefined {
  const query = validateQuery<{ user_id?: string | string[] }>(atLeast(ctx.state.version, '2.75') ? QuotaSetQueryV275 : QuotaSetQuery, ctx.query);
  const user = Array.isArray(query.user_id) ? query.user_id[0] : query.user_id;
  return user === undefined || user === '' ? undefined : user;
}

/**
 * The new limits, checked as Nova does: none below what is in use, and for a user none above
 * what the project has left (`maximums`), unless forced.
 */
function checkedChanges(body: UpdateQuotaSetBody, used: QuotaValues, maximums?: QuotaValues): Partial<QuotaValues> {
  const force = isTrue(body.quota_set['force']);
  const changes: Partial<QuotaValues> = {};
  for (const [key, raw] of Object.entries(body.quota_set)) {
    if (key === 'force') continue;
    const resource = key as QuotaResource;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < -1 || value > 0x7fffffff) {
      throw new InvalidInputError(`Invalid input for field/attribute quota_set/${key}. Value: ${String(raw)}. It must be an integer from -1 to ${0x7fffffff}.`);
    }
    const minimum = used[resource];
    if (!force && value !== -1 && value < minimum) {
      throw new InvalidInputError(`Quota limit ${value} for ${key} must be greater than or equal to already used and reserved ${minimum}.`);
    }
    const maximum = maximums?.[resource] ?? -1;
    if (!force && maximum >= 0 && (value === -1 || value > maximum)) {
      throw new InvalidInputError(`Quota limit ${value} for ${key} must be less than or equal to ${maximum}.`);
    }
    changes[resource] = value;
  }
  return changes;
}

/** os-quota-sets: show, defaults, detail, update, revert to defaults; of a project, or of one user in it (`?user_id=`). */
export function registerQuotaRoutes(router: Router<ApiState>, services: ApiServices): void {
  const { api, config } = services;
  const limitsOf = (id: string, user: string | undefined) => (user === undefined ? projectQuotas(api, id, config.quota) : userQuotas(api, id, user, config.quota));
  const usageOf = (id: string, user: string | undefined) => (user === undefined ? projectQuotaUsage(api, id) : userQuotaUsage(api, services.registry, id, user));

  router.get('/v2.1/os-quota-sets/:id', async (ctx) => {
    const id = ctx.params['id'] ?? '';
    const user = userOf(ctx);
    requireProjectReader(ctx.state.context, id, 'show');
    ctx.body = quotaSetView(id, await limitsOf(id, user), ctx.state.version);
  });

  router.get('/v2.1/os-quota-sets/:id/defaults', async (ctx) => {
    // Anyone may read the defaults (Nova's rule is "@").
    ctx.body = quotaSetView(ctx.params['id'] ?? '', await defaultQuotas(api, config.quota), ctx.state.version);
  });

  router.get('/v2.1/os-quota-sets/:id/detail', async (ctx) => {
    const id = ctx.params['id'] ?? '';
    const user = userOf(ctx);
    requireProjectReader(ctx.state.context, id, 'detail');
    const [limits, used] = await Promise.all([limitsOf(id, user), usageOf(id, user)]);
    ctx.body = quotaDetailView(id, limits, used, ctx.state.version);
  });

  router.put('/v2.1/os-quota-sets/:id', async (ctx) => {
    const { context, version } = ctx.state;
    const id = ctx.params['id'] ?? '';
    requireAdmin(context, rule('update'));
    const user = userOf(ctx);
    const schema = atLeast(version, '2.57') ? UpdateQuotaSetV257 : atLeast(version, '2.36') ? UpdateQuotaSetV236 : UpdateQuotaSetV21;
    const body = validate<UpdateQuotaSetBody>(schema, ctx.state.body);
    if (user === undefined) {
      await setProjectQuotas(api, id, checkedChanges(body, await projectQuotaUsage(api, id)));
      services.creator.forgetLimits(id);
    } else {
      const [used, maximums] = await Promise.all([usageOf(id, user), userQuotaMaximums(api, id, user, config.quota)]);
      await setUserQuotas(api, id, user, checkedChanges(body, used, maximums));
      services.creator.forgetUserLimits(id, user);
    }
    ctx.body = quotaSetView(null, await limitsOf(id, user), version);
  });

  router.delete('/v2.1/os-quota-sets/:id', async (ctx) => {
    const id = ctx.params['id'] ?? '';
    requireAdmin(ctx.state.context, rule('delete'));
    const user = userOf(ctx);
    if (user === undefined) {
      await resetProjectQuotas(api, id);
      services.creator.forgetLimits(id);
    } else {
      await resetUserQuotas(api, id, user);
      services.creator.forgetUserLimits(id, user);
    }
    ctx.body = null;
    ctx.status = 202;
  });
}
