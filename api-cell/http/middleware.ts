import { randomUUID } from 'node:crypto';
import type { Middleware, ParameterizedContext } from 'koa';
import getRawBody from 'raw-body';
import { errorMessage, ForbiddenError, InvalidInputError, NotFoundError, type Config, type Logger } from '../../ops/runtime/index.js';
import type { IdentityService } from '../identity/index.js';
import { neutronTypeOf } from '../network/index.js';
import { PayloadTooLargeError, RETRY_AFTER_S, toFault, UnauthorizedError, UnsupportedMediaTypeError } from './errors.js';
import { atLeast, formatVersion, requestedVersion } from './microversion.js';
import { refuseUncheckedQuery } from './query.js';
import type { ApiState } from './state.js';

type Ctx = ParameterizedContext<ApiState>;

/** Gives the request its id (echoed in both Nova headers), a logger carrying it, and one access-log line. */
export function requestIds(log: Logger): Middleware<ApiState> {
  return async (ctx, next) => {
    const requestId = `req-${randomUUID()}`;
    ctx.state.requestId = requestId;
    ctx.state.log = log.child({ request_id: requestId });
    ctx.set('x-openstack-request-id', requestId);
    ctx.set('x-compute-request-id', requestId);
    const started = performance.now();
    try {
      await next();
    } finally {
      ctx.state.log.info(
        { method: ctx.method, path: ctx.path, status: ctx.status, ms: Number((performance.now() - started).toFixed(2)) },
        'request',
      );
    }
  };
}

/** Turns any error into Nova's fault body, `{"itemNotFound": {"code": 404, "message": "..."}}`; never a stack trace. */
export function faults(): Middleware<ApiState> {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new NotFoundError('The resource could not be found.');
      // Nova answers 201/202 without a body; Koa would fill it with the status text.
      if (ctx.body === undefined && (ctx.status === 201 || ctx.status === 202)) ctx.body = '';
    } catch (err) {
      const fault = toFault(err);
      if (fault.internal) ctx.state.log.error({ err }, 'unexpected error');
      ctx.status = fault.status;
      if (fault.status === 401) ctx.set('www-authenticate', 'Keystone uri="/identity/v3"');
      if (fault.status === 503) {
        ctx.set('retry-after', String(RETRY_AFTER_S));
        ctx.state.log.warn({ err: errorMessage(err) }, 'a dependency is unavailable');
      }
      ctx.body = faultBody(ctx.path, fault, ctx.state.requestId, err);
    }
  };
}

const titles: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Request Entity Too Large', 415: 'Unsupported Media Type' };

/** Each API answers errors in its own OpenStack shape: Nova's, Keystone's, Glance's (webob) or Placement's. */
function faultBody(path: string, fault: ReturnType<typeof toFault>, requestId: string, err: unknown): unknown {
  if (path.startsWith('/placement')) return { errors: [{ status: fault.status, title: fault.name, detail: fault.message, request_id: requestId }] };
  if (path.startsWith('/network')) return { NeutronError: { type: neutronTypeOf(err, fault.status), message: fault.message, detail: '' } };
  if (path.startsWith('/image')) return { code: `${fault.status} ${titles[fault.status] ?? fault.name}`, title: titles[fault.status] ?? fault.name, message: fault.message };
  if (path.startsWith('/identity') || path.startsWith('/v3')) {
    return { error: { code: fault.status, title: titles[fault.status] ?? fault.name, message: fault.message } };
  }
  return { [fault.name]: { code: fault.status, message: fault.message } };
}

/** Image data uploads carry bytes, read by their route. */
const RAW_UPLOAD = /^\/image\/v2\/images\/[^/]+\/file$/;

/** Reads a JSON body up to `maxBytes` into ctx.state.body: 413 past it, 415 if not JSON, 400 if malformed. */
export function jsonBody(maxBytes: number): Middleware<ApiState> {
  return async (ctx, next) => {
    ctx.state.body = undefined;
    if (['POST', 'PUT', 'PATCH'].includes(ctx.method) && !RAW_UPLOAD.test(ctx.path)) ctx.state.body = await readJson(ctx, maxBytes);
    await next();
  };
}

/** raw-body's error for a body past its limit; others (a length that does not match, an abort) are the client's fault too. */
const tooLarge = (err: unknown): boolean => (err as { type?: string }).type === 'entity.too.large';

