import type Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import { assertOwner, deleteImage, findImage, listImages, updateImage, type Image, type ImageQuery, type ImageViewer } from '../../images/index.js';
import { projectQuotas } from '../../quota/index.js';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../../../ops/runtime/index.js';
import { atLeast } from '../microversion.js';
import { nextLinks, pageLimit } from '../paging.js';
import { validateQuery } from '../query.js';
import { lastOf, noContent } from '../respond.js';
import { ImageMetadataBody, ImageMetaItemBody, ImageProxyQuery } from '../schemas/image-proxy.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import { proxyImageBrief, proxyImageView } from '../views/image-proxy.js';
import type { ApiServices } from './services.js';

type Ctx = ParameterizedContext<ApiState>;

const gone = (): NotFoundError => new NotFoundError('The resource could not be found.');
const viewerOf = (ctx: Ctx): ImageViewer => ({ projectId: ctx.state.context.projectId, isAdmin: ctx.state.context.isAdmin });
const one = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? lastOf(value) : value);

/** Nova proxied images until 2.35 and their metadata until 2.38; later, the paths are not there. */
function servedUntil(ctx: Ctx, version: string): void {
  if (atLeast(ctx.state.version, version)) throw gone();
}

async function image(ctx: Ctx, services: ApiServices): Promise<Image> {
  return findImage(services.api, ctx.params['id'] ?? '', viewerOf(ctx)).catch((err: unknown) => {
    throw err instanceof NotFoundError ? new NotFoundError('Image not found.') : err;
  });
}

function integerFilter(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\s*\d+\s*$/.test(value)) throw new InvalidInputError(`Invalid ${name} filter [${value}]`);
  return Number(value);
}

/** Nova's filters, as the image registry takes them: `server` and `type` and `property-*` are image properties. */
function queryOf(ctx: Ctx, services: ApiServices): ImageQuery {
  const q = validateQuery<ImageProxyQuery>(ImageProxyQuery, ctx.query);
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(q)) if (key.startsWith('property-') && one(value) !== undefined) properties[key.slice(9)] = one(value) ?? '';
  const server = one(q['server']);
  if (server !== undefined) properties['instance_uuid'] = server.split('/').at(-1) ?? server;
  const type = one(q['type']);
  if (type !== undefined) properties['image_type'] = type;
  const since = one(q['changes-since']);
  const changedSince = since === undefined ? undefined : new Date(since);
  if (changedSince && Number.isNaN(changedSince.getTime())) throw new InvalidInputError(`Invalid changes-since value ${since}`);
  const name = one(q['name']);
  const status = one(q['status'])?.toLowerCase();
  return {
    names: name === undefined ? undefined : [name],
    status: status === 'saving' ? 'queued' : status,
    properties,
    min_ram_at_least: integerFilter('minRam', one(q['minRam'])),
    min_disk_at_least: integerFilter('minDisk', one(q['minDisk'])),
    changed_since: changedSince,
    limit: pageLimit(one(q['limit']), services.config.api.max_limit),
    marker: one(q['marker']),
    sortKey: 'created_at',
    sortDir: 'desc',
  };
}

/** Nova's check on image properties: no more than the project's metadata_items. */
async function checkMetadataQuota(ctx: Ctx, services: ApiServices, properties: Record<string, string>): Promise<void> {
  const limit = (await projectQuotas(services.api, ctx.state.context.projectId, services.config.quota)).metadata_items;
  if (limit >= 0 && Object.keys(properties).length > limit) throw new ForbiddenError('Image metadata limit exceeded');
}

async function saveProperties(ctx: Ctx, services: ApiServices, target: Image, properties: Record<string, string>): Promise<Image> {
  const viewer = viewerOf(ctx);
  assertOwner(target, viewer, 'modify');
  await checkMetadataQuota(ctx, services, properties);
  return updateImage(services.api, target.uuid, viewer, { attributes: {}, properties });
}

