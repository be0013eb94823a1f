import type Router from '@koa/router';
import { atLeast } from '../../http/microversion.js';
import { requireAdmin, requireMember, requireReader } from '../../http/policy.js';
import type { ApiState } from '../../http/state.js';
import { validate } from '../../http/validation.js';
import { createSnapshot, deleteSnapshot } from '../lifecycle.js';
import { moveRow, updateFields } from '../rows.js';
import { findSnapshot, listSnapshots, SNAPSHOT_SORT_KEYS } from '../snapshots.js';
import { at, listedProject, nextLink, paging, queryValue, viewContext, viewerOf, type Ctx, type VolumeApiDeps } from './common.js';
import { CreateSnapshotBody, SnapshotActionBody, truthy, UpdateSnapshotBody } from './schemas.js';
import { snapshotView } from './views.js';

type Fields = Record<string, unknown> & { metadata?: Record<string, string> | null; force?: boolean | string };
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

async function list(ctx: Ctx, deps: VolumeApiDeps, detail: boolean): Promise<void> {
  requireReader(ctx.state.context, 'volume:get_all_snapshots');
  const page = paging(ctx, SNAPSHOT_SORT_KEYS, deps.config.api.max_limit);
  const result = await listSnapshots(deps.volumes.deps.db, {
    ...page,
    projectId: listedProject(ctx),
    name: queryValue(ctx, 'name') ?? queryValue(ctx, 'display_name'),
    status: queryValue(ctx, 'status'),
    volumeUuid: queryValue(ctx, 'volume_id'),
  });
  const c = await viewContext(ctx, deps);
  const body: Record<string, unknown> = { snapshots: result.items.map((s) => snapshotView(s, c, detail)) };
  const next = nextLink(ctx, c.base, page.limit, result.items.at(-1)?.uuid, result.items.length);
  if (next) body['snapshots_links'] = next;
  if (atLeast(ctx.state.version, '3.45') && truthy(queryValue(ctx, 'with_count'))) body['count'] = result.count;
  ctx.body = body;
}

/** /snapshots: create (202, `creating`), list, detail, show, update, delete, reset-status and force-delete. */
export function registerSnapshotRoutes(router: Router<ApiState>, deps: VolumeApiDeps): void {
  const db = deps.volumes.deps.db;
  const show = async (ctx: Ctx, uuid: string, detail = true) => snapshotView(await findSnapshot(db, uuid, viewerOf(ctx)), await viewContext(ctx, deps), detail);
  router.post(at('/snapshots'), async (ctx) => {
    requireMember(ctx.state.context, 'volume:create_snapshot');
    const { snapshot: s } = validate<{ snapshot: Fields }>(CreateSnapshotBody, ctx.state.body);
    const uuid = await createSnapshot(deps.volumes.deps, viewerOf(ctx), {
      volume_id: typeof s['volume_id'] === 'string' ? s['volume_id'] : 'None',
      name: text(s['name']) ?? text(s['display_name']),
      description: text(s['description']) ?? text(s['display_description']),
      force: s.force === undefined ? false : truthy(s.force),
      metadata: s.metadata ?? undefined,
    });
    ctx.status = 202;
    ctx.body = { snapshot: await show(ctx, uuid, false) };
  });
  router.get(at('/snapshots'), (ctx) => list(ctx, deps, false));
  router.get(at('/snapshots/detail'), (ctx) => list(ctx, deps, true));
  router.get(at('/snapshots/:id'), async (ctx) => {
    requireReader(ctx.state.context, 'volume:get_snapshot');
    ctx.body = { snapshot: await show(ctx, ctx.params['id'] ?? '') };
  });
  router.put(at('/snapshots/:id'), async (ctx) => {
    requireMember(ctx.state.context, 'volume:update_snapshot');
    const { snapshot: s } = validate<{ snapshot: Fields }>(UpdateSnapshotBody, ctx.state.body);
    const uuid = ctx.params['id'] ?? '';
    await findSnapshot(db, uuid, viewerOf(ctx));
    const fields: Record<string, unknown> = {};
    if ('name' in s || 'display_name' in s) fields['name'] = s['name'] ?? s['display_name'] ?? null;
    if ('description' in s || 'display_description' in s) fields['description'] = s['description'] ?? s['display_description'] ?? null;
    if (s.metadata) fields['metadata'] = s.metadata;
    await updateFields(db, 'snapshots', uuid, fields);
    ctx.body = { snapshot: await show(ctx, uuid, false) };
  });
  router.delete(at('/snapshots/:id'), async (ctx) => {
    requireMember(ctx.state.context, 'volume:delete_snapshot');
    await deleteSnapshot(deps.volumes.deps, viewerOf(ctx), ctx.params['id'] ?? '');
    ctx.status = 202;
  });
  router.post(at('/snapshots/:id/action'), async (ctx) => {
    const body = validate<Record<string, Record<string, unknown> | null>>(SnapshotActionBody, ctx.state.body);
    requireAdmin(ctx.state.context, 'volume_extension:snapshot_admin_actions');
    const uuid = ctx.params['id'] ?? '';
    const snapshot = await findSnapshot(db, uuid, viewerOf(ctx));
    const reset = body['os-reset_status'];
    if (reset) await moveRow(db, 'snapshots', uuid, [snapshot.status], String(reset['status']));
    else await deleteSnapshot(deps.volumes.deps, viewerOf(ctx), uuid, true);
    ctx.status = 202;
  });
}
