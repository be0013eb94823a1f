import type Router from '@koa/router';
import { Type, type Static } from '@sinclair/typebox';
import { allocationsOf, claimResources, freeAllocations } from '../../placement/index.js';
import { ConflictError, NotFoundError } from '../../../ops/runtime/index.js';
import { select } from '../../../ops/runtime-db/index.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import type { ApiServices } from './services.js';

const PutAllocations = Type.Object({
  allocations: Type.Record(Type.String({ format: 'uuid' }), Type.Object({ resources: Type.Record(Type.String(), Type.Integer({ minimum: 0 })) })),
  project_id: Type.String(),
  user_id: Type.String(),
  consumer_generation: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
});
type PutAllocations = Static<typeof PutAllocations>;

/**
 * The placement calls cell conductors make (a subset of the Placement API): read, replace and
 * delete a consumer's allocations. A replace that does not fit is placement's 409.
 */
export function registerPlacementRoutes(router: Router<ApiState>, services: ApiServices): void {
  router.get('/placement/allocations/:consumer', async (ctx) => {
    const held = (await allocationsOf(services.api, [ctx.params['consumer'] ?? ''])).get(ctx.params['consumer'] ?? '');
    ctx.body = {
      allocations: held ? { [held.providerUuid]: { resources: held.resources } } : {},
    };
  });

  router.put('/placement/allocations/:consumer', async (ctx) => {
    const body = validate<PutAllocations>(PutAllocations, ctx.state.body);
    const [entry, ...rest] = Object.entries(body.allocations);
    if (!entry || rest.length > 0) throw new ConflictError('cellstack allocations name exactly one resource provider');
    const [providerUuid, { resources }] = entry;
    const rows = await select<{ id: number }>(services.api, 'SELECT id FROM resource_providers WHERE uuid = ?', [providerUuid]);
    const providerId = rows[0]?.id;
    if (providerId === undefined) throw new NotFoundError(`No resource provider with uuid ${providerUuid} found`);
    const consumer = ctx.params['consumer'] ?? '';
    const result = await claimResources(services.api, [{ consumer, projectId: body.project_id, userId: body.user_id, providerId, resources }]);
    const outcome = result.outcomes[0];
    if (outcome?.status !== 'claimed') {
      throw new ConflictError(`Unable to allocate inventory: ${outcome?.status === 'full' ? outcome.reason : 'unknown'}`);
    }
    ctx.status = 204;
  });

  router.delete('/placement/allocations/:consumer', async (ctx) => {
    await freeAllocations(services.api, [ctx.params['consumer'] ?? '']);
    ctx.status = 204;
  });
}
