import type Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import { COMPUTE_BINARY, type ServiceChanges } from '../../../child-cell/db/index.js';
import {
  deleteService,
  findService,
  findServiceByHost,
  listServices,
  updateService,
  type HostDeps,
  type ServiceInCell,
} from '../../hosts/index.js';
import { InvalidInputError, NotFoundError } from '../../../ops/runtime/index.js';
import { atLeast } from '../microversion.js';
import { requireAdmin } from '../policy.js';
import { validateQuery } from '../query.js';
import {
  ServiceActionBody,
  ServiceActionBody211,
  ServiceListQuery,
  ServiceListQuery275,
  ServiceUpdateBody253,
  truthy,
  type ServiceUpdateBody,
} from '../schemas/compute-services.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import { serviceView, unknownServiceView } from '../views/compute-services.js';
import { integerId } from './aggregates.js';
import type { ApiServices } from './services.js';

type Ctx = ParameterizedContext<ApiState>;

const rule = (name: string): string => `os_compute_api:os-services:${name}`;
const uuidLike = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const last = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value.at(-1) : value);

function onlyCompute(binary: string): void {
  if (binary !== COMPUTE_BINARY) {
    throw new InvalidInputError(`Updating a ${binary} service is not supported. Only ${COMPUTE_BINARY} services can be updated.`);
  }
}

/** The service named in the path: a uuid from 2.53 (else 400), an integer id below. */
async function serviceInPath(deps: HostDeps, ctx: Ctx): Promise<ServiceInCell> {
  const raw = ctx.params['id'] ?? '';
  if (atLeast(ctx.state.version, '2.53')) {
    if (!uuidLike.test(raw)) throw new InvalidInputError(`Invalid uuid ${raw}`);
    return findService(deps, { uuid: raw.toLowerCase() }, raw);
  }
  return findService(deps, { id: integerId(raw) }, raw);
}

/** The 2.53 update: status and forced_down of one service, answered with the whole service. */
function changesOf(body: ServiceUpdateBody): ServiceChanges {
  const changes: ServiceChanges = {};
  if (body.status === 'enabled') {
    if (body.disabled_reason) throw new InvalidInputError("Specifying 'disabled_reason' with status 'enabled' is invalid.");
    Object.assign(changes, { disabled: false, disabled_reason: null });
  } else if (body.status === 'disabled') {
    Object.assign(changes, { disabled: true, disabled_reason: body.disabled_reason ?? null });
  }
  if (body.forced_down !== undefined) changes.forced_down = truthy(body.forced_down);
  if (Object.keys(changes).length === 0) throw new InvalidInputError("No updates were requested. Fields 'status' or 'forced_down' should be specified.");
  return changes;
}

/** The actions before 2.53: PUT /os-services/{enable,disable,disable-log-reason,force-down} with host and binary. */
async function legacyAction(deps: HostDeps, ctx: Ctx): Promise<Record<string, unknown>> {
  const v211 = atLeast(ctx.state.version, '2.11');
  const body = validate<ServiceActionBody>(v211 ? ServiceActionBody211 : ServiceActionBody, ctx.state.body);
  requireAdmin(ctx.state.context, rule('update'));
  const action = ctx.params['id'] ?? '';
  const { host, binary } = body;
  let changes: ServiceChanges;
  let answer: Record<string, unknown>;
  if (action === 'enable') {
    changes = { disabled: false, disabled_reason: null };
    answer = { host, binary, status: 'enabled' };
  } else if (action === 'disable') {
    changes = { disabled: true, disabled_reason: null };
    answer = { host, binary, status: 'disabled' };
  } else if (action === 'disable-log-reason') {
    if (body.disabled_reason === undefined) throw new InvalidInputError('Missing disabled reason field');
    changes = { disabled: true, disabled_reason: body.disabled_reason };
    answer = { host, binary, status: 'disabled', disabled_reason: body.disabled_reason };
  } else if (action === 'force-down' && v211) {
    if (body.forced_down === undefined) throw new InvalidInputError('Missing forced_down field');
    changes = { forced_down: truthy(body.forced_down) };
    answer = { host, binary, forced_down: changes.forced_down };
  } else {
    throw new NotFoundError('Unknown action');
  }
  onlyCompute(binary);
  await updateService(deps, await findServiceByHost(deps, host, binary), changes);
  return { service: answer };
}

/** os-services (admin): the compute services of every cell; enable, disable, force down, delete. */
export function registerComputeServiceRoutes(router: Router<ApiState>, services: ApiServices): void {
  const deps = (ctx: Ctx): HostDeps => ({ api: services.api, registry: services.registry, config: services.config, log: ctx.state.log });

  router.get('/v2.1/os-services', async (ctx) => {
    requireAdmin(ctx.state.context, rule('list'));
    const version = ctx.state.version;
    const query = validateQuery<ServiceListQuery>(atLeast(version, '2.75') ? ServiceListQuery275 : ServiceListQuery, ctx.query);
    const host = last(query.host);
    const binary = last(query.binary);
    const filter = { ...(host ? { host } : {}), ...(binary ? { binary } : {}) };
    const found = await listServices(deps(ctx), filter, atLeast(version, '2.69'));
    ctx.body = { services: [...found.services.map((s) => serviceView(s, version)), ...found.unknown.map(unknownServiceView)] };
  });

  router.put('/v2.1/os-services/:id', async (ctx) => {
    const version = ctx.state.version;
    if (!atLeast(version, '2.53')) {
      ctx.body = await legacyAction(deps(ctx), ctx);
      return;
    }
    const body = validate<ServiceUpdateBody>(ServiceUpdateBody253, ctx.state.body);
    const raw = ctx.params['id'] ?? '';
    if (!uuidLike.test(raw)) throw new InvalidInputError(`Invalid uuid ${raw}`);
    requireAdmin(ctx.state.context, rule('update'));
    const target = await findService(deps(ctx), { uuid: raw.toLowerCase() }, raw);
    onlyCompute(target.service.binary);
    const updated = await updateService(deps(ctx), target, changesOf(body));
    ctx.body = { service: serviceView(updated, version) };
  });

  router.delete('/v2.1/os-services/:id', async (ctx) => {
    requireAdmin(ctx.state.context, rule('delete'));
    const target = await serviceInPath(deps(ctx), ctx).catch((err: unknown) => {
      throw err instanceof NotFoundError ? new NotFoundError(`Service ${ctx.params['id'] ?? ''} not found.`) : err;
    });
    await deleteService(deps(ctx), target);
    ctx.status = 204;
  });
}
