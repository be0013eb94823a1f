import { createHash } from 'node:crypto';
import type Router from '@koa/router';
import { addTag, deleteMetadataKey, getAction, getServer, listActions, removeTag, setMetadata, setTags, updateServer, withInterfaces, withRequestSpecFacts } from '../../compute/index.js';
import { addressesOf } from '../../network/index.js';
import { registerInterfaceRoutes } from './interfaces.js';
import { registerSecurityGroupProxyRoutes } from './security-group-proxy.js';
import { quotaLimits } from '../../quota/index.js';
import { InvalidInputError, NotFoundError } from '../../../ops/runtime/index.js';
import { atLeast } from '../microversion.js';
import { nextLinks, pageLimit } from '../paging.js';
import { endOf, queryTime } from '../times.js';
import { requireMember, requireReader } from '../policy.js';
import { allowQuery } from '../query.js';
import { MetadataBody, MetaItemBody, TagsBody, UpdateServerBody } from '../schemas/server-resources.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import { serverView } from '../views/servers.js';
import type { ApiServices } from './services.js';

const requireVersion = (version: Parameters<typeof atLeast>[0], at: string): void => {
  if (!atLeast(version, at)) throw new NotFoundError('The resource could not be found.');
};

const pythonTime = (d: Date | null): string | null => (d ? d.toISOString().replace('Z', '000').replace(/(\.\d{6})\d*$/, '$1') : null);

