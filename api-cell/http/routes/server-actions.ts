import type Router from '@koa/router';
import { deleteServer, getServer } from '../../compute/index.js';
import { confirmResize, migrateServer, resizeServer, revertResize, type MoveDeps } from '../../compute/actions/moves.js';
import { setLocked } from '../../compute/actions/lock.js';
import { powerAction } from '../../compute/actions/power.js';
import { rebuildServer } from '../../compute/actions/rebuild.js';
import { snapshotServer } from '../../compute/actions/snapshot.js';
import { consoleOutput } from '../../compute/actions/console.js';
import { rescueServer, type RescueRequest } from '../../compute/actions/rescue.js';
import { shelveOffloadServer, shelveServer, unshelveServer, type UnshelveTarget } from '../../compute/actions/shelve.js';
import { evacuateServer } from '../../compute/actions/evacuate.js';
import { resetState } from '../../compute/actions/reset-state.js';
import { legacyConsole, legacyConsoleActions } from './consoles.js';
import { ForbiddenError, InvalidInputError } from '../../../ops/runtime/index.js';
import { atLeast, type Microversion } from '../microversion.js';
import { requireAdmin, requireMember } from '../policy.js';
import { actionSchemas, lenient, nullOrEmpty } from '../schemas/server-actions.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import { serverView } from '../views/servers.js';
import type { ApiServices } from './services.js';
import type { PowerOperation } from '../../../child-cell/compute/index.js';

const power: Record<string, PowerOperation> = {
  'os-stop': 'stop',
  'os-start': 'start',
  pause: 'pause',
  unpause: 'unpause',
  suspend: 'suspend',
  resume: 'resume',
};

/** POST /servers/{id}/action: the body's one key names the action; each has its own schema and rules. */
export function registerServerActionRoutes(router: Router<ApiState>, services: ApiServices, moves: MoveDeps['moves']): void {
  const deps: MoveDeps = { ...services, castTimeoutMs: services.config.super_conductor.cast_timeout_ms, moves, config: services.config };
  router.post('/v2.1/servers/:id/action', async (ctx) => {
    const body = ctx.state.body;
    if (!body || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length !== 1) {
      throw new InvalidInputError('The action body must name exactly one action.');
    }
    const [action, args] = Object.entries(body as Record<string, unknown>)[0] as [string, unknown];
    if (legacyConsoleActions.has(action)) {
      ctx.body = await legacyConsole(services, ctx.state, ctx.params['id'] ?? '', action, args);
      return;
    }
    const schema = actionSchemas[action];
    if (!schema) throw new InvalidInputError(`There is no such action: ${action}`);
    validate(lenient.has(action) ? nullOrEmpty : schema, args);
    const { context, version } = ctx.state;
    const uuid = ctx.params['id'] ?? '';
    ctx.status = 202;
    if (power[action]) {
      requireMember(context, `os_compute_api:servers:${action}`);
      await powerAction(deps, context, uuid, power[action]);
      return;
    }
    switch (action) {
      case 'reboot': {
        requireMember(context, 'os_compute_api:servers:reboot');
        await powerAction(deps, context, uuid, 'reboot', { hard: /hard/i.test((args as { type: string }).type) });
        return;
      }
      case 'lock':
      case 'unlock': {
        requireMember(context, `os_compute_api:os-lock-server:${action}`);
        const reason = atLeast(version, '2.73') ? ((args as { locked_reason?: string } | null)?.locked_reason ?? null) : null;
        if (!atLeast(version, '2.73') && args && Object.keys(args).length > 0) throw new InvalidInputError("Additional properties are not allowed ('locked_reason' was unexpected)");
        await setLocked(services, context, uuid, action === 'lock', reason);
        return;
      }
      case 'rebuild': {
        requireMember(context, 'os_compute_api:servers:rebuild');
        const r = args as { imageRef: string; name?: string; description?: string | null; metadata?: Record<string, string>; accessIPv4?: string; accessIPv6?: string; hostname?: string; adminPass?: string };
        await rebuildServer(deps, context, uuid, r);
        const record = await getServer(services, context, uuid, { serverGroups: atLeast(version, '2.71') });
        ctx.body = { server: { ...serverView(record, { publicUrl: services.publicUrl, context, version }), adminPass: r.adminPass ?? 'unchanged' } };
        return;
      }
      case 'resize': {
        requireMember(context, 'os_compute_api:servers:resize');
        await resizeServer(deps, context, uuid, String((args as { flavorRef: string | number }).flavorRef));
        return;
      }
      case 'confirmResize': {
        requireMember(context, 'os_compute_api:servers:confirm_resize');
        await confirmResize(deps, context, uuid);
        ctx.status = 204;
        return;
      }
      case 'revertResize': {
        requireMember(context, 'os_compute_api:servers:revert_resize');
        await revertResize(deps, context, uuid);
        return;
      }
      case 'migrate':
      case 'os-migrateLive': {
        requireAdmin(context, action === 'migrate' ? 'os_compute_api:os-migrate-server:migrate' : 'os_compute_api:os-migrate-server:migrate_live');
        const host = (args as { host?: string | null } | null)?.host ?? null;
        if (action === 'migrate' && host !== null && !atLeast(version, '2.56')) throw new InvalidInputError("Additional properties are not allowed ('host' was unexpected)");
        await migrateServer(deps, context, uuid, action === 'os-migrateLive', host);
        return;
      }
      case 'createImage': {
        requireMember(context, 'os_compute_api:servers:create_image');
        const { name, metadata } = args as { name: string; metadata?: Record<string, string> };
        const imageId = await snapshotServer(deps, context, uuid, name, metadata ?? {});
        // From 2.45 the id is in the body; before, only in the Location of the new image.
        if (atLeast(version, '2.45')) ctx.body = { image_id: imageId };
        else ctx.set('location', `${services.publicUrl}/image/v2/images/${imageId}`);
        return;
      }
      case 'rescue': {
        requireMember(context, 'os_compute_api:os-rescue');
        const adminPass = await rescueServer(deps, context, uuid, (args as RescueRequest | null) ?? {});
        ctx.status = 200;
        ctx.body = { adminPass };
        return;
      }
      case 'unrescue': {
        requireMember(context, 'os_compute_api:os-unrescue');
        await powerAction(deps, context, uuid, 'unrescue');
        return;
      }
      case 'shelve': {
        requireMember(context, 'os_compute_api:os-shelve:shelve');
        await shelveServer(deps, context, uuid);
        return;
      }
      case 'shelveOffload': {
        requireAdmin(context, 'os_compute_api:os-shelve:shelve_offload');
        await shelveOffloadServer(deps, context, uuid);
        return;
      }
      case 'unshelve': {
        requireMember(context, 'os_compute_api:os-shelve:unshelve');
        await unshelveServer(deps, context, uuid, unshelveTarget(args as UnshelveBody | null, version, context.isAdmin));
        return;
      }
      case 'evacuate': {
        requireAdmin(context, 'os_compute_api:os-evacuate');
        const e = args as { host?: string; adminPass?: string; onSharedStorage?: boolean; force?: boolean };
        checkEvacuateFields(e, version);
        const adminPass = await evacuateServer(deps, context, uuid, { ...e, stopped: atLeast(version, '2.95') });
        // Before 2.14 the password is answered; from 2.14 nothing is.
        ctx.status = 200;
        ctx.body = atLeast(version, '2.14') ? '' : { adminPass };
        return;
      }
      case 'changePassword': {
        requireMember(context, 'os_compute_api:os-admin-password');
        await powerAction(deps, context, uuid, 'changePassword', { adminPass: (args as { adminPass: string }).adminPass });
        return;
      }
      case 'os-resetState': {
        requireAdmin(context, 'os_compute_api:os-admin-actions:reset_state');
        await resetState(services, context, uuid, (args as { state: 'active' | 'error' }).state);
        return;
      }
      case 'os-getConsoleOutput': {
        requireMember(context, 'os_compute_api:os-console-output');
        const raw = (args as { length?: number | string | null }).length ?? null;
        const length = raw === null ? null : Number(raw);
        if (length !== null && length < -1) throw new InvalidInputError(`Invalid input for field/attribute length. Value: ${raw}. ${raw} is less than the minimum of -1`);
        ctx.status = 200;
        ctx.body = { output: await consoleOutput(deps, context, uuid, length) };
        return;
      }
      case 'forceDelete': {
        requireMember(context, 'os_compute_api:os-deferred-delete:force');
        await deleteServer(services.delete(ctx.state.log), context, uuid);
        return;
      }
      default:
        throw new InvalidInputError(`There is no such action: ${action}`);
    }
  });
}

