import type { PowerOperation } from '../../../../child-cell/compute/index.js';
import { InvalidInputError } from '../../../../ops/runtime/index.js';
import { consoleOutput } from '../../../compute/actions/console.js';
import { triggerCrashDump } from '../../../compute/actions/crash-dump.js';
import { setLocked } from '../../../compute/actions/lock.js';
import type { MoveDeps } from '../../../compute/actions/moves.js';
import { powerAction } from '../../../compute/actions/power.js';
import { rebuildServer, type RebuildRequest } from '../../../compute/actions/rebuild.js';
import { rescueServer, type RescueRequest } from '../../../compute/actions/rescue.js';
import { resetState } from '../../../compute/actions/reset-state.js';
import { snapshotServer } from '../../../compute/actions/snapshot.js';
import { releaseBlockDevices } from '../../../block-devices/index.js';
import { deleteServer, getServer, withRequestSpecFacts } from '../../../compute/index.js';
import { atLeast } from '../../microversion.js';
import { requireAdmin, requireMember } from '../../policy.js';
import { serverView } from '../../views/servers.js';
import type { ApiServices } from '../services.js';
import type { ActionHandler } from './types.js';

const power: Record<string, PowerOperation> = {
  'os-stop': 'stop',
  'os-start': 'start',
  pause: 'pause',
  unpause: 'unpause',
  suspend: 'suspend',
  resume: 'resume',
};

type RebuildBody = RebuildRequest & { adminPass?: string };

/** Actions on a server where it is: power, lock, rebuild, rescue, password, state, snapshot, backup, console, crash dump, force delete. */
export function lifecycleActions(services: ApiServices, deps: MoveDeps): Record<string, ActionHandler> {
  const handlers: Record<string, ActionHandler> = {};
  for (const [action, operation] of Object.entries(power)) {
    handlers[action] = async ({ context, uuid }) => {
      requireMember(context, `os_compute_api:servers:${action}`);
      await powerAction(deps, context, uuid, operation);
    };
  }
  const lock: ActionHandler = async ({ context, version, uuid, action, args }) => {
    requireMember(context, `os_compute_api:os-lock-server:${action}`);
    const reason = atLeast(version, '2.73') ? ((args as { locked_reason?: string } | null)?.locked_reason ?? null) : null;
    if (!atLeast(version, '2.73') && args && Object.keys(args).length > 0) throw new InvalidInputError("Additional properties are not allowed ('locked_reason' was unexpected)");
    await setLocked(services, context, uuid, action === 'lock', reason);
  };
  return {
    ...handlers,
    lock,
    unlock: lock,
    reboot: async ({ context, uuid, args }) => {
      requireMember(context, 'os_compute_api:servers:reboot');
      await powerAction(deps, context, uuid, 'reboot', { hard: /hard/i.test((args as { type: string }).type) });
    },
    rebuild: async ({ ctx, context, version, uuid, args }) => {
      requireMember(context, 'os_compute_api:servers:rebuild');
      const r = args as RebuildBody;
      await rebuildServer(deps, context, uuid, r);
      const record = await getServer(services, context, uuid, { serverGroups: atLeast(version, '2.71'), hostStatus: atLeast(version, '2.75') && context.isAdmin });
      if (atLeast(version, '2.98')) await withRequestSpecFacts(services.api, [record]);
      ctx.body = { server: { ...serverView(record, { publicUrl: services.publicUrl, context, version }, 'rebuild'), adminPass: r.adminPass ?? 'unchanged' } };
    },
    rescue: async ({ ctx, context, uuid, args }) => {
      requireMember(context, 'os_compute_api:os-rescue');
      const adminPass = await rescueServer(deps, context, uuid, (args as RescueRequest | null) ?? {});
      ctx.status = 200;
      ctx.body = { adminPass };
    },
    unrescue: async ({ context, uuid }) => {
      requireMember(context, 'os_compute_api:os-unrescue');
      await powerAction(deps, context, uuid, 'unrescue');
    },
    changePassword: async ({ context, uuid, args }) => {
      requireMember(context, 'os_compute_api:os-admin-password');
      await powerAction(deps, context, uuid, 'changePassword', { adminPass: (args as { adminPass: string }).adminPass });
    },
    'os-resetState': async ({ context, uuid, args }) => {
      requireAdmin(context, 'os_compute_api:os-admin-actions:reset_state');
      await resetState(services, context, uuid, (args as { state: 'active' | 'error' }).state);
    },
    createImage: async ({ ctx, context, version, uuid, args }) => {
      requireMember(context, 'os_compute_api:servers:create_image');
      const { name, metadata } = args as { name: string; metadata?: Record<string, string> };
      const imageId = await snapshotServer(deps, context, uuid, name, metadata ?? {});
      // From 2.45 the id is in the body; before, only in the Location of the new image.
      if (atLeast(version, '2.45')) ctx.body = { image_id: imageId };
      else ctx.set('location', `${services.publicUrl}/image/v2/images/${imageId}`);
    },
    createBackup: async ({ ctx, context, version, uuid, args }) => {
      requireMember(context, 'os_compute_api:os-create-backup');
      const { name, backup_type, rotation, metadata } = args as { name: string; backup_type: string; rotation: number | string; metadata?: Record<string, string> };
      const keep = Number(rotation);
      const imageId = await snapshotServer(deps, context, uuid, name, metadata ?? {}, { type: backup_type, rotation: keep });
      // As createImage, except that before 2.45 a rotation of 0 (the backup goes at once) has no Location.
      if (atLeast(version, '2.45')) ctx.body = { image_id: imageId };
      else if (keep > 0) ctx.set('location', `${services.publicUrl}/image/v2/images/${imageId}`);
    },
    'os-getConsoleOutput': async ({ ctx, context, uuid, args }) => {
      requireMember(context, 'os_compute_api:os-console-output');
      const raw = (args as { length?: number | string | null }).length ?? null;
      const length = raw === null ? null : Number(raw);
      if (length !== null && length < -1) throw new InvalidInputError(`Invalid input for field/attribute length. Value: ${raw}. ${raw} is less than the minimum of -1`);
      ctx.status = 200;
      ctx.body = { output: await consoleOutput(deps, context, uuid, length) };
    },
    trigger_crash_dump: async ({ context, version, uuid, action }) => {
      if (!atLeast(version, '2.17')) throw new InvalidInputError(`There is no such action: ${action}`);
      requireMember(context, 'os_compute_api:servers:trigger_crash_dump');
      await triggerCrashDump(deps, context, uuid);
    },
    restore: async ({ context, uuid }) => {
      requireMember(context, 'os_compute_api:os-deferred-delete:restore');
      await powerAction(deps, context, uuid, 'restore');
    },
    forceDelete: async ({ ctx, context, uuid }) => {
      requireMember(context, 'os_compute_api:os-deferred-delete:force');
      await deleteServer(services.delete(ctx.state.log), context, uuid);
      await releaseBlockDevices(services.api, services.volumes.deps, uuid);
    },
  };
}
