import type Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import { attachVolume, detachVolume, devicesOf, type BlockDevice } from '../../block-devices/index.js';
import { checkState, getServer, invalidState, locate } from '../../compute/index.js';
import { VmState } from '../../../child-cell/instance/index.js';
import { ConflictError, NotFoundError } from '../../../ops/runtime/index.js';
import { atLeast, type Microversion } from '../microversion.js';
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

/** vm states a volume may be attached or detached in (Nova's check_instance_state for attach_volume). */
const attachable: string[] = [VmState.ACTIVE, VmState.PAUSED, VmState.STOPPED, VmState.RESIZED, VmState.SOFT_DELETED, VmState.SHELVED, VmState.SHELVED_OFFLOADED];

/** One of a server's volumes as os-volume_attachments shows it, by microversion. */
function volumeAttachmentView(d: BlockDevice, version: Microversion): Record<string, unknown> {
  const view: Record<string, unknown> = atLeast(version, '2.89') ? {} : { id: d.volume_id };
  Object.assign(view, { volumeId: d.volume_id, serverId: d.instance_uuid, device: d.device_name });
  if (atLeast(version, '2.70')) view['tag'] = d.tag;
  if (atLeast(version, '2.79')) view['delete_on_termination'] = d.delete_on_termination;
  if (atLeast(version, '2.89')) Object.assign(view, { attachment_id: d.attachment_id, bdm_uuid: d.uuid });
  return view;
}

const server = (ctx: Ctx): string => ctx.params['id'] ?? '';

/** Shares came at 2.97: below, the paths do not exist. */
function sharesServed(ctx: Ctx): void {
  if (!atLeast(ctx.state.version, '2.97')) throw new NotFoundError('The resource could not be found.');
}

/**
 * Attachments: volumes from the volume service (attached and detached through the server's block
 * devices), and shares as Nova answers them with no share service (Manila): none, and hosts lack virtio-fs.
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
  const viewer = (ctx: Ctx) => ({ projectId: ctx.state.context.projectId, userId: ctx.state.context.userId, isAdmin: ctx.state.context.isAdmin });

  router.get('/v2.1/servers/:id/os-volume_attachments', async (ctx) => {
    allowQuery(ctx, ['limit', 'offset']);
    requireReader(ctx.state.context, volumeRule('index'));
    await getServer(services, ctx.state.context, server(ctx));
    const devices = (await devicesOf(services.api, [server(ctx)])).filter((d) => d.volume_id);
    const offset = Number(ctx.query['offset'] ?? 0) || 0;
    const limit = Number(ctx.query['limit'] ?? devices.length) || devices.length;
    ctx.body = { volumeAttachments: devices.slice(offset, offset + limit).map((d) => volumeAttachmentView(d, ctx.state.version)) };
  });

  router.get('/v2.1/servers/:id/os-volume_attachments/:volume', async (ctx) => {
    requireReader(ctx.state.context, volumeRule('show'));
    await getServer(services, ctx.state.context, server(ctx));
    const device = (await devicesOf(services.api, [server(ctx)])).find((d) => d.volume_id === ctx.params['volume']);
    if (!device) throw new NotFoundError(`Instance ${server(ctx)} is not attached to volume ${ctx.params['volume'] ?? ''}`);
    ctx.body = { volumeAttachment: volumeAttachmentView(device, ctx.state.version) };
  });

  // 2.101 made the attach asynchronous (202, no body); here it is done by the time either answers.
  router.post('/v2.1/servers/:id/os-volume_attachments', async (ctx) => {
    const { version } = ctx.state;
    const schema = atLeast(version, '2.79') ? AttachVolumeBodyV279 : atLeast(version, '2.49') ? AttachVolumeBodyV249 : AttachVolumeBody;
    const body = validate<AttachVolumeBody>(schema, ctx.state.body);
    requireMember(ctx.state.context, volumeRule('create'));
    const target = await locate(services, ctx.state.context, server(ctx), 'attach_volume');
    checkState(target, 'attach_volume', { vm: attachable });
    const wanted = body.volumeAttachment;
    const removeWithServer = wanted.delete_on_termination === undefined ? undefined : /^(true|1|yes|on|y|t)$/i.test(String(wanted.delete_on_termination));
    const made = await attachVolume(services.api, services.volumes.deps, viewer(ctx), target.instance.uuid, target.instance.host, { ...wanted, delete_on_termination: removeWithServer });
    if (atLeast(version, '2.101')) {
      ctx.status = 202;
      return;
    }
    const view = volumeAttachmentView(made, version);
    // The create answer keeps the id key at every version (Nova's attach view).
    ctx.body = { volumeAttachment: { id: made.volume_id, ...view } };
  });

  router.put('/v2.1/servers/:id/os-volume_attachments/:volume', async (ctx) => {
    validate(atLeast(ctx.state.version, '2.85') ? UpdateVolumeAttachmentBodyV285 : UpdateVolumeAttachmentBody, ctx.state.body);
    requireMember(ctx.state.context, volumeRule('update'));
    await getServer(services, ctx.state.context, server(ctx));
    throw new NotFoundError(`Volume ${ctx.params['volume'] ?? ''} could not be found.`);
  });

  router.delete('/v2.1/servers/:id/os-volume_attachments/:volume', async (ctx) => {
    requireMember(ctx.state.context, volumeRule('delete'));
    const target = await locate(services, ctx.state.context, server(ctx), 'detach_volume');
    checkState(target, 'detach_volume', { vm: attachable });
    await detachVolume(services.api, services.volumes.deps, target.instance.uuid, ctx.params['volume'] ?? '');
    ctx.status = 202;
  });
}
