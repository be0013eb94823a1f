import Router, { type RouterContext } from '@koa/router';
import {
  assertOwner,
  createImage,
  deleteImage,
  downloadImage,
  findImage,
  listImages,
  SORT_KEYS,
  updateImage,
  uploadImage,
  type ImageQuery,
  type ImageSortKey,
  type ImageViewer,
} from '../../images/index.js';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../../../ops/runtime/index.js';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors.js';
import { applyImagePatch, checkAttribute } from '../image-patch.js';
import { serviceOrUser } from '../middleware.js';
import { pageLimit } from '../paging.js';
import { requireMember, requireReader } from '../policy.js';
import { validateQuery } from '../query.js';
import { CreateImageBody, ImageListQuery, ImagePatchBody, READ_ONLY, WRITABLE, type ImagePatchOp } from '../schemas/images.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import { imagesSchema, imageSchema, imageView } from '../views/images.js';
import type { ApiServices } from './services.js';

type Ctx = RouterContext<ApiState>;
const PATCH_TYPE = 'application/openstack-images-v2.1-json-patch';
/** Glance still takes the older form, each operation named by its key: `{"replace": "/name", "value": ...}`. */
const OLD_PATCH_TYPE = 'application/openstack-images-v2.0-json-patch';

/** An old-form patch in the v2.1 form (`op`, `path`); anything else is left for the schema to refuse. */
function fromOldPatch(body: unknown): unknown {
  if (!Array.isArray(body)) return body;
  return body.map((item: unknown) => {
    if (typeof item !== 'object' || item === null) return item;
    const entry = item as Record<string, unknown>;
    const op = ['add', 'replace', 'remove'].find((k) => typeof entry[k] === 'string');
    if (!op) return item;
    const { [op]: path, ...rest } = entry;
    return { op, path, ...rest };
  });
}
const viewerOf = (ctx: Ctx): ImageViewer => ({ projectId: ctx.state.context.projectId, isAdmin: ctx.state.context.isAdmin });

/** The image service (Glance v2, the part clients use): versions, images, their data and schemas. */
export function imageRouter(services: ApiServices): Router<ApiState> {
  const router = new Router<ApiState>();
  const versions = (ctx: Ctx) => ({
    versions: ['2.16', '2.15', '2.9', '2.7', '2.5', '2.3', '2.1', '2.0'].map((v, i) => ({
      id: `v${v}`,
      status: i === 0 ? 'CURRENT' : 'SUPPORTED',
      links: [{ rel: 'self', href: `${services.publicUrl || ctx.origin}/image/v2/` }],
    })),
  });
  router.get(['/image', '/image/'], (ctx) => {
    ctx.status = 300;
    ctx.body = versions(ctx);
  });
  router.get('/image/versions', (ctx) => {
    ctx.body = versions(ctx);
  });

  const v2 = new Router<ApiState>({ prefix: '/image/v2' });
  v2.use(serviceOrUser(services.config, services.identity));
  v2.get('/schemas/image', (ctx) => {
    ctx.body = imageSchema();
  });
  v2.get('/schemas/images', (ctx) => {
    ctx.body = imagesSchema();
  });
  v2.get('/info/import', (ctx) => {
    ctx.body = { 'import-methods': { description: 'Import methods available.', type: 'array', value: [] } };
  });
  v2.get('/images', async (ctx) => listRoute(ctx, services));
  v2.post('/images', async (ctx) => {
    requireMember(ctx.state.context, 'add_image');
    const body = validate<Record<string, unknown>>(CreateImageBody, ctx.state.body ?? {});
    const spec: Record<string, unknown> = {};
    const properties: Record<string, string> = {};
    for (const [key, value] of Object.entries(body)) {
      if (key === 'id') continue;
      if (READ_ONLY.includes(key)) throw new ForbiddenError(`Attribute '${key}' is read-only.`);
      if (key in WRITABLE) spec[key] = checkAttribute(key, value, ctx.state.context.isAdmin);
      else properties[key] = value as string;
    }
    if (spec['owner'] !== undefined && spec['owner'] !== ctx.state.context.projectId && !ctx.state.context.isAdmin) {
      throw new ForbiddenError('You are not permitted to create images owned by another project.');
    }
    const image = await createImage(services.api, {
      ...spec,
      uuid: body['id'] as string | undefined,
      owner: (spec['owner'] as string | undefined) ?? ctx.state.context.projectId,
      properties,
      status: 'queued',
    });
    ctx.status = 201;
    ctx.set('location', `${services.publicUrl || ctx.origin}/image/v2/images/${image.uuid}`);
    ctx.body = imageView(image);
  });
  v2.get('/images/:id', async (ctx) => {
    requireReader(ctx.state.context, 'get_image');
    ctx.body = imageView(await findImage(services.api, ctx.params['id'] ?? '', viewerOf(ctx)));
  });
  v2.patch('/images/:id', async (ctx) => {
    requireMember(ctx.state.context, 'modify_image');
    const old = Boolean(ctx.is(OLD_PATCH_TYPE));
    if (!old && !ctx.is(PATCH_TYPE)) throw new UnsupportedMediaTypeError(`Unsupported Content-Type: send ${PATCH_TYPE}.`);
    const ops = validate<ImagePatchOp[]>(ImagePatchBody, old ? fromOldPatch(ctx.state.body) : ctx.state.body);
    const viewer = viewerOf(ctx);
    const image = await findImage(services.api, ctx.params['id'] ?? '', viewer);
    assertOwner(image, viewer, 'modify');
    const changes = applyImagePatch(image, ops, viewer.isAdmin);
    ctx.body = imageView(await updateImage(services.api, image.uuid, viewer, changes));
  });
  v2.delete('/images/:id', async (ctx) => {
    requireMember(ctx.state.context, 'delete_image');
    await deleteImage(services.api, ctx.params['id'] ?? '', viewerOf(ctx));
    ctx.status = 204;
  });
  v2.put('/images/:id/tags/:tag', async (ctx) => tagRoute(ctx, services, 'add'));
  v2.delete('/images/:id/tags/:tag', async (ctx) => tagRoute(ctx, services, 'remove'));
  v2.put('/images/:id/file', async (ctx) => {
    requireMember(ctx.state.context, 'upload_image');
    const data = await readBytes(ctx, services.config.api.max_image_bytes);
    await uploadImage(services.api, ctx.params['id'] ?? '', viewerOf(ctx), data);
    ctx.status = 204;
  });
  v2.get('/images/:id/file', async (ctx) => {
    requireReader(ctx.state.context, 'download_image');
    const image = await findImage(services.api, ctx.params['id'] ?? '', viewerOf(ctx));
    const data = await downloadImage(services.api, image.uuid, viewerOf(ctx));
    if (!data) {
      ctx.status = 204;
      return;
    }
    ctx.type = 'application/octet-stream';
    if (image.checksum) ctx.set('content-md5', image.checksum);
    ctx.body = data;
  });
  router.use(v2.routes(), v2.allowedMethods({ throw: true }));
  return router;
}