/** evacuate's body by microversion: onSharedStorage is required before 2.14 and gone after; force lives from 2.29 to 2.67. */
function checkEvacuateFields(e: { onSharedStorage?: boolean; force?: boolean }, version: Microversion): void {
  const unexpected = (field: string) => new InvalidInputError(`Additional properties are not allowed ('${field}' was unexpected)`);
  if (atLeast(version, '2.14')) {
    if (e.onSharedStorage !== undefined) throw unexpected('onSharedStorage');
  } else if (e.onSharedStorage === undefined) {
    throw new InvalidInputError("'onSharedStorage' is a required property");
  }
  if (e.force !== undefined && (!atLeast(version, '2.29') || atLeast(version, '2.68'))) throw unexpected('force');
}

interface UnshelveBody {
  availability_zone?: string | null;
  host?: string;
}

/**
 * unshelve's body by microversion: only null before 2.77; from 2.77 a zone is required; from
 * 2.91 a zone (null: any zone) and a host (admins only) are both optional.
 */
function unshelveTarget(body: UnshelveBody | null, version: Microversion, isAdmin: boolean): UnshelveTarget {
  if (body === null) return { zone: null, anyZone: false, host: null };
  if (!atLeast(version, '2.77')) throw new InvalidInputError(`Invalid input for field/attribute unshelve. Value: ${JSON.stringify(body)}. It is not of type null.`);
  if (!atLeast(version, '2.91')) {
    if (body.host !== undefined) throw new InvalidInputError("Additional properties are not allowed ('host' was unexpected)");
    if (typeof body.availability_zone !== 'string') throw new InvalidInputError("'availability_zone' is a required property and must be a string");
    return { zone: body.availability_zone, anyZone: false, host: null };
  }
  if (body.host !== undefined && !isAdmin) throw new ForbiddenError("Policy doesn't allow os_compute_api:os-shelve:unshelve_to_host to be performed.");
  return { zone: body.availability_zone ?? null, anyZone: body.availability_zone === null, host: body.host ?? null };
}
