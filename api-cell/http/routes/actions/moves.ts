import { ForbiddenError, InvalidInputError } from '../../../../ops/runtime/index.js';
import { evacuateServer } from '../../../compute/actions/evacuate.js';
import { confirmResize, migrateServer, resizeServer, revertResize, type MoveDeps } from '../../../compute/actions/moves.js';
import { shelveOffloadServer, shelveServer, unshelveServer, type UnshelveTarget } from '../../../compute/actions/shelve.js';
import { atLeast, type Microversion } from '../../microversion.js';
import { requireAdmin, requireMember } from '../../policy.js';
import type { ActionHandler } from './types.js';

/** Actions that take a server off its host or onto another: resize, migrations, evacuate, shelve. */
export function moveActions(deps: MoveDeps): Record<string, ActionHandler> {
  const migrate: ActionHandler = async ({ context, version, uuid, action, args }) => {
    requireAdmin(context, action === 'migrate' ? 'os_compute_api:os-migrate-server:migrate' : 'os_compute_api:os-migrate-server:migrate_live');
    const host = (args as { host?: string | null } | null)?.host ?? null;
    if (action === 'migrate' && host !== null && !atLeast(version, '2.56')) throw new InvalidInputError("Additional properties are not allowed ('host' was unexpected)");
    await migrateServer(deps, context, uuid, action === 'os-migrateLive', host);
  };
  return {
    resize: async ({ context, uuid, args }) => {
      requireMember(context, 'os_compute_api:servers:resize');
      const r = args as { flavorRef: string | number; 'OS-DCF:diskConfig'?: 'AUTO' | 'MANUAL' };
      await resizeServer(deps, context, uuid, String(r.flavorRef), r['OS-DCF:diskConfig']);
    },
    confirmResize: async ({ ctx, context, uuid }) => {
      requireMember(context, 'os_compute_api:servers:confirm_resize');
      await confirmResize(deps, context, uuid);
      ctx.status = 204;
    },
    revertResize: async ({ context, uuid }) => {
      requireMember(context, 'os_compute_api:servers:revert_resize');
      await revertResize(deps, context, uuid);
    },
    migrate,
    'os-migrateLive': migrate,
    evacuate: async ({ ctx, context, version, uuid, args }) => {
      requireAdmin(context, 'os_compute_api:os-evacuate');
      const e = args as { host?: string; adminPass?: string; onSharedStorage?: boolean; force?: boolean };
      checkEvacuateFields(e, version);
      const adminPass = await evacuateServer(deps, context, uuid, { ...e, stopped: atLeast(version, '2.95') });
      // Before 2.14 the password is answered; from 2.14 nothing is.
      ctx.status = 200;
      ctx.body = atLeast(version, '2.14') ? '' : { adminPass };
    },
    shelve: async ({ context, uuid }) => {
      requireMember(context, 'os_compute_api:os-shelve:shelve');
      await shelveServer(deps, context, uuid);
    },
    shelveOffload: async ({ context, uuid }) => {
      requireAdmin(context, 'os_compute_api:os-shelve:shelve_offload');
      await shelveOffloadServer(deps, context, uuid);
    },
    unshelve: async ({ context, version, uuid, args }) => {
      requireMember(context, 'os_compute_api:os-shelve:unshelve');
      await unshelveServer(deps, context, uuid, unshelveTarget(args as UnshelveBody | null, version, context.isAdmin));
    },
  };
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
