import type Router from '@koa/router';
import { deleteServer, getServer, softDeleteServer, withInterfaces, withRequestSpecFacts, type CreateServerRequest } from '../../compute/index.js';
import { HostnameV290, HostnameV294 } from '../schemas/common.js';
import { CreateServerBody } from '../schemas/servers.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import { atLeast, type Microversion } from '../microversion.js';
import { links } from '../views/links.js';
import { serverView } from '../views/servers.js';
import type { ApiServices } from './services.js';
import { InvalidInputError } from '../../../ops/runtime/index.js';
import { applyBlockDevices, fromLegacy, planBlockDevices, releaseBlockDevices, withVolumesAttached, type PlannedDevice } from '../../block-devices/index.js';
import type { RequestContext } from '../../context.js';

/** The server's volumes (block_device_mapping_v2, or the legacy form), checked before anything is written. */
function checkDevices(services: ApiServices, context: RequestContext, body: CreateServerBody, request: CreateServerRequest): Promise<PlannedDevice[]> {
  const s = body.server;
  const requests = s.block_device_mapping_v2 ?? fromLegacy(s.block_device_mapping ?? []);
  if (requests.length === 0 && request.imageRef === '') throw new InvalidInputError('Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.');
  return planBlockDevices(services.volumes.deps, { projectId: context.projectId, userId: context.userId, isAdmin: context.isAdmin }, requests, request.imageRef, request.max_count);
}

/** Attaches or makes the accepted servers' volumes; if that fails the servers go again, as an error of the request. */
async function giveDevices(services: ApiServices, state: ApiState, uuids: string[], devices: PlannedDevice[]): Promise<void> {
  if (devices.length === 0) return;
  const { context } = state;
  try {
    await applyBlockDevices(services.api, services.volumes.deps, { projectId: context.projectId, userId: context.userId, isAdmin: context.isAdmin }, devices, uuids);
  } catch (err) {
    for (const uuid of uuids) await deleteServer(services.delete(state.log), context, uuid).catch(() => undefined);
    throw err;
  }
}

const toCount = (value: number | string | undefined): number | undefined => (value === undefined ? undefined : Number(value));
const truthy = (value: boolean | string | undefined): boolean => value === true || /^(true|1|yes)$/i.test(String(value ?? ''));

/** Create fields that came with a later microversion: below it Nova refuses them as unexpected. */
const fieldVersions: [keyof CreateServerBody['server'], string][] = [
  ['description', '2.19'],
  ['tags', '2.52'],
  ['host', '2.74'],
  ['hypervisor_hostname', '2.74'],
  ['hostname', '2.90'],
];

/** The body, checked by the schema, as the compute API takes it. */
function createRequest(body: CreateServerBody, version: Microversion): CreateServerRequest {
  const s = body.server;
  for (const [field, since] of fieldVersions) {
    if (s[field] !== undefined && !atLeast(version, since)) throw new InvalidInputError(`Additional properties are not allowed ('${field}' was unexpected)`);
  }
  if (s.hostname !== undefined) validate(atLeast(version, '2.94') ? HostnameV294 : HostnameV290, { hostname: s.hostname });
  const minCount = toCount(s.min_count) ?? 1;
  const maxCount = toCount(s.max_count) ?? minCount;
  if (maxCount < minCount) throw new InvalidInputError(`min_count (${minCount}) must be <= max_count (${maxCount})`);
  const hints = body['os:scheduler_hints'] ?? body['OS-SCH-HNT:scheduler_hints'] ?? {};
  const request: CreateServerRequest = {
    name: s.name,
    flavorRef: String(s.flavorRef),
    imageRef: s.imageRef ?? '',
    min_count: minCount,
    max_count: maxCount,
    schedulerHints: hints,
  };
  if (s.description !== undefined) request.description = s.description;
  if (s.metadata) request.metadata = s.metadata;
  if (s.availability_zone) request.availability_zone = s.availability_zone;
  if (s.key_name) request.key_name = s.key_name;
  if (s.user_data) request.user_data = s.user_data;
  if (s.config_drive !== undefined) request.config_drive = truthy(s.config_drive);
  if (s.accessIPv4) request.accessIPv4 = s.accessIPv4;
  if (s.accessIPv6) request.accessIPv6 = s.accessIPv6;
  if (s.adminPass) request.adminPass = s.adminPass;
  if (s['OS-DCF:diskConfig'] === 'AUTO') request.autoDiskConfig = true;
  if (s.tags) request.tags = s.tags;
  if (s.hostname) request.hostname = s.hostname;
  if (s.host) request.host = s.host;
  if (s.hypervisor_hostname) request.hypervisor_hostname = s.hypervisor_hostname;
  if (typeof hints['group'] === 'string') request.groupUuid = hints['group'];
  if (s.networks !== undefined) request.networks = s.networks;
  if (s.security_groups) request.securityGroups = s.security_groups.map((g) => g.name);
  return request;
}

export function registerServerRoutes(router: Router<ApiState>, services: ApiServices): void {
  router.post('/v2.1/servers', async (ctx) => {
    const body = validate<CreateServerBody>(CreateServerBody, ctx.state.body);
    const request = createRequest(body, ctx.state.version);
    const devices = await checkDevices(services, ctx.state.context, body, request);
    if (devices.some((d) => d.boot_index === 0)) request.volumeBacked = true;
    const result = await services.creator.create(ctx.state.context, request);
    await giveDevices(services, ctx.state, result.uuids, devices);
    ctx.status = 202;
    if (truthy(body.server.return_reservation_id)) {
      ctx.body = { reservation_id: result.reservationId };
      return;
    }
    const id = result.uuids[0] ?? '';
    ctx.set('location', `${services.publicUrl}/v2.1/servers/${id}`);
    ctx.body = {
      server: {
        id,
        links: links(services.publicUrl, 'servers', id),
        'OS-DCF:diskConfig': body.server['OS-DCF:diskConfig'] ?? 'MANUAL',
        security_groups: (body.server.security_groups ?? [{ name: 'default' }]).map((g) => ({ name: g.name })),
        adminPass: result.adminPass,
      },
    };
  });

  router.get('/v2.1/servers/:id', async (ctx) => {
    const v = ctx.state.version;
    const record = await getServer(services, ctx.state.context, ctx.params['id'] ?? '', {
      downCellSupport: atLeast(v, '2.69'),
      hostStatus: atLeast(v, '2.16') && ctx.state.context.isAdmin,
      serverGroups: atLeast(v, '2.71'),
    });
    if (atLeast(v, '2.98')) await withRequestSpecFacts(services.api, [record]);
    await withVolumesAttached(services.api, [record]);
    await withInterfaces(services.network, [record]);
    ctx.body = { server: serverView(record, { publicUrl: services.publicUrl, context: ctx.state.context, version: ctx.state.version }) };
  });

  router.delete('/v2.1/servers/:id', async (ctx) => {
    const id = ctx.params['id'] ?? '';
    const deferred = services.config.compute.reclaim_instance_interval > 0;
    const actionDeps = { ...services, castTimeoutMs: services.config.super_conductor.cast_timeout_ms };
    if (!(deferred && (await softDeleteServer(actionDeps, ctx.state.context, id)))) {
      await deleteServer(services.delete(ctx.state.log), ctx.state.context, id);
      await releaseBlockDevices(services.api, services.volumes.deps, id);
    }
    ctx.status = 204;
  });
}
