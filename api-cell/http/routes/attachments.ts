import type Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import { getServer, invalidState, locate } from '../../compute/index.js';
import { VmState } from '../../../child-cell/instance/index.js';
import { ConflictError, NotFoundError } from '../../../ops/runtime/index.js';
import { atLeast } from '../microversion.js';
import { requireMember, requireReader } from '../policy.js';
import { allowQuery, strictQuery } from '../query.js';
import {
  AttachVolumeBody,
  AttachVolumeBodyV249,
  AttachVolumeBodyV279,
  CreateShareBody,
  UpdateVolumeAttachmentBody,
  UpdateVolumeAttachmentBodyV285,
} from '../schemas/attachments.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import type { ApiServices } from './services.js';

type Ctx = ParameterizedContext<ApiState>;

const server = (ctx: Ctx): string => ctx.params['id'] ?? '';

/** Shares came at 2.97: below, the paths do not exist. */
function sharesServed(ctx: Ctx): void {
  if (!atLeast(ctx.state.version, '2.97')) throw new NotFoundError('The resource could not be found.');
}

/**
 * Attachments as Nova answers them with no share service (Manila) and no volume service
 * (Cinder): a server has none, none can be found to attach, and its hosts lack virtio-fs.
 */
export function registerAttachmentRoutes(router: Router<ApiState>, services: ApiServices): void {
  const shareRule = (action: string): string => `os_compute_api:os-server-shares:${action}`;

  router.get('/v2.1/servers/:id/shares', async (ctx) => {
    sharesServed(ctx);
    strictQuery(ctx, '2.97');
    requireReader(ctx.state.context, shareRule('index'));
    await getServer(services, ctx.state.context, server(ctx));
    ctx.body = { shares: [] };
  });

  router.post('/v2.1/servers/:id/shares', async (ctx) => {
    sharesServed(ctx);
    requireMember(ctx.state.context, shareRule('create'));
    validate(CreateShareBody, ctx.state.body);
    const target = await locate(services, ctx.state.context, server(ctx), 'create share');
    if (target.instance.vm_state !== VmState.STOPPED) throw invalidState('create share', target.instance.uuid, 'vm_state', target.instance.vm_state);
    // Nova checks the host has virtio-fs and file-backed memory (traits no host here reports).
    throw new ConflictError('Feature not supported because either compute or instance are not configured correctly.');
  });

  router.get('/v2.1/servers/:id/shares/:share', async (ctx) => {
    sharesServed(ctx);
    strictQuery(ctx, '2.97');
    requireReader(ctx.state.context, shareRule('show'));
    await getServer(services, ctx.state.context, server(ctx));
    throw new NotFoundError(`Share ${ctx.params['share'] ?? ''} could not be found.`);
  });

  router.delete('/v2.1/servers/:id/shares/:share', async (ctx) => {
    sharesServed(ctx);
    requireMember(ctx.state.context, shareRule('delete'));
    const target = await locate(services, ctx.state.context, server(ctx), 'delete share');
    const state = target.instance.vm_state;
    if (state !== VmState.STOPPED && state !== VmState.ERROR) throw invalidState('delete share', target.instance.uuid, 'vm_state', state);
    throw new NotFoundError(`Share ${ctx.params['share'] ?? ''} could not be found.`);
  });

  const volumeRule = (action: string): string => `os_compute_api:os-volumes-attachments:${action}`;
  const notAttached = (ctx: Ctx): NotFoundError =>
    new NotFoundError(`Instance ${server(ctx)} is not attached to volume ${ctx.params['volume'] ?? ''}`);

  router.get('/v2.1/servers/:id/os-volume_attachments', async (ctx) => {
    allowQuery(ctx, ['limit', 'offset']);
    requireReader(ctx.state.context, volumeRule('index'));
    await getServer(services, ctx.state.context, server(ctx));
    ctx.body = { volumeAttachments: [] };
  });

  router.get('/v2.1/servers/:id/os-volume_attachments/:volume', async (ctx) => {
    requireReader(ctx.state.context, volumeRule('show'));
    await getServer(services, ctx.state.context, server(ctx));
    throw notAttached(ctx);
  });

  // 2.101 made the attach asynchronous (202, no body); either way the volume is looked up first.
  router.post('/v2.1/servers/:id/os-volume_attachments', async (ctx) => {
    const { version } = ctx.state;
    const schema = atLeast(version, '2.79') ? AttachVolumeBodyV279 : atLeast(version, '2.49') ? AttachVolumeBodyV249 : AttachVolumeBody;
    const body = validate<AttachVolumeBody>(schema, ctx.state.body);
    requireMember(ctx.state.context, volumeRule('create'));
    await getServer(services, ctx.state.context, server(ctx));
    throw new NotFoundError(`Volume ${body.volumeAttachment.volumeId} could not be found.`);
  });

  router.put('/v2.1/servers/:id/os-volume_attachments/:volume', async (ctx) => {
    validate(atLeast(ctx.state.version, '2.85') ? UpdateVolumeAttachmentBodyV285 : UpdateVolumeAttachmentBody, ctx.state.body);
    requireMember(ctx.state.context, volumeRule('update'));
    await getServer(services, ctx.state.context, server(ctx));
    throw new NotFoundError(`Volume ${ctx.params['volume'] ?? ''} could not be found.`);
  });

  router.delete('/v2.1/servers/:id/os-volume_attachments/:volume', async (ctx) => {
    requireMember(ctx.state.context, volumeRule('delete'));
    await getServer(services, ctx.state.context, server(ctx));
    throw new NotFoundError(`Volume ${ctx.params['volume'] ?? ''} could not be found.`);
  });
}
