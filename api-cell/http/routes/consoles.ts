import type Router from '@koa/router';
import { consoleScreen, createConsole, findConsole, type ConsoleDeps } from '../../compute/consoles.js';
import { errorMessage, InvalidInputError, NotFoundError, UnauthorizedError } from '../../../ops/runtime/index.js';
import { atLeast } from '../microversion.js';
import { requireAdmin, requireMember } from '../policy.js';
import { strictQuery } from '../query.js';
import { consoleSchemas, remoteConsole } from '../schemas/consoles.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import { consolePage } from '../views/console-page.js';
import type { ApiServices } from './services.js';

export const consoleDeps = (services: ApiServices): ConsoleDeps => ({
  ...services,
  tokenTtlSeconds: services.config.api.console_token_ttl,
  castTimeoutMs: services.config.super_conductor.cast_timeout_ms,
});

/** POST /servers/{id}/remote-consoles (2.6+) and GET /os-console-auth-tokens/{token} (admin). */
export function registerConsoleRoutes(router: Router<ApiState>, services: ApiServices): void {
  const deps = consoleDeps(services);
  router.post('/v2.1/servers/:id/remote-consoles', async (ctx) => {
    if (!atLeast(ctx.state.version, '2.6')) throw new NotFoundError('The resource could not be found.');
    requireMember(ctx.state.context, 'os_compute_api:os-remote-consoles');
    const body = validate(remoteConsole(ctx.state.version), ctx.state.body) as { remote_console: { protocol: string; type: string } };
    const { protocol, type } = body.remote_console;
    const url = await createConsole(deps, ctx.state.context, ctx.params['id'] ?? '', protocol, type);
    ctx.body = { remote_console: { protocol, type, url } };
  });

  router.get('/v2.1/os-console-auth-tokens/:token', async (ctx) => {
    requireAdmin(ctx.state.context, 'os_compute_api:os-console-auth-tokens');
    strictQuery(ctx, '2.99');
    const found = await findConsole(services, ctx.params['token'] ?? '');
    if (!found) throw new NotFoundError(`The token '${ctx.params['token']}' is invalid or has expired`);
    // Before 2.31 only RDP tokens were shown.
    if (!atLeast(ctx.state.version, '2.31') && found.token.console_type !== 'rdp-html5') throw new UnauthorizedError('The requested console type details are not accessible');
    const t = found.token;
    // 2.99 adds tls_port, for spice-direct tokens only: none are made here (no SPICE).
    ctx.body = { console: { instance_uuid: t.instance_uuid, host: t.host, port: t.port, internal_access_path: t.internal_access_path } };
  });
}

/** The legacy actions of 2.1 to 2.5 (os-getVNCConsole and its kin): `{"console": {"type", "url"}}`. */
export async function legacyConsole(services: ApiServices, state: ApiState, uuid: string, action: string, args: unknown): Promise<{ console: { type: string; url: string } }> {
  const protocol = legacyProtocol[action];
  const schema = consoleSchemas[action];
  if (!protocol || !schema || atLeast(state.version, '2.6')) throw new InvalidInputError(`There is no such action: ${action}`);
  requireMember(state.context, 'os_compute_api:os-remote-consoles');
  validate(schema, args);
  const type = (args as { type: string }).type;
  return { console: { type, url: await createConsole(consoleDeps(services), state.context, uuid, protocol, type) } };
}

const legacyProtocol: Record<string, string> = { 'os-getVNCConsole': 'vnc', 'os-getSPICEConsole': 'spice', 'os-getRDPConsole': 'rdp', 'os-getSerialConsole': 'serial' };
export const legacyConsoleActions = new Set(Object.keys(legacyProtocol));

/** GET /console/?token=: the page a console URL opens; the token is the only credential. */
export function registerConsolePage(router: Router<ApiState>, services: ApiServices): void {
  const deps = consoleDeps(services);
  router.get('/console/', async (ctx) => {
    const token = typeof ctx.query['token'] === 'string' ? ctx.query['token'] : '';
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('cache-control', 'no-store');
    const found = token ? await findConsole(services, token) : undefined;
    if (!found) {
      ctx.status = 404;
      ctx.body = consolePage({ title: 'Console', message: 'This console link is invalid or has expired.' });
      return;
    }
    try {
      const screen = await consoleScreen(deps, found.cell, found.token, ctx.state.requestId);
      ctx.body = consolePage({ title: `Console of ${found.token.instance_uuid}`, screen, message: screen === null ? 'The server is no longer there.' : undefined });
    } catch (err) {
      ctx.status = 503;
      ctx.body = consolePage({ title: 'Console', message: `The console cannot be reached now: ${errorMessage(err)}` });
    }
  });
}

