import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import {
  createFlavor,
  deleteFlavor,
  findFlavor,
  listFlavors,
  updateFlavorDescription,
  type Flavor,
  type FlavorSortKey,
  type FlavorViewer,
} from '../../flavors/index.js';
import { InvalidInputError, NotFoundError } from '../../../ops/runtime/index.js';
import { atLeast } from '../microversion.js';
import { nextLinks, pageLimit } from '../paging.js';
import { lastOf, noContent } from '../respond.js';
import { requireAdmin } from '../policy.js';
import { strictQuery, validateQuery } from '../query.js';
import {
  CreateFlavorBody,
  CreateFlavorBodyV255,
  ListFlavorsQuery,
  ListFlavorsQueryV275,
  ListFlavorsQueryV2102,
  CreateFlavorBodyV2102,
  UpdateFlavorBody,
} from '../schemas/flavors.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import { flavorBriefView, flavorView, flavorViewOptions, type FlavorViewOptions } from '../views/flavors.js';
import { registerFlavorAccessRoutes } from './flavor-access.js';
import { registerFlavorExtraSpecRoutes } from './flavor-extra-specs.js';
import type { ApiServices } from './services.js';

type Ctx = ParameterizedContext<ApiState>;

const viewer = (ctx: Ctx): FlavorViewer => ({ projectId: ctx.state.context.projectId, isAdmin: ctx.state.context.isAdmin });
const viewOptions = (ctx: Ctx, services: ApiServices): FlavorViewOptions => flavorViewOptions(ctx.state, services.publicUrl);

/** `is_public` as only an admin may pass it: none means all flavors; absent means public ones. */
function isPublicFilter(value: string | undefined): boolean | null {
  if (value === undefined) return true;
  const text = value.trim().toLowerCase();
  if (text === 'none') return null;
  if (['1', 't', 'true', 'on', 'y', 'yes'].includes(text)) return true;
  if (['0', 'f', 'false', 'off', 'n', 'no'].includes(text)) return false;
  throw new InvalidInputError(`Invalid is_public filter [${value}]`);
}

function minFilter(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\s*[+-]?\d+\s*$/.test(value)) throw new InvalidInputError(`Invalid ${name} filter [${value}]`);
  return Number(value);
}

async function list(ctx: Ctx, services: ApiServices): Promise<{ flavors: Flavor[]; limit: number }> {
  const { version } = ctx.state;
  const schema = atLeast(version, '2.102') ? ListFlavorsQueryV2102 : atLeast(version, '2.75') ? ListFlavorsQueryV275 : ListFlavorsQuery;
  const query = validateQuery<ListFlavorsQuery>(schema, ctx.query);
  const name = lastOf(query.name);
  const limit = pageLimit(lastOf(query.limit), services.config.api.max_limit);
  const marker = lastOf(query.marker);
  const minRam = minFilter('minRam', lastOf(query.minRam));
  const minDisk = minFilter('minDisk', lastOf(query.minDisk));
  const flavors = await listFlavors(services.api, viewer(ctx), {
    isPublic: ctx.state.context.isAdmin ? isPublicFilter(lastOf(query.is_public)) : true,
    sortKey: (lastOf(query.sort_key) || 'flavorid') as FlavorSortKey,
    sortDir: lastOf(query.sort_dir) === 'desc' ? 'desc' : 'asc',
    limit,
    ...(marker === undefined ? {} : { marker }),
    ...(minRam === undefined ? {} : { minRam }),
    ...(minDisk === undefined ? {} : { minDisk }),
    ...(name === undefined ? {} : { name: regexFilter(name) }),
  });
  return { flavors, limit };
}

/** The name filter is a regular expression for the database; one it cannot read is the caller's mistake. */
function regexFilter(pattern: string): string {
  try {
    new RegExp(pattern, 'u');
  } catch {
    throw new InvalidInputError(`Invalid name filter [${pattern}]`);
  }
  return pattern;
}

/** Nova's validate_integer on a size field that passed the schema (a JSON integer or a string of digits). */
function sizeOf(value: number | string | undefined, name: string, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (n < min) throw new InvalidInputError(`Invalid input received: ${name} must be >= ${min}`);
  if (n > 0x7fffffff) throw new InvalidInputError(`Invalid input received: ${name} must be <= ${0x7fffffff}`);
  return n;
}

