import type { TSchema } from '@sinclair/typebox';
import { InvalidInputError } from '../../../ops/runtime/index.js';
import { atLeast } from '../../http/microversion.js';
import { requireAdmin, requireMember } from '../../http/policy.js';
import { validate } from '../../http/validation.js';
import { connectionInfo, deleteAttachment } from '../attach.js';
import { attachmentsOfVolumes, insertAttachment, setAttachment } from '../attachments.js';
import { deleteVolume, extendVolume } from '../lifecycle.js';
import type { Volume, VolumeViewer } from '../records.js';
import { moveRow, updateFields } from '../rows.js';
import { findVolume } from '../volumes.js';
import { viewerOf, type Ctx, type VolumeApiDeps } from './common.js';
import { truthy, VOLUME_ACTIONS } from './schemas.js';

type Body = Record<string, unknown>;
type Action = (ctx: Ctx, deps: VolumeApiDeps, volume: Volume, body: Body) => Promise<void>;

/** Moves the volume or answers Cinder's 400 for a status the action does not start from. */
async function move(deps: VolumeApiDeps, volume: Volume, from: string[], to: string, extra: Record<string, unknown> = {}): Promise<void> {
  if (!from.includes(volume.status) || !(await moveRow(deps.volumes.deps.db, 'volumes', volume.uuid, from, to, extra))) {
    throw new InvalidInputError(`Invalid volume: Volume ${volume.uuid} status must be ${from.join(' or ')}, but the current status is ${volume.status}.`);
  }
}

async function detachAll(deps: VolumeApiDeps, volume: Volume, attachmentId: unknown): Promise<void> {
  const all = await attachmentsOfVolumes(deps.volumes.deps.db, [volume.uuid]);
  const chosen = typeof attachmentId === 'string' ? all.filter((a) => a.uuid === attachmentId) : all;
  if (typeof attachmentId === 'string' && chosen.length === 0) throw new InvalidInputError(`Invalid volume: Attachment ${attachmentId} is not one of volume ${volume.uuid}.`);
  const admin: VolumeViewer = { projectId: volume.project_id, userId: '', isAdmin: true };
  for (const a of chosen) await deleteAttachment(deps.volumes.deps, admin, a.uuid);
  // With no attachment left the volume is free, whatever status (an admin's reset to error) it had.
  if ((await attachmentsOfVolumes(deps.volumes.deps.db, [volume.uuid])).length === 0) {
    const now = await findVolume(deps.volumes.deps.db, volume.uuid);
    await moveRow(deps.volumes.deps.db, 'volumes', volume.uuid, [now.status], 'available', { attach_status: 'detached' });
  }
}