/** The compute API's image proxy (until 2.35) and image metadata (until 2.38), over the image registry. */
export function registerImageProxyRoutes(router: Router<ApiState>, services: ApiServices): void {
  const { publicUrl } = services;
  for (const [path, detail] of [['/v2.1/images', false], ['/v2.1/images/detail', true]] as const) {
    router.get(path, async (ctx) => {
      servedUntil(ctx, '2.36');
      const query = queryOf(ctx, services);
      const images = await listImages(services.api, viewerOf(ctx), query).catch((err: unknown) => {
        throw err instanceof NotFoundError ? new InvalidInputError(`marker [${query.marker ?? ''}] not found`) : err;
      });
      const body: Record<string, unknown> = { images: images.map((i) => (detail ? proxyImageView(i, publicUrl) : proxyImageBrief(i, publicUrl))) };
      const next = nextLinks(publicUrl, path, ctx.query, images, query.limit, () => images.at(-1)?.uuid ?? '');
      if (next.length > 0) body['images_links'] = next;
      ctx.body = body;
    });
  }

  router.get('/v2.1/images/:id', async (ctx) => {
    servedUntil(ctx, '2.36');
    ctx.body = { image: proxyImageView(await image(ctx, services), publicUrl) };
  });

  // A delete with an empty id names no image (Nova: 404, not 405).
  router.delete(['/v2.1/images', '/v2.1/images/'], (ctx) => {
    servedUntil(ctx, '2.36');
    throw new NotFoundError('Image not found.');
  });

  router.delete('/v2.1/images/:id', async (ctx) => {
    servedUntil(ctx, '2.36');
    const target = await image(ctx, services);
    await deleteImage(services.api, target.uuid, viewerOf(ctx)).catch((err: unknown) => {
      throw err instanceof ForbiddenError ? new ForbiddenError('You are not allowed to delete the image.') : err;
    });
    noContent(ctx, 204);
  });

  router.get('/v2.1/images/:id/metadata', async (ctx) => {
    servedUntil(ctx, '2.39');
    ctx.body = { metadata: (await image(ctx, services)).properties };
  });

  router.get('/v2.1/images/:id/metadata/:key', async (ctx) => {
    servedUntil(ctx, '2.39');
    const key = ctx.params['key'] ?? '';
    const value = (await image(ctx, services)).properties[key];
    if (value === undefined) throw gone();
    ctx.body = { meta: { [key]: value } };
  });

  router.post('/v2.1/images/:id/metadata', async (ctx) => {
    servedUntil(ctx, '2.39');
    const body = validate<ImageMetadataBody>(ImageMetadataBody, ctx.state.body);
    const target = await image(ctx, services);
    ctx.body = { metadata: (await saveProperties(ctx, services, target, { ...target.properties, ...body.metadata })).properties };
  });

  router.put('/v2.1/images/:id/metadata', async (ctx) => {
    servedUntil(ctx, '2.39');
    const body = validate<ImageMetadataBody>(ImageMetadataBody, ctx.state.body);
    await saveProperties(ctx, services, await image(ctx, services), body.metadata);
    ctx.body = { metadata: body.metadata };
  });

  router.put('/v2.1/images/:id/metadata/:key', async (ctx) => {
    servedUntil(ctx, '2.39');
    const body = validate<ImageMetaItemBody>(ImageMetaItemBody, ctx.state.body);
    const key = ctx.params['key'] ?? '';
    const value = body.meta[key];
    if (value === undefined) throw new InvalidInputError('Request body and URI mismatch');
    const target = await image(ctx, services);
    await saveProperties(ctx, services, target, { ...target.properties, [key]: value });
    ctx.body = { meta: body.meta };
  });

  router.delete('/v2.1/images/:id/metadata/:key', async (ctx) => {
    servedUntil(ctx, '2.39');
    const key = ctx.params['key'] ?? '';
    const target = await image(ctx, services);
    if (!(key in target.properties)) throw new NotFoundError('Invalid metadata key');
    const { [key]: _removed, ...rest } = target.properties;
    await saveProperties(ctx, services, target, rest);
    noContent(ctx, 204);
  });
}
