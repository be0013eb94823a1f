import type Router from '@koa/router';
import { getServer, type ServerRecord } from '../../compute/index.js';
import { NotFoundError } from '../../../ops/runtime/index.js';
import { atLeast } from '../microversion.js';
import { requireAdmin } from '../policy.js';
import { externalEventBody, TAG_REQUIRED, type ExternalEvent, type ExternalEventsBody } from '../schemas/server-external-events.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import type { ApiServices } from './services.js';

const rule = 'os_compute_api:os-server-external-events:create';

/** The server an event names, or undefined when there is none (Nova drops such events with a 404). */
async function find(services: ApiServices, uuid: string): Promise<ServerRecord | undefined> {
  const admin = { requestId: '', userId: '', projectId: '', roles: ['admin'], isAdmin: true };
  return getServer(services, admin, uuid).catch((err: unknown) => {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  });
}

/** Each event's outcome: 200 for a server on a host, 404 for an unknown server, 422 for one with no host yet, 400 without its tag. */
function outcome(event: ExternalEvent, server: ServerRecord | undefined): number {
  if (!server) return 404;
  if (TAG_REQUIRED.has(event.name) && event.tag === undefined) return 400;
  return server.source === 'cell' && server.instance.host ? 200 : 422;
}

/**
 * os-server-external-events: what Neutron, Cinder, Ironic and Cyborg tell Nova about servers.
 * Each event is answered on its own; any that failed turn the answer into a 207. Accepted events
 * have nothing to act on here (no ports, volumes, bare metal or accelerators), so none is sent on.
 */
export function registerServerExternalEventRoutes(router: Router<ApiState>, services: ApiServices): void {
  router.post('/v2.1/os-server-external-events', async (ctx) => {
    const { context, version } = ctx.state;
    // Nova's default is the service role; admins may too, as before Nova's 2023 policy defaults.
    if (!context.roles.includes('service')) requireAdmin(context, rule);
    const body = validate<ExternalEventsBody>(externalEventBody((since) => atLeast(version, since)), ctx.state.body);
    const uuids = [...new Set(body.events.map((e) => e.server_uuid.toLowerCase()))];
    const servers = new Map(await Promise.all(uuids.map(async (uuid) => [uuid, await find(services, uuid)] as const)));
    const events = body.events.map((event) => {
      const code = outcome(event, servers.get(event.server_uuid.toLowerCase()));
      return { ...event, status: code === 200 ? 'completed' : 'failed', code };
    });
    ctx.status = events.every((e) => e.code === 200) ? 200 : 207;
    ctx.body = { events };
  });
}
