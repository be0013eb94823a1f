import type Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import { deleteExtraSpec, findFlavor, setExtraSpecs, validateExtraSpec } from '../../flavors/index.js';
import { InvalidInputError, NotFoundError } from '../../../ops/runtime/index.js';
import { atLeast } from '../microversion.js';
import { requireAdmin, requireReader } from '../policy.js';
import { noContent } from '../respond.js';
import { CreateExtraSpecsBody, UpdateExtraSpecBody, type ExtraSpecValues } from '../schemas/flavors.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import type { ApiServices } from './services.js';

type Ctx = ParameterizedContext<ApiState>;
const rule = (action: string): string => `os_compute_api:os-flavor-extra-specs:${action}`;

/** Values may arrive as numbers; they are kept (and later shown) as strings. From 2.86 known keys are checked. */
function checked(ctx: Ctx, specs: ExtraSpecValues): Record<string, string> {
  const strict = atLeast(ctx.state.version, '2.86');
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(specs)) {
    values[key] = String(value);
    if (strict) validateExtraSpec(key, values[key]);
  }
  return values;
}

const flavorOf = (ctx: Ctx, services: ApiServices) =>
  findFlavor(services.api, ctx.params['id'] ?? '', { projectId: ctx.state.context.projectId, isAdmin: ctx.state.context.isAdmin });

/** /flavors/{id}/os-extra_specs: anyone who can see the flavor reads its specs; admins change them. */
export function registerFlavorExtraSpecRoutes(router: Router<ApiState>, services: ApiServices): void {
  router.get('/v2.1/flavors/:id/os-extra_specs', async (ctx) => {
    requireReader(ctx.state.context, rule('index'));
    ctx.body = { extra_specs: (await flavorOf(ctx, services)).extra_specs };
  });

  router.post('/v2.1/flavors/:id/os-extra_specs', async (ctx) => {
    const body = validate<CreateExtraSpecsBody>(CreateExtraSpecsBody, ctx.state.body);
    requireAdmin(ctx.state.context, rule('create'));
    const specs = checked(ctx, body.extra_specs);
    await setExtraSpecs(services.api, await flavorOf(ctx, services), specs);
    ctx.body = body;
  });

  router.get('/v2.1/flavors/:id/os-extra_specs/:key', async (ctx) => {
    requireReader(ctx.state.context, rule('show'));
    const flavor = await flavorOf(ctx, services);
    const key = ctx.params['key'] ?? '';
    const value = flavor.extra_specs[key];
    if (value === undefined) throw new NotFoundError(`Flavor ${flavor.flavorid} has no extra specs with key ${key}.`);
    ctx.body = { [key]: value };
  });

  router.put('/v2.1/flavors/:id/os-extra_specs/:key', async (ctx) => {
    const body = validate<ExtraSpecValues>(UpdateExtraSpecBody, ctx.state.body);
    requireAdmin(ctx.state.context, rule('update'));
    const specs = checked(ctx, body);
    if (!Object.hasOwn(body, ctx.params['key'] ?? '')) throw new InvalidInputError('Request body and URI mismatch');
    await setExtraSpecs(services.api, await flavorOf(ctx, services), specs);
    ctx.body = body;
  });

  router.delete('/v2.1/flavors/:id/os-extra_specs/:key', async (ctx) => {
    requireAdmin(ctx.state.context, rule('delete'));
    await deleteExtraSpec(services.api, await flavorOf(ctx, services), ctx.params['key'] ?? '');
    noContent(ctx, 200);
  });
}