async function readJson(ctx: Ctx, maxBytes: number): Promise<unknown> {
  const declared = ctx.get('content-length');
  let body: Buffer;
  try {
    // raw-body refuses a declared length past the limit before reading, and stops reading at it.
    body = await getRawBody(ctx.req, { limit: maxBytes, length: declared === '' ? null : declared });
  } catch (err) {
    if (tooLarge(err)) throw new PayloadTooLargeError('Request is too large.', { cause: err });
    throw new InvalidInputError('Malformed request body', { cause: err });
  }
  if (body.length === 0) return undefined;
  const type = ctx.get('content-type');
  if (type && !/^application\/(json|[\w.+-]+\+json|openstack-images-v2\.\d+-json-patch)\b/i.test(type)) {
    throw new UnsupportedMediaTypeError(`Unsupported Content-Type "${type}": send application/json.`);
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new InvalidInputError('Malformed request body');
  }
}

/** Parses the requested microversion and says which one answered, as Nova does. */
export function microversions(): Middleware<ApiState> {
  return async (ctx, next) => {
    ctx.set('vary', 'OpenStack-API-Version, X-OpenStack-Nova-API-Version');
    const version = requestedVersion(ctx.headers);
    ctx.state.version = version;
    ctx.set('openstack-api-version', `compute ${formatVersion(version)}`);
    ctx.set('x-openstack-nova-api-version', formatVersion(version));
    await next();
    // A GET changes nothing, so checking its parameters after the route has answered is safe.
    if (ctx.method === 'GET' && atLeast(version, '2.102')) refuseUncheckedQuery(ctx.query);
  };
}

/**
 * Who is calling. `keystone` checks the X-Auth-Token (signature, expiry, revocation; or asks an
 * external Keystone). `trusted-headers` believes X-User-Id, X-Project-Id and X-Roles, for tests
 * and development only.
 */
export function authenticate(config: Config, identity: IdentityService): Middleware<ApiState> {
  return async (ctx, next) => {
    if (config.api.auth_strategy === 'keystone') {
      const token = ctx.get('x-auth-token');
      if (!token) throw new UnauthorizedError('The request you have made requires authentication.');
      const claims = await identity.validate(token);
      if (!claims.projectId) throw new UnauthorizedError('A project-scoped token is required.');
      const roles = claims.roles.map((r) => r.toLowerCase());
      ctx.state.context = { requestId: ctx.state.requestId, userId: claims.userId, projectId: claims.projectId, roles, isAdmin: roles.includes('admin') };
      await next();
      return;
    }
    const userId = ctx.get('x-user-id') || ctx.get('x-user');
    const projectId = ctx.get('x-project-id') || ctx.get('x-tenant-id');
    if (!userId || !projectId) throw new UnauthorizedError('Authentication required: send X-User-Id and X-Project-Id.');
    const roles = (ctx.get('x-roles') || 'member').split(',').map((r) => r.trim().toLowerCase()).filter(Boolean);
    ctx.state.context = { requestId: ctx.state.requestId, userId, projectId, roles, isAdmin: roles.includes('admin') };
    await next();
  };
}

/** Whether the caller is a cellstack service (X-Service-Token is the shared secret); if so it acts as one. */
function asService(config: Config, ctx: Parameters<Middleware<ApiState>>[0]): boolean {
  const token = ctx.get('x-service-token');
  if (!config.placement.service_token || token !== config.placement.service_token) return false;
  ctx.state.context = { requestId: ctx.state.requestId, userId: 'cellstack-service', projectId: 'service', roles: ['admin', 'service'], isAdmin: true };
  return true;
}

/** Services (compute hosts fetching base images) present the shared token; everyone else authenticates. */
export function serviceOrUser(config: Config, identity: IdentityService): Middleware<ApiState> {
  const user = authenticate(config, identity);
  return async (ctx, next) => (asService(config, ctx) ? next() : user(ctx, next));
}

/** Services (cell conductors) present the shared token to placement; admins may use it too. */
export function serviceOnly(config: Config, identity: IdentityService): Middleware<ApiState> {
  return async (ctx, next) => {
    if (asService(config, ctx)) {
      await next();
      return;
    }
    await authenticate(config, identity)(ctx, async () => {
      if (!ctx.state.context.isAdmin) throw new ForbiddenError('Placement is for services and admins only.');
      await next();
    });
  };
}

const volumesBoot = /^\/v2\.1\/os-volumes_boot(?=\/|$)/;

/**
 * Below 2.103 `/os-volumes_boot` is another name for `/servers` (list, detail, create, show,
 * update, delete, actions); Nova removed it at 2.103, where it is a 404 like any unknown path.
 */
export function volumesBootAlias(): Middleware {
  return async (ctx, next) => {
    if (volumesBoot.test(ctx.path)) {
      let before2103 = true;
      try {
        before2103 = !atLeast(requestedVersion(ctx.headers), '2.103');
      } catch {
        // A malformed version header: the servers route answers it as it answers any.
      }
      if (before2103) ctx.path = ctx.path.replace(volumesBoot, '/v2.1/servers');
    }
    await next();
  };
}