async function listRoute(ctx: Ctx, services: ApiServices): Promise<void> {
  requireReader(ctx.state.context, 'get_images');
  const q = validateQuery<Record<string, unknown>>(ImageListQuery, ctx.query);
  const limit = pageLimit(q['limit'], services.config.api.max_limit);
  const [sortKey, sortDir] = sortOf(q);
  const known = new Set(Object.keys(ImageListQuery.properties));
  const properties = Object.fromEntries(Object.entries(q).filter(([k]) => !known.has(k))) as Record<string, string>;
  const query: ImageQuery = {
    ids: inValues(q['id']),
    names: inValues(q['name']),
    status: q['status'] as string | undefined,
    visibility: q['visibility'] as ImageQuery['visibility'],
    owner: q['owner'] as string | undefined,
    tags: q['tag'] as string[] | undefined,
    disk_format: q['disk_format'] as string | undefined,
    container_format: q['container_format'] as string | undefined,
    size_min: q['size_min'] as number | undefined,
    size_max: q['size_max'] as number | undefined,
    protected: q['protected'] as boolean | undefined,
    os_hidden: q['os_hidden'] as boolean | undefined,
    properties,
    limit,
    marker: q['marker'] as string | undefined,
    sortKey,
    sortDir,
  };
  const images = await listImages(services.api, viewerOf(ctx), query);
  const body: Record<string, unknown> = { images: images.map(imageView), first: '/v2/images', schema: '/v2/schemas/images' };
  const last = images.at(-1);
  if (last && images.length === limit) {
    const next = new URLSearchParams(ctx.querystring);
    next.set('marker', last.uuid);
    body['next'] = `/v2/images?${next.toString()}`;
  }
  ctx.body = body;
}

/** `sort=name:asc` or `sort_key=name&sort_dir=asc`; Glance's default is newest first. */
function sortOf(q: Record<string, unknown>): [ImageSortKey, 'asc' | 'desc'] {
  const [key, dir] = typeof q['sort'] === 'string' ? q['sort'].split(',')[0]!.split(':') : [q['sort_key'] as string | undefined, q['sort_dir'] as string | undefined];
  const sortKey = key ?? 'created_at';
  if (!(sortKey in SORT_KEYS)) throw new InvalidInputError(`Invalid sort key: ${sortKey}. It should be one of: ${Object.keys(SORT_KEYS).join(', ')}.`);
  const sortDir = dir ?? 'desc';
  if (sortDir !== 'asc' && sortDir !== 'desc') throw new InvalidInputError(`Invalid sort direction: ${sortDir}`);
  return [sortKey as ImageSortKey, sortDir];
}

/** `name=foo` or Glance's `name=in:"a,b",c`. */
function inValues(value: unknown): string[] | undefined {
  if (typeof value !== 'string') return undefined;
  if (!value.startsWith('in:')) return [value];
  return [...value.slice(3).matchAll(/"([^"]*)"|([^,]+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

async function tagRoute(ctx: Ctx, services: ApiServices, op: 'add' | 'remove'): Promise<void> {
  requireMember(ctx.state.context, 'modify_image');
  const viewer = viewerOf(ctx);
  const image = await findImage(services.api, ctx.params['id'] ?? '', viewer);
  assertOwner(image, viewer, 'modify');
  const tag = ctx.params['tag'] ?? '';
  if (op === 'remove' && !image.tags.includes(tag)) throw new NotFoundError(`Tag ${tag} not found.`);
  const tags = op === 'add' ? [...new Set([...image.tags, tag])] : image.tags.filter((t) => t !== tag);
  await updateImage(services.api, image.uuid, viewer, { attributes: { tags: checkAttribute('tags', tags, viewer.isAdmin) }, properties: image.properties });
  ctx.status = 204;
}

/** The raw upload body, up to `max` bytes (413 past it). */
async function readBytes(ctx: Ctx, max: number): Promise<Buffer> {
  if (!ctx.is('application/octet-stream')) throw new UnsupportedMediaTypeError('Unsupported Content-Type: send application/octet-stream.');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new PayloadTooLargeError(`Image data is larger than this deployment stores (${max} bytes).`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