/** Cinder's volume actions: the pre-3.27 attach flow (reserve, attach, begin/roll detaching, detach), extend, flags, admin resets. */
const actions: Record<string, Action> = {
  'os-extend': async (ctx, deps, v, body) => {
    requireMember(ctx.state.context, 'volume:extend');
    await extendVolume(deps.volumes.deps, viewerOf(ctx), v.uuid, Number(body['new_size']), atLeast(ctx.state.version, '3.42'));
  },
  'os-set_bootable': async (ctx, deps, v, body) => {
    requireMember(ctx.state.context, 'volume_extension:volume_actions:set_bootable');
    await updateFields(deps.volumes.deps.db, 'volumes', v.uuid, { bootable: truthy(body['bootable'] as string | boolean) });
    ctx.status = 200;
    ctx.body = '';
  },
  'os-update_readonly_flag': async (ctx, deps, v, body) => {
    requireMember(ctx.state.context, 'volume:update_readonly_flag');
    await updateFields(deps.volumes.deps.db, 'volumes', v.uuid, { metadata: { ...v.metadata, readonly: truthy(body['readonly'] as string | boolean) ? 'True' : 'False' } });
  },
  'os-reserve': (ctx, deps, v) => (requireMember(ctx.state.context, 'volume:reserve_volume'), move(deps, v, ['available'], 'attaching')),
  'os-unreserve': (ctx, deps, v) => (requireMember(ctx.state.context, 'volume:unreserve_volume'), move(deps, v, ['attaching'], 'available')),
  'os-begin_detaching': (ctx, deps, v) => (requireMember(ctx.state.context, 'volume:begin_detaching'), move(deps, v, ['in-use'], 'detaching')),
  'os-roll_detaching': (ctx, deps, v) => (requireMember(ctx.state.context, 'volume:roll_detaching'), move(deps, v, ['detaching'], 'in-use')),
  'os-attach': async (ctx, deps, v, body) => {
    requireMember(ctx.state.context, 'volume:attach');
    await move(deps, v, ['available', 'attaching', 'reserved'], 'in-use', { attach_status: 'attached' });
    const instance = typeof body['instance_uuid'] === 'string' ? body['instance_uuid'] : null;
    const connector = { host: body['host_name'] ?? null, mountpoint: body['mountpoint'], instance };
    const db = deps.volumes.deps.db;
    const uuid = await insertAttachment(db, { volume_uuid: v.uuid, project_id: v.project_id, instance_uuid: instance, attach_status: 'attached', attach_mode: body['mode'] === 'ro' ? 'ro' : 'rw', connector });
    await setAttachment(db, uuid, { mountpoint: body['mountpoint'], attach_time: new Date() });
  },
  'os-detach': (ctx, deps, v, body) => (requireMember(ctx.state.context, 'volume:detach'), detachAll(deps, v, body['attachment_id'])),
  'os-initialize_connection': async (ctx, deps, v) => {
    requireMember(ctx.state.context, 'volume_extension:volume_actions:initialize_connection');
    const [attachment] = await attachmentsOfVolumes(deps.volumes.deps.db, [v.uuid]);
    ctx.status = 200;
    ctx.body = { connection_info: connectionInfo(v, attachment ?? { uuid: '', volume_uuid: v.uuid, project_id: v.project_id, instance_uuid: null, attach_status: 'attaching', attach_mode: 'rw', connector: null, mountpoint: null, attached_host: null, attach_time: null, detach_time: null }) };
  },
  'os-terminate_connection': async (ctx) => {
    requireMember(ctx.state.context, 'volume_extension:volume_actions:terminate_connection');
  },
  'os-reset_status': async (ctx, deps, v, body) => {
    requireAdmin(ctx.state.context, 'volume_extension:volume_admin_actions:reset_status');
    const extra = body['attach_status'] ? { attach_status: body['attach_status'] } : {};
    await moveRow(deps.volumes.deps.db, 'volumes', v.uuid, [v.status], (body['status'] as string | undefined) ?? v.status, extra);
  },
  'os-force_delete': async (ctx, deps, v) => {
    requireAdmin(ctx.state.context, 'volume_extension:volume_admin_actions:force_delete');
    await deleteVolume(deps.volumes.deps, viewerOf(ctx), v.uuid, { cascade: true, force: true });
  },
  'os-force_detach': async (ctx, deps, v, body) => {
    requireAdmin(ctx.state.context, 'volume_extension:volume_admin_actions:force_detach');
    await detachAll(deps, v, body['attachment_id']);
  },
};

/** POST /volumes/{id}/action: one action, its body checked by its own schema; 202 unless the action says. */
export async function volumeAction(ctx: Ctx, deps: VolumeApiDeps): Promise<void> {
  const body = (ctx.state.body ?? {}) as Record<string, unknown>;
  const name = Object.keys(body)[0] ?? '';
  const action = actions[name];
  const schema: TSchema | undefined = VOLUME_ACTIONS[name];
  if (!action || !schema || Object.keys(body).length !== 1) throw new InvalidInputError(`Invalid input received: There is no such action: ${name || 'None'}`);
  const args = validate<Body | null>(schema, body[name]) ?? {};
  const volume = await findVolume(deps.volumes.deps.db, ctx.params['id'] ?? '', viewerOf(ctx));
  ctx.status = 202;
  await action(ctx, deps, volume, args);
}
