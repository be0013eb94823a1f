import type Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import { InvalidInputError, NotFoundError } from '../../../ops/runtime/index.js';
import {
  attachmentsOfVolumes,
  createSnapshot,
  createVolume,
  deleteSnapshot,
  deleteVolume,
  findSnapshot,
  findVolume,
  listSnapshots,
  listVolumes,
  typesByUuid,
  type Attachment,
  type Snapshot,
  type Volume,
  type VolumeType,
} from '../../volume/index.js';
import { atLeast } from '../microversion.js';
import { requireMember, requireReader } from '../policy.js';
import { ProxySnapshotBody, ProxyVolumeBody } from '../schemas/volume-proxy.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import { isoTime } from '../views/links.js';
import type { ApiServices } from './services.js';

type Ctx = ParameterizedContext<ApiState>;
const viewerOf = (ctx: Ctx) => ({ projectId: ctx.state.context.projectId, userId: ctx.state.context.userId, isAdmin: ctx.state.context.isAdmin });

/** Nova proxied the volume service until 2.35; later the paths are not there. */
function served(ctx: Ctx): void {
  if (atLeast(ctx.state.version, '2.36')) throw new NotFoundError('The resource could not be found.');
}

/** A volume as Nova's proxy shows it (camelCase; `[{}]` for no attachment, as Nova answers). */
function volumeView(v: Volume, attachments: Attachment[], types: Map<string, VolumeType>): Record<string, unknown> {
  const attached = attachments.filter((a) => a.volume_uuid === v.uuid && a.attach_status === 'attached');
  return {
    id: v.uuid,
    status: v.status,
    size: v.size,
    availabilityZone: v.availability_zone,
    createdAt: isoTime(v.created_at),
    attachments: attached.length === 0 ? [{}] : attached.map((a) => ({ id: a.volume_uuid, volumeId: a.volume_uuid, serverId: a.instance_uuid ?? '', device: a.mountpoint ?? '' })),
    displayName: v.name,
    displayDescription: v.description,
    volumeType: types.get(v.volume_type_uuid)?.name ?? null,
    snapshotId: v.snapshot_uuid,
    metadata: v.metadata,
  };
}

const snapshotView = (s: Snapshot): Record<string, unknown> => ({
  id: s.uuid,
  volumeId: s.volume_uuid,
  status: s.status,
  size: s.size,
  createdAt: isoTime(s.created_at),
  displayName: s.name,
  displayDescription: s.description,
});

const rule = (what: string) => `os_compute_api:os-volumes:${what}`;

/** `limit` and `offset` as Nova's proxy takes them (a page of at most api.max_limit). */
function window(ctx: Ctx, maxLimit: number): { limit: number; offset: number } {
  const number = (key: string, fallback: number): number => {
    const raw = ctx.query[key];
    const value = Number(Array.isArray(raw) ? raw[0] : (raw ?? fallback));
    if (!Number.isInteger(value) || value < 0) throw new InvalidInputError(`${key} param must be an integer`);
    return value;
  };
  return { limit: Math.min(number('limit', maxLimit), maxLimit), offset: number('offset', 0) };
}

/** `/os-volumes/` (an empty id) is no list: Nova answers it 404. */
function noId(ctx: Ctx): void {
  if (ctx.path.endsWith('/')) throw new NotFoundError('The resource could not be found.');
}

