import type Router from '@koa/router';
import { addFlavorAccess, findFlavor, flavorAccess, removeFlavorAccess } from '../../flavors/index.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../../ops/runtime/index.js';
import { atLeast } from '../microversion.js';
import { requireAdmin } from '../policy.js';
import { AddTenantAccessBody, RemoveTenantAccessBody } from '../schemas/flavors.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import type { ApiServices } from './services.js';

/** The action a POST /flavors/{id}/action body names: its one top-level key. */
function actionOf(body: unknown): string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidInputError('Malformed request body');
  const [name] = Object.keys(body);
  if (name === undefined) throw new InvalidInputError('Malformed request body');
  return name;
}

/** Private flavors' access lists (admin only), and the addTenantAccess / removeTenantAccess actions. */
export function registerFlavorAccessRoutes(router: Router<ApiState>, services: ApiServices): void {
  router.get('/v2.1/flavors/:id/os-flavor-access', async (ctx) => {
    requireAdmin(ctx.state.context, 'os_compute_api:os-flavor-access');
    const flavor = await findFlavor(services.api, ctx.params['id'] ?? '');
    if (flavor.is_public) throw new NotFoundError('Access list not available for public flavors.');
    ctx.body = { flavor_access: await flavorAccess(services.api, flavor) };
  });

  router.post('/v2.1/flavors/:id/action', async (ctx) => {
    const action = actionOf(ctx.state.body);
    const id = ctx.params['id'] ?? '';
    if (action === 'addTenantAccess') {
      const { addTenantAccess } = validate<AddTenantAccessBody>(AddTenantAccessBody, ctx.state.body);
      requireAdmin(ctx.state.context, 'os_compute_api:os-flavor-access:add_tenant_access');
      const flavor = await findFlavor(services.api, id);
      // From 2.7 sharing a public flavor is refused; before, it quietly added the row.
      if (atLeast(ctx.state.version, '2.7') && flavor.is_public) throw new ConflictError('Can not add access to a public flavor.');
      ctx.body = { flavor_access: await addFlavorAccess(services.api, flavor, addTenantAccess.tenant) };
    } else if (action === 'removeTenantAccess') {
      const { removeTenantAccess } = validate<RemoveTenantAccessBody>(RemoveTenantAccessBody, ctx.state.body);
      requireAdmin(ctx.state.context, 'os_compute_api:os-flavor-access:remove_tenant_access');
      const flavor = await findFlavor(services.api, id);
      ctx.body = { flavor_access: await removeFlavorAccess(services.api, flavor, removeTenantAccess.tenant) };
    } else {
      throw new InvalidInputError(`There is no such action: ${action}`);
    }
  });
}
