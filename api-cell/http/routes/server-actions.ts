import type Router from '@koa/router';
import type { MoveDeps } from '../../compute/actions/moves.js';
import { InvalidInputError } from '../../../ops/runtime/index.js';
import { actionSchemas, lenient, nullOrEmpty } from '../schemas/server-actions.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import { lifecycleActions } from './actions/lifecycle.js';
import { moveActions } from './actions/moves.js';
import { securityGroupActions } from './actions/security-groups.js';
import type { ActionHandler } from './actions/types.js';
import { legacyConsole, legacyConsoleActions } from './consoles.js';
import type { ApiServices } from './services.js';

/** POST /servers/{id}/action: the body's one key names the action; each has its own schema, rules and handler. */
export function registerServerActionRoutes(router: Router<ApiState>, services: ApiServices, moves: MoveDeps['moves']): void {
  const deps: MoveDeps = { ...services, castTimeoutMs: services.config.super_conductor.cast_timeout_ms, moves, config: services.config };
  const handlers: Record<string, ActionHandler> = { ...lifecycleActions(services, deps), ...moveActions(deps), ...securityGroupActions(services) };
  router.post('/v2.1/servers/:id/action', async (ctx) => {
    const body = ctx.state.body;
    if (!body || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length !== 1) {
      throw new InvalidInputError('The action body must name exactly one action.');
    }
    const [action, args] = Object.entries(body as Record<string, unknown>)[0] as [string, unknown];
    const uuid = ctx.params['id'] ?? '';
    if (legacyConsoleActions.has(action)) {
      ctx.body = await legacyConsole(services, ctx.state, uuid, action, args);
      return;
    }
    const schema = actionSchemas[action];
    const handler = Object.hasOwn(handlers, action) ? handlers[action] : undefined;
    if (!schema || !handler) throw new InvalidInputError(`There is no such action: ${action}`);
    validate(lenient.has(action) ? nullOrEmpty : schema, args);
    ctx.status = 202;
    await handler({ ctx, context: ctx.state.context, version: ctx.state.version, uuid, action, args });
  });
}
