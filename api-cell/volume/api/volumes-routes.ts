import type Router from '@koa/router';
import { InvalidInputError } from '../../../ops/runtime/index.js';
import { atLeast } from '../../http/microversion.js';
import { requireAdmin, requireMember, requireReader } from '../../http/policy.js';
import type { ApiState } from '../../http/state.js';
import { validate } from '../../http/validation.js';
import { attachmentsOfVolumes } from '../attachments.js';
import { createVolume } from '../create.js';
import { deleteVolume, updateVolume } from '../lifecycle.js';
import { findVolume, listVolumes, VOLUME_SORT_KEYS } from '../volumes.js';
import { at, listedProject, nextLink, paging, queryValue, requireVersion, viewContext, viewerOf, type Ctx, type VolumeApiDeps } from './common.js';
import { CreateVolumeBody, truthy, UpdateVolumeBody } from './schemas.js';
import { volumeAction } from './volume-actions.js';
import { createdVolumeView, volumeSummary, volumeView } from './views.js';

type CreateBody = { volume: Record<string, unknown> & { size?: number | string | null; metadata?: Record<string, string> | null; multiattach?: boolean | string } };
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

async function show(ctx: Ctx, deps: VolumeApiDeps, uuid: string): Promise<Record<string, unknown>> {
  const volume = await findVolume(deps.volumes.deps.db, uuid, viewerOf(ctx));
  return volumeView(volume, await attachmentsOfVolumes(deps.volumes.deps.db, [uuid]), await viewContext(ctx, deps));
}

async function list(ctx: Ctx, deps: VolumeApiDeps, detail: boolean): Promise<void> {
  requireReader(ctx.state.context, 'volume:get_all');
  const page = paging(ctx, VOLUME_SORT_KEYS, deps.config.api.max_limit);
  const bootable = queryValue(ctx, 'bootable');
  const metadata = queryValue(ctx, 'metadata');
  const result = await listVolumes(deps.volumes.deps.db, {
    ...page,
    projectId: listedProject(ctx),
    name: queryValue(ctx, 'name') ?? queryValue(ctx, 'display_name'),
    status: queryValue(ctx, 'status'),
    bootable: bootable === undefined ? undefined : truthy(bootable),
    availabilityZone: queryValue(ctx, 'availability_zone'),
    metadata: metadata ? parseMetadata(metadata) : undefined,
  });
  const c = await viewContext(ctx, deps);
  const attachments = detail ? await attachmentsOfVolumes(deps.volumes.deps.db, result.items.map((v) => v.uuid)) : [];
  const body: Record<string, unknown> = { volumes: result.items.map((v) => (detail ? volumeView(v, attachments, c) : volumeSummary(v, c))) };
  const next = nextLink(ctx, c.base, page.limit, result.items.at(-1)?.uuid, result.items.length);
  if (next) body['volumes_links'] = next;
  if (atLeast(ctx.state.version, '3.45') && truthy(queryValue(ctx, 'with_count'))) body['count'] = result.count;
  ctx.body = body;
}

function parseMetadata(value: string): Record<string, string> {
  try {
    // Clients send a dict literal, `{'k': 'v'}`, or JSON.
    const parsed = JSON.parse(value.replaceAll("'", '"')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
  } catch {
    // Refused below.
  }
  throw new InvalidInputError(`Invalid input received: metadata ${value} is not a dictionary`);
}

/** /volumes: create (202, `creating`), list, detail, show, update, delete and the actions served. */
export function registerVolumeRoutes(router: Router<ApiState>, deps: VolumeApiDeps): void {
  const db = deps.volumes.deps.db;
  router.post(at('/volumes'), async (ctx) => {
    requireMember(ctx.state.context, 'volume:create');
    const { volume: v } = validate<CreateBody>(CreateVolumeBody, ctx.state.body);
    const uuid = await createVolume(deps.volumes.deps, viewerOf(ctx), {
      size: v.size === null || v.size === undefined ? undefined : Number(v.size),
      name: text(v['name']) ?? text(v['display_name']),
      description: text(v['description']) ?? text(v['display_description']),
      volume_type: text(v['volume_type']),
      availability_zone: text(v['availability_zone']),
      snapshot_id: text(v['snapshot_id']),
      source_volid: text(v['source_volid']),
      imageRef: text(v['imageRef']) ?? text(v['image_id']),
      metadata: v.metadata ?? undefined,
      multiattach: v.multiattach === undefined ? undefined : truthy(v.multiattach),
    });
    ctx.status = 202;
    ctx.body = { volume: createdVolumeView(await findVolume(deps.volumes.deps.db, uuid), await viewContext(ctx, deps)) };
  });
  router.get(at('/volumes'), (ctx) => list(ctx, deps, false));
  router.get(at('/volumes/detail'), (ctx) => list(ctx, deps, true));
  router.get(at('/volumes/summary'), async (ctx) => {
    requireVersion(ctx, '3.12');
    requireReader(ctx.state.context, 'volume:get_volume_summary');
    const { items } = await listVolumes(db, { projectId: listedProject(ctx), sortKey: 'created_at', sortDir: 'desc', limit: 100_000 });
    const summary: Record<string, unknown> = { total_size: items.reduce((n, v) => n + v.size, 0), total_count: items.length };
    if (atLeast(ctx.state.version, '3.36')) {
      const metadata: Record<string, string[]> = {};
      for (const v of items) for (const [k, value] of Object.entries(v.metadata)) metadata[k] = [...new Set([...(metadata[k] ?? []), value])];
      summary['metadata'] = metadata;
    }
    ctx.body = { 'volume-summary': summary };
  });
  router.get(at('/volumes/:id'), async (ctx) => {
    requireReader(ctx.state.context, 'volume:get');
    ctx.body = { volume: await show(ctx, deps, ctx.params['id'] ?? '') };
  });
  router.put(at('/volumes/:id'), async (ctx) => {
    requireMember(ctx.state.context, 'volume:update');
    const { volume: v } = validate<{ volume: Record<string, unknown> & { metadata?: Record<string, string> } }>(UpdateVolumeBody, ctx.state.body);
    const uuid = ctx.params['id'] ?? '';
    await updateVolume(deps.volumes.deps, viewerOf(ctx), uuid, {
      name: 'name' in v ? (v['name'] as string | null) : 'display_name' in v ? (v['display_name'] as string | null) : undefined,
      description: 'description' in v ? (v['description'] as string | null) : 'display_description' in v ? (v['display_description'] as string | null) : undefined,
      metadata: v.metadata,
    });
    ctx.body = { volume: createdVolumeView(await findVolume(db, uuid), await viewContext(ctx, deps)) };
  });
  router.delete(at('/volumes/:id'), async (ctx) => {
    requireMember(ctx.state.context, 'volume:delete');
    const force = truthy(queryValue(ctx, 'force') ?? 'false');
    if (force) requireAdmin(ctx.state.context, 'volume:force_delete');
    await deleteVolume(deps.volumes.deps, viewerOf(ctx), ctx.params['id'] ?? '', { cascade: truthy(queryValue(ctx, 'cascade') ?? 'false'), force });
    ctx.status = 202;
  });
  router.post(at('/volumes/:id/action'), (ctx) => volumeAction(ctx, deps));
}