function rxtxFactor(value: number | string | undefined): number {
  const n = value === undefined ? 1 : Number(value);
  if (!(n > 0 && n <= 3.40282e38)) throw new InvalidInputError("Invalid input received: 'rxtx_factor' argument must be a float between 0 and 3.40282e+38");
  return n;
}

export function registerFlavorRoutes(router: Router<ApiState>, services: ApiServices): void {
  for (const [path, detailed] of [['/v2.1/flavors', false], ['/v2.1/flavors/detail', true]] as const) {
    router.get(path, async (ctx) => {
      const { flavors, limit } = await list(ctx, services);
      const options = viewOptions(ctx, services);
      const body: Record<string, unknown> = { flavors: flavors.map((f) => (detailed ? flavorView(f, options) : flavorBriefView(f, options))) };
      const next = nextLinks(services.publicUrl, path, ctx.query, flavors, limit, () => flavors.at(-1)?.flavorid ?? '');
      if (next.length > 0) body['flavors_links'] = next;
      ctx.body = body;
    });
  }

  router.get('/v2.1/flavors/:id', async (ctx) => {
    strictQuery(ctx, '2.102');
    const flavor = await findFlavor(services.api, ctx.params['id'] ?? '', viewer(ctx));
    ctx.body = { flavor: flavorView(flavor, viewOptions(ctx, services)) };
  });

  router.post('/v2.1/flavors', async (ctx) => {
    const v255 = atLeast(ctx.state.version, '2.55');
    const schema = atLeast(ctx.state.version, '2.102') ? CreateFlavorBodyV2102 : v255 ? CreateFlavorBodyV255 : CreateFlavorBody;
    const { flavor: f } = validate<CreateFlavorBody>(schema, ctx.state.body);
    requireAdmin(ctx.state.context, 'os_compute_api:os-flavor-manage:create');
    // As in Nova, no id (or null, or 0) gets a generated UUID; a number is kept as its string.
    const flavorid = f.id === undefined || f.id === null || f.id === 0 ? randomUUID() : String(f.id);
    const isPublic = f['os-flavor-access:is_public'];
    const created = await createFlavor(services.api, {
      flavorid,
      name: f.name.trim(),
      memory_mb: sizeOf(f.ram, 'ram', 1, 0),
      vcpus: sizeOf(f.vcpus, 'vcpus', 1, 0),
      root_gb: sizeOf(f.disk, 'disk', 0, 0),
      ephemeral_gb: sizeOf(f['OS-FLV-EXT-DATA:ephemeral'], 'ephemeral', 0, 0),
      swap: sizeOf(f.swap, 'swap', 0, 0),
      rxtx_factor: rxtxFactor(f.rxtx_factor),
      is_public: isPublic === undefined ? true : isPublic === true || /^(true|1|on|yes)$/i.test(String(isPublic)),
      description: v255 ? f.description ?? null : null,
    });
    ctx.body = { flavor: flavorView(created, viewOptions(ctx, services)) };
  });

  router.put('/v2.1/flavors/:id', async (ctx) => {
    if (!atLeast(ctx.state.version, '2.55')) throw new NotFoundError('The resource could not be found.');
    const body = validate<UpdateFlavorBody>(UpdateFlavorBody, ctx.state.body);
    requireAdmin(ctx.state.context, 'os_compute_api:os-flavor-manage:update');
    const flavor = await updateFlavorDescription(services.api, ctx.params['id'] ?? '', body.flavor.description);
    ctx.body = { flavor: flavorView(flavor, viewOptions(ctx, services)) };
  });

  router.delete('/v2.1/flavors/:id', async (ctx) => {
    requireAdmin(ctx.state.context, 'os_compute_api:os-flavor-manage:delete');
    await deleteFlavor(services.api, ctx.params['id'] ?? '');
    noContent(ctx, 202);
  });

  registerFlavorExtraSpecRoutes(router, services);
  registerFlavorAccessRoutes(router, services);
}
