import type Router from '@koa/router';
import { requireMember, requireReader } from '../../http/policy.js';
import type { ApiState } from '../../http/state.js';
import { validate } from '../../http/validation.js';
import { completeAttachment, createAttachment, deleteAttachment, updateAttachment } from '../attach.js';
import { findAttachment, listAttachments } from '../attachments.js';
import type { Attachment } from '../records.js';
import { findVolume, volumesByUuid } from '../volumes.js';
import { at, listedProject, paging, queryValue, requireVersion, viewerOf, type Ctx, type VolumeApiDeps } from './common.js';
import { AttachmentActionBody, CreateAttachmentBody, UpdateAttachmentBody } from './schemas.js';
import { attachmentSummary, attachmentView } from './views.js';

type CreateBody = { attachment: { volume_uuid: string; instance_uuid?: string | null; connector?: Record<string, unknown> | null; mode?: 'rw' | 'ro' } };

/** The attachments API (3.27; complete from 3.44) that Nova's volume attach and boot from volume use. */
export function registerAttachmentRoutes(router: Router<ApiState>, deps: VolumeApiDeps): void {
  const db = deps.volumes.deps.db;
  const view = async (a: Attachment) => attachmentView(a, await findVolume(db, a.volume_uuid).catch(() => undefined));
  const list = async (ctx: Ctx, detail: boolean) => {
    requireVersion(ctx, '3.27');
    requireReader(ctx.state.context, 'volume:attachment_get_all');
    const found = await listAttachments(db, {
      projectId: listedProject(ctx),
      volumeUuid: queryValue(ctx, 'volume_id'),
      instanceUuid: queryValue(ctx, 'instance_id'),
      status: queryValue(ctx, 'status') ?? queryValue(ctx, 'attach_status'),
      limit: paging(ctx, { created_at: 'created_at' }, deps.config.api.max_limit).limit,
    });
    const volumes = new Map((await volumesByUuid(db, [...new Set(found.map((a) => a.volume_uuid))])).map((v) => [v.uuid, v]));
    ctx.body = { attachments: found.map((a) => (detail ? attachmentView(a, volumes.get(a.volume_uuid)) : attachmentSummary(a))) };
  };
  router.get(at('/attachments'), (ctx) => list(ctx, false));
  router.get(at('/attachments/detail'), (ctx) => list(ctx, true));
  router.get(at('/attachments/:id'), async (ctx) => {
    requireVersion(ctx, '3.27');
    requireReader(ctx.state.context, 'volume:attachment_get');
    ctx.body = { attachment: await view(await findAttachment(db, ctx.params['id'] ?? '', viewerOf(ctx))) };
  });
  router.post(at('/attachments'), async (ctx) => {
    requireVersion(ctx, '3.27');
    requireMember(ctx.state.context, 'volume:attachment_create');
    const { attachment: a } = validate<CreateBody>(CreateAttachmentBody, ctx.state.body);
    const made = await createAttachment(deps.volumes.deps, viewerOf(ctx), { ...a, mode: ctx.state.version.minor >= 54 ? a.mode : undefined });
    ctx.body = { attachment: await view(made) };
  });
  router.put(at('/attachments/:id'), async (ctx) => {
    requireVersion(ctx, '3.27');
    requireMember(ctx.state.context, 'volume:attachment_update');
    const { attachment: a } = validate<{ attachment: { connector: Record<string, unknown> } }>(UpdateAttachmentBody, ctx.state.body);
    ctx.body = { attachment: await view(await updateAttachment(deps.volumes.deps, viewerOf(ctx), ctx.params['id'] ?? '', a.connector)) };
  });
  router.post(at('/attachments/:id/action'), async (ctx) => {
    requireVersion(ctx, '3.44');
    requireMember(ctx.state.context, 'volume:attachment_complete');
    validate(AttachmentActionBody, ctx.state.body);
    await completeAttachment(deps.volumes.deps, viewerOf(ctx), ctx.params['id'] ?? '');
    ctx.status = 204;
  });
  router.delete(at('/attachments/:id'), async (ctx) => {
    requireVersion(ctx, '3.27');
    requireMember(ctx.state.context, 'volume:attachment_delete');
    const left = await deleteAttachment(deps.volumes.deps, viewerOf(ctx), ctx.params['id'] ?? '');
    ctx.body = { attachments: left.map(attachmentSummary) };
  });
}