/** os-volumes and os-snapshots: Nova's proxy to the volume service, for clients below 2.36. */
export function registerVolumeProxyRoutes(router: Router<ApiState>, services: ApiServices): void {
  const deps = services.volumes.deps;
  const show = async (uuid: string, ctx: Ctx) => volumeView(await findVolume(deps.db, uuid, viewerOf(ctx)), await attachmentsOfVolumes(deps.db, [uuid]), await typesByUuid(deps.db));
  const list = async (ctx: Ctx) => {
    served(ctx);
    noId(ctx);
    requireReader(ctx.state.context, rule('list'));
    const { items } = await listVolumes(deps.db, { projectId: ctx.state.context.projectId, sortKey: 'created_at', sortDir: 'desc', ...window(ctx, services.config.api.max_limit) });
    const [attachments, types] = await Promise.all([attachmentsOfVolumes(deps.db, items.map((v) => v.uuid)), typesByUuid(deps.db)]);
    ctx.body = { volumes: items.map((v) => volumeView(v, attachments, types)) };
  };
  router.get('/v2.1/os-volumes', list);
  router.get('/v2.1/os-volumes/detail', list);
  router.get('/v2.1/os-volumes/:id', async (ctx) => {
    served(ctx);
    requireReader(ctx.state.context, rule('show'));
    ctx.body = { volume: await show(ctx.params['id'] ?? '', ctx) };
  });
  router.post('/v2.1/os-volumes', async (ctx) => {
    served(ctx);
    requireMember(ctx.state.context, rule('create'));
    const { volume: v } = validate<{ volume: Record<string, string | null | undefined> & { size: number | string; metadata?: Record<string, string> } }>(ProxyVolumeBody, ctx.state.body);
    const uuid = await createVolume(deps, viewerOf(ctx), {
      size: Number(v.size),
      name: v['display_name'] ?? null,
      description: v['display_description'] ?? null,
      volume_type: v['volume_type'] ?? undefined,
      availability_zone: v['availability_zone'] ?? undefined,
      snapshot_id: v['snapshot_id'] ?? undefined,
      imageRef: v['imageRef'] ?? undefined,
      metadata: v.metadata,
    });
    ctx.body = { volume: await show(uuid, ctx) };
  });
  router.delete('/v2.1/os-volumes', (ctx) => {
    served(ctx);
    throw new NotFoundError('The resource could not be found.');
  });
  router.delete('/v2.1/os-volumes/:id', async (ctx) => {
    served(ctx);
    requireMember(ctx.state.context, rule('delete'));
    await deleteVolume(deps, viewerOf(ctx), ctx.params['id'] ?? '', { cascade: false, force: false });
    ctx.status = 202;
  });

  const snapshots = async (ctx: Ctx) => {
    served(ctx);
    requireReader(ctx.state.context, rule('snapshots:list'));
    noId(ctx);
    const { items } = await listSnapshots(deps.db, { projectId: ctx.state.context.projectId, sortKey: 'created_at', sortDir: 'desc', ...window(ctx, services.config.api.max_limit) });
    ctx.body = { snapshots: items.map(snapshotView) };
  };
  router.get('/v2.1/os-snapshots', snapshots);
  router.get('/v2.1/os-snapshots/detail', snapshots);
  router.get('/v2.1/os-snapshots/:id', async (ctx) => {
    served(ctx);
    requireReader(ctx.state.context, rule('snapshots:show'));
    ctx.body = { snapshot: snapshotView(await findSnapshot(deps.db, ctx.params['id'] ?? '', viewerOf(ctx))) };
  });
  router.post('/v2.1/os-snapshots', async (ctx) => {
    served(ctx);
    requireMember(ctx.state.context, rule('snapshots:create'));
    const { snapshot: s } = validate<{ snapshot: { volume_id: string; force?: boolean | string; display_name?: string | null; display_description?: string | null } }>(ProxySnapshotBody, ctx.state.body);
    const uuid = await createSnapshot(deps, viewerOf(ctx), {
      volume_id: s.volume_id,
      name: s.display_name ?? null,
      description: s.display_description ?? null,
      force: s.force === true || /^(true|1|yes)$/i.test(String(s.force ?? '')),
    });
    ctx.body = { snapshot: snapshotView(await findSnapshot(deps.db, uuid)) };
  });
  router.delete('/v2.1/os-snapshots/:id', async (ctx) => {
    served(ctx);
    requireMember(ctx.state.context, rule('snapshots:delete'));
    await deleteSnapshot(deps, viewerOf(ctx), ctx.params['id'] ?? '');
    ctx.status = 202;
  });
}