/** PUT /servers/{id}, ips, metadata, tags and os-instance-actions. */
export function registerServerResourceRoutes(router: Router<ApiState>, services: ApiServices): void {
  registerInterfaceRoutes(router, services);
  registerSecurityGroupProxyRoutes(router, services);
  const deps = { ...services, metadataLimit: async (projectId: string) => (await quotaLimits(services.api, projectId, services.config.quota))['metadata_items'] ?? -1 };
  const id = (ctx: { params: Record<string, string | undefined> }): string => ctx.params['id'] ?? '';

  router.put('/v2.1/servers/:id', async (ctx) => {
    requireMember(ctx.state.context, 'os_compute_api:servers:update');
    const { server } = validate<UpdateServerBody>(UpdateServerBody, ctx.state.body);
    const v = ctx.state.version;
    if (server.description !== undefined && !atLeast(v, '2.19')) throw new InvalidInputError("Additional properties are not allowed ('description' was unexpected)");
    if (server.hostname !== undefined && !atLeast(v, '2.90')) throw new InvalidInputError("Additional properties are not allowed ('hostname' was unexpected)");
    await updateServer(services, ctx.state.context, id(ctx), server);
    const record = await getServer(services, ctx.state.context, id(ctx), { serverGroups: atLeast(v, '2.71'), hostStatus: atLeast(v, '2.75') && ctx.state.context.isAdmin });
    if (atLeast(v, '2.98')) await withRequestSpecFacts(services.api, [record]);
    await withInterfaces(services.network, [record]);
    ctx.body = { server: serverView(record, { publicUrl: services.publicUrl, context: ctx.state.context, version: v }, 'update') };
  });

  // Addresses by network name, as the server view has them, without the extended attributes.
  const plainAddresses = async (ctx: Parameters<Parameters<typeof router.get>[1]>[0]) => {
    const record = await getServer(services, ctx.state.context, id(ctx));
    await withInterfaces(services.network, [record]);
    const byNetwork = addressesOf(record.extras?.interfaces ?? []);
    return Object.fromEntries(Object.entries(byNetwork).map(([name, list]) => [name, list.map((a) => ({ version: a.version, addr: a.addr }))]));
  };
  router.get('/v2.1/servers/:id/ips', async (ctx) => {
    requireReader(ctx.state.context, 'os_compute_api:ips:index');
    ctx.body = { addresses: await plainAddresses(ctx) };
  });
  router.get('/v2.1/servers/:id/ips/:network', async (ctx) => {
    requireReader(ctx.state.context, 'os_compute_api:ips:show');
    const network = ctx.params['network'] ?? '';
    const addresses = await plainAddresses(ctx);
    if (!addresses[network]) throw new NotFoundError('Instance is not a member of specified network');
    ctx.body = { [network]: addresses[network] };
  });

  // A guest posts its encrypted password to the metadata service, which cellstack has not: none is ever set.
  router.get('/v2.1/servers/:id/os-server-password', async (ctx) => {
    requireReader(ctx.state.context, 'os_compute_api:os-server-password:show');
    await getServer(services, ctx.state.context, id(ctx));
    ctx.body = { password: '' };
  });
  router.delete('/v2.1/servers/:id/os-server-password', async (ctx) => {
    requireMember(ctx.state.context, 'os_compute_api:os-server-password:clear');
    await getServer(services, ctx.state.context, id(ctx));
    ctx.status = 204;
  });

  router.get('/v2.1/servers/:id/metadata', async (ctx) => {
    const record = await getServer(services, ctx.state.context, id(ctx));
    ctx.body = { metadata: record.source === 'down' ? {} : record.instance.metadata };
  });
  for (const [method, replace] of [['put', true], ['post', false]] as const) {
    router[method]('/v2.1/servers/:id/metadata', async (ctx) => {
      requireMember(ctx.state.context, 'os_compute_api:server-metadata:update');
      const { metadata } = validate<MetadataBody>(MetadataBody, ctx.state.body);
      ctx.body = { metadata: await setMetadata(deps, ctx.state.context, id(ctx), metadata, replace) };
    });
  }
  router.get('/v2.1/servers/:id/metadata/:key', async (ctx) => {
    const record = await getServer(services, ctx.state.context, id(ctx));
    const key = ctx.params['key'] ?? '';
    const value = record.source === 'down' ? undefined : record.instance.metadata[key];
    if (value === undefined) throw new NotFoundError(`Metadata item was not found`);
    ctx.body = { meta: { [key]: value } };
  });
  router.put('/v2.1/servers/:id/metadata/:key', async (ctx) => {
    requireMember(ctx.state.context, 'os_compute_api:server-metadata:update');
    const { meta } = validate<MetaItemBody>(MetaItemBody, ctx.state.body);
    const key = ctx.params['key'] ?? '';
    if (!(key in meta)) throw new InvalidInputError('Request body and URI mismatch');
    const value = meta[key] ?? '';
    await setMetadata(deps, ctx.state.context, id(ctx), { [key]: value }, false);
    ctx.body = { meta: { [key]: value } };
  });
  router.delete('/v2.1/servers/:id/metadata/:key', async (ctx) => {
    requireMember(ctx.state.context, 'os_compute_api:server-metadata:delete');
    if (!(await deleteMetadataKey(deps, ctx.state.context, id(ctx), ctx.params['key'] ?? ''))) throw new NotFoundError('Metadata item was not found');
    ctx.status = 204;
  });

  router.get('/v2.1/servers/:id/tags', async (ctx) => {
    requireVersion(ctx.state.version, '2.26');
    const record = await getServer(services, ctx.state.context, id(ctx));
    ctx.body = { tags: record.source === 'down' ? [] : record.instance.tags };
  });
  router.put('/v2.1/servers/:id/tags', async (ctx) => {
    requireVersion(ctx.state.version, '2.26');
    requireMember(ctx.state.context, 'os_compute_api:os-server-tags:update_all');
    const { tags } = validate<TagsBody>(TagsBody, ctx.state.body);
    ctx.body = { tags: await setTags(services, ctx.state.context, id(ctx), tags) };
  });
  router.delete('/v2.1/servers/:id/tags', async (ctx) => {
    requireVersion(ctx.state.version, '2.26');
    requireMember(ctx.state.context, 'os_compute_api:os-server-tags:delete_all');
    await setTags(services, ctx.state.context, id(ctx), []);
    ctx.status = 204;
  });
  router.get('/v2.1/servers/:id/tags/:tag', async (ctx) => {
    requireVersion(ctx.state.version, '2.26');
    const record = await getServer(services, ctx.state.context, id(ctx));
    const tag = ctx.params['tag'] ?? '';
    if (record.source === 'down' || !record.instance.tags.includes(tag)) throw new NotFoundError(`Tag ${tag} could not be found.`);
    ctx.status = 204;
  });
  router.put('/v2.1/servers/:id/tags/:tag', async (ctx) => {
    requireVersion(ctx.state.version, '2.26');
    requireMember(ctx.state.context, 'os_compute_api:os-server-tags:update');
    const tag = ctx.params['tag'] ?? '';
    if (!/^[^,/]{1,60}$/.test(tag)) throw new InvalidInputError(`Invalid tag: ${tag}`);
    const created = await addTag(services, ctx.state.context, id(ctx), tag);
    ctx.set('location', `${services.publicUrl}/v2.1/servers/${id(ctx)}/tags/${encodeURIComponent(tag)}`);
    ctx.status = created ? 201 : 204;
  });
  router.delete('/v2.1/servers/:id/tags/:tag', async (ctx) => {
    requireVersion(ctx.state.version, '2.26');
    requireMember(ctx.state.context, 'os_compute_api:os-server-tags:delete');
    const tag = ctx.params['tag'] ?? '';
    if (!(await removeTag(services, ctx.state.context, id(ctx), tag))) throw new NotFoundError(`Tag ${tag} could not be found.`);
    ctx.status = 204;
  });

  router.get('/v2.1/servers/:id/os-instance-actions', async (ctx) => {
    requireReader(ctx.state.context, 'os_compute_api:os-instance-actions:list');
    allowQuery(ctx, ['limit', 'marker', 'changes-since', 'changes-before']);
    const v = ctx.state.version;
    // A deleted server's history is shown from 2.21; before, it is gone with the server.
    if (!atLeast(v, '2.21')) await getServer(services, ctx.state.context, id(ctx));
    const paged = atLeast(v, '2.58');
    const limit = paged ? pageLimit(ctx.query['limit'], services.config.api.max_limit) : 1000;
    const since = paged && typeof ctx.query['changes-since'] === 'string' ? queryTime(ctx.query['changes-since'], 'changes-since') : undefined;
    const rawBefore = atLeast(v, '2.66') && typeof ctx.query['changes-before'] === 'string' ? ctx.query['changes-before'] : undefined;
    const before = rawBefore === undefined ? undefined : queryTime(rawBefore, 'changes-before');
    const marker = paged && typeof ctx.query['marker'] === 'string' ? ctx.query['marker'] : undefined;
    const rows = await listActions(services, ctx.state.context, id(ctx), { limit, marker, changesSince: since, changedBefore: before && endOf(rawBefore ?? '', before) });
    const actions = rows.map((a) => ({
      action: a.action,
      instance_uuid: a.instance_uuid,
      message: a.message,
      project_id: a.project_id,
      request_id: a.request_id,
      start_time: pythonTime(a.start_time),
      user_id: a.user_id,
      ...(paged ? { updated_at: pythonTime(a.updated_at ?? a.start_time) } : {}),
    }));
    const links = paged ? nextLinks(services.publicUrl, `/v2.1/servers/${id(ctx)}/os-instance-actions`, ctx.query, actions, limit, () => rows.at(-1)?.request_id ?? '') : [];
    ctx.body = { instanceActions: actions, ...(links.length > 0 ? { links } : {}) };
  });
  router.get('/v2.1/servers/:id/os-instance-actions/:request', async (ctx) => {
    requireReader(ctx.state.context, 'os_compute_api:os-instance-actions:show');
    const v = ctx.state.version;
    if (!atLeast(v, '2.21')) await getServer(services, ctx.state.context, id(ctx));
    const { action, events } = await getAction(services, ctx.state.context, id(ctx), ctx.params['request'] ?? '');
    const admin = ctx.state.context.isAdmin;
    const view: Record<string, unknown> = {
      action: action.action,
      instance_uuid: action.instance_uuid,
      message: action.message,
      project_id: action.project_id,
      request_id: action.request_id,
      start_time: pythonTime(action.start_time),
      user_id: action.user_id,
      ...(atLeast(v, '2.58') ? { updated_at: pythonTime(action.updated_at ?? action.start_time) } : {}),
    };
    // Events are for admins until 2.51; from then everyone sees them, the traceback stays with admins.
    if (admin || atLeast(v, '2.51')) {
      view['events'] = events.map((e) => ({
        event: e.event,
        start_time: pythonTime(e.start_time),
        finish_time: pythonTime(e.finish_time),
        result: e.result,
        ...(admin ? { traceback: e.traceback } : {}),
        ...(atLeast(v, '2.62') ? { hostId: e.host ? hostIdOf(action.project_id ?? '', e.host) : '', ...(admin ? { host: e.host } : {}) } : {}),
        ...(atLeast(v, '2.84') && admin ? { details: e.details } : {}),
      }));
    }
    ctx.body = { instanceAction: view };
  });
}

function hostIdOf(projectId: string, host: string): string {
  return createHash('sha224').update(`${projectId}${host}`).digest('hex');
}
