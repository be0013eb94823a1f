import type Router from '@koa/router';
import {
  addHostToAggregate,
  createAggregate,
  deleteAggregate,
  getAggregate,
  loadAggregates,
  removeHostFromAggregate,
  setAggregateMetadata,
  updateAggregate,
  type AggregateDeps,
} from '../../aggregates/index.js';
import { findImage } from '../../images/index.js';
import { InvalidInputError, NotFoundError } from '../../../ops/runtime/index.js';
import { atLeast } from '../microversion.js';
import { requireAdmin } from '../policy.js';
import {
  AddHostBody,
  CacheImagesBody,
  CreateAggregateBody,
  RemoveHostBody,
  SetMetadataBody,
  UpdateAggregateBody,
} from '../schemas/aggregates.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import { aggregateView } from '../views/aggregates.js';
import type { ApiServices } from './services.js';

const rule = (name: string): string => `os_compute_api:os-aggregates:${name}`;

/** Nova's validate_integer for the path id. */
export function integerId(raw: string | undefined, name = 'id'): number {
  if (raw === undefined || !/^-?\d+$/.test(raw)) throw new InvalidInputError(`Invalid input received: ${name} must be an integer`);
  return Number(raw);
}

/** Nova's action_peek: the body's one key names the action. */
export function actionName(body: unknown, known: string[]): string {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length !== 1) {
    throw new InvalidInputError('Malformed request body');
  }
  const [name = ''] = Object.keys(body);
  if (!known.includes(name)) throw new InvalidInputError(`There is no such action: ${name}`);
  return name;
}

const strip = (value: string): string => value.trim();

/** os-aggregates (admin): host aggregates, and availability zones through their metadata. */
export function registerAggregateRoutes(router: Router<ApiState>, services: ApiServices): void {
  const deps: AggregateDeps = { api: services.api, registry: services.registry };

  router.get('/v2.1/os-aggregates', async (ctx) => {
    requireAdmin(ctx.state.context, rule('index'));
    ctx.body = { aggregates: (await loadAggregates(services.api)).map((a) => aggregateView(a, ctx.state.version)) };
  });

  router.post('/v2.1/os-aggregates', async (ctx) => {
    const body = validate<CreateAggregateBody>(CreateAggregateBody, ctx.state.body);
    requireAdmin(ctx.state.context, rule('create'));
    const zone = body.aggregate.availability_zone ? strip(body.aggregate.availability_zone) : null;
    const aggregate = await createAggregate(services.api, strip(body.aggregate.name), zone);
    ctx.body = { aggregate: aggregateView(aggregate, ctx.state.version, false) };
  });

  router.get('/v2.1/os-aggregates/:id', async (ctx) => {
    requireAdmin(ctx.state.context, rule('show'));
    ctx.body = { aggregate: aggregateView(await getAggregate(services.api, integerId(ctx.params['id'])), ctx.state.version) };
  });

  router.put('/v2.1/os-aggregates/:id', async (ctx) => {
    const body = validate<UpdateAggregateBody>(UpdateAggregateBody, ctx.state.body);
    requireAdmin(ctx.state.context, rule('update'));
    const id = integerId(ctx.params['id']);
    const updates: { name?: string; availability_zone?: string | null } = {};
    if (body.aggregate.name !== undefined) updates.name = strip(body.aggregate.name);
    if ('availability_zone' in body.aggregate) updates.availability_zone = body.aggregate.availability_zone ?? null;
    ctx.body = { aggregate: aggregateView(await updateAggregate(deps, id, updates), ctx.state.version) };
  });

  router.delete('/v2.1/os-aggregates/:id', async (ctx) => {
    requireAdmin(ctx.state.context, rule('delete'));
    await deleteAggregate(services.api, integerId(ctx.params['id']));
    ctx.status = 200;
    ctx.body = '';
  });

  router.post('/v2.1/os-aggregates/:id/action', async (ctx) => {
    const action = actionName(ctx.state.body, ['add_host', 'remove_host', 'set_metadata']);
    let aggregate;
    if (action === 'add_host') {
      const body = validate<AddHostBody>(AddHostBody, ctx.state.body);
      requireAdmin(ctx.state.context, rule('add_host'));
      aggregate = await addHostToAggregate(deps, integerId(ctx.params['id']), body.add_host.host);
    } else if (action === 'remove_host') {
      const body = validate<RemoveHostBody>(RemoveHostBody, ctx.state.body);
      requireAdmin(ctx.state.context, rule('remove_host'));
      aggregate = await removeHostFromAggregate(deps, integerId(ctx.params['id']), body.remove_host.host);
    } else {
      const body = validate<SetMetadataBody>(SetMetadataBody, ctx.state.body);
      requireAdmin(ctx.state.context, rule('set_metadata'));
      aggregate = await setAggregateMetadata(deps, integerId(ctx.params['id']), body.set_metadata.metadata);
    }
    ctx.body = { aggregate: aggregateView(aggregate, ctx.state.version) };
  });

  // 2.81: ask the aggregate's hosts to pre-cache images. Fake hypervisors keep no image cache,
  // so after the checks Nova makes (aggregate, images) there is nothing to send.
  router.post('/v2.1/os-aggregates/:id/images', async (ctx) => {
    if (!atLeast(ctx.state.version, '2.81')) throw new NotFoundError('The resource could not be found.');
    const body = validate<CacheImagesBody>(CacheImagesBody, ctx.state.body);
    requireAdmin(ctx.state.context, 'compute:aggregates:images');
    const id = integerId(ctx.params['id']);
    const ids = body.cache.map((c) => c.id);
    if (new Set(ids).size !== ids.length) throw new InvalidInputError('Duplicate images in request');
    await getAggregate(services.api, id);
    for (const image of ids) {
      await findImage(services.api, image).catch((err: unknown) => {
        throw err instanceof NotFoundError ? new InvalidInputError(`Image ${image} could not be found.`) : err;
      });
    }
    ctx.status = 202;
    ctx.body = '';
  });
}
