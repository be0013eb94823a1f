import type Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import { withVolumesAttached } from '../../block-devices/index.js';
import { serversWithAddress } from '../../network/index.js';
import { listServers, recordUuid, sortKeys, statusStates, withInterfaces, withRequestSpecFacts, type ServerFilters } from '../../compute/index.js';
import { ForbiddenError, InvalidInputError } from '../../../ops/runtime/index.js';
import { select } from '../../../ops/runtime-db/index.js';
import { atLeast } from '../microversion.js';
import { nextLinks, pageLimit } from '../paging.js';
import { endOf, queryTime } from '../times.js';
import { validateQuery } from '../query.js';
import { ServerListQuery } from '../schemas/servers-query.js';
import type { ApiState } from '../state.js';
import { serverBasic, serverView } from '../views/servers.js';
import type { ApiServices } from './services.js';

const truthy = (v: string | undefined): boolean => v !== undefined && !/^(0|false|no|off|f|n)$/i.test(v);
const list = (v: string | undefined): string[] | undefined => (v === undefined ? undefined : v.split(',').map((t) => t.trim()).filter(Boolean));

/** Filters as Nova applies them: admin-only ones are dropped for others, all_tenants needs admin. */
async function filtersOf(services: ApiServices, ctx: ParameterizedContext<ApiState>, q: ServerListQuery): Promise<ServerFilters> {
  const { context, version } = ctx.state;
  const admin = context.isAdmin;
  const moreForMembers = atLeast(version, '2.83');
  const f: ServerFilters = { deleted: 'live' };
  if (q.all_tenants !== undefined && truthy(q.all_tenants || 'true')) {
    if (!admin) throw new ForbiddenError("Policy doesn't allow os_compute_api:servers:index:get_all_tenants to be performed.");
    f.projectId = q.project_id ?? q.tenant_id;
  } else {
    // Without all_tenants Nova lists the caller's project, an admin's too: project_id and tenant_id are ignored.
    f.projectId = context.projectId;
  }
  if (q.name !== undefined) f.name = q.name;
  if (q.status !== undefined) {
    const states = statusStates(q.status);
    if (!states) {
      if (atLeast(version, '2.38')) throw new InvalidInputError(`Invalid status value`);
      f.nothing = true;
    } else {
      f.vmStates = states.vm;
      f.taskStates = states.task;
      if (q.status.toUpperCase() === 'DELETED') f.deleted = admin ? 'both' : 'live';
    }
  }
  if (q.image !== undefined) f.image = q.image.replace(/\/+$/, '').split('/').at(-1);
  if (q.flavor !== undefined) {
    const flavorid = q.flavor.replace(/\/+$/, '').split('/').at(-1) ?? '';
    const rows = await select<{ id: number }>(services.api, 'SELECT id FROM flavors WHERE flavorid = ?', [flavorid]);
    if (rows[0]) f.flavorDbId = rows[0].id;
    else f.nothing = true;
  }
  if (q.reservation_id !== undefined) f.reservationId = q.reservation_id;
  const since = queryTime(q['changes-since'], 'changes-since');
  const before = atLeast(version, '2.66') ? queryTime(q['changes-before'], 'changes-before') : undefined;
  if (since && before && since > before) throw new InvalidInputError('The value of changes-since must be less than or equal to changes-before.');
  if (since || before) f.deleted = 'both';
  f.changesSince = since;
  f.changedBefore = before && endOf(q['changes-before'] ?? '', before);
  if (atLeast(version, '2.26')) {
    f.tags = list(q.tags);
    f.tagsAny = list(q['tags-any']);
    f.notTags = list(q['not-tags']);
    f.notTagsAny = list(q['not-tags-any']);
  }
  if (q.locked !== undefined && atLeast(version, '2.73')) f.locked = truthy(q.locked);
  // Nova's ip and ip6: a regular expression over the servers' fixed addresses, which the network service holds.
  if (q.ip !== undefined || q.ip6 !== undefined) f.uuids = await serversWithAddress(services.network, f.projectId, q.ip, q.ip6);
  if (admin || moreForMembers) {
    if (q.user_id !== undefined) f.userId = q.user_id;
    if (q.availability_zone !== undefined) f.availabilityZone = q.availability_zone;
    if (q.key_name !== undefined) f.keyName = q.key_name;
    if (q.power_state !== undefined) f.powerState = q.power_state;
    if (q.progress !== undefined) f.progress = q.progress;
  }
  if (admin) {
    if (q.host !== undefined) f.host = q.host;
    if (q.node !== undefined) f.node = q.node;
    if (q.deleted !== undefined && truthy(q.deleted)) f.deleted = 'deleted';
  }
  return f;
}

/** GET /servers and /servers/detail: every cell at once, merged in order, paged with markers. */
export function registerServerListRoutes(router: Router<ApiState>, services: ApiServices): void {
  for (const [path, detail] of [['/v2.1/servers', false], ['/v2.1/servers/detail', true]] as const) {
    router.get(path, async (ctx) => {
      const q = validateQuery<ServerListQuery>(ServerListQuery, ctx.query);
      const { context, version } = ctx.state;
      const limit = pageLimit(q.limit, services.config.api.max_limit);
      const records = await listServers(
        { api: services.api, registry: services.registry, serviceDownTimeMs: services.serviceDownTimeMs, scatterTimeoutMs: services.config.cells.scatter_timeout_ms },
        context,
        {
          filters: await filtersOf(services, ctx, q),
          sort: sortKeys(q.sort_key ?? [], q.sort_dir ?? [], context.isAdmin),
          limit,
          marker: q.marker,
          downCellSupport: atLeast(version, '2.69'),
          hostStatus: detail && atLeast(version, '2.16') && context.isAdmin,
        },
      );
      const options = { publicUrl: services.publicUrl, context, version };
      if (detail && atLeast(version, '2.98')) await withRequestSpecFacts(services.api, records);
      if (detail) await withVolumesAttached(services.api, records);
      if (detail) await withInterfaces(services.network, records);
      const servers = records.map((r) => (detail ? serverView(r, options, 'detail') : serverBasic(r, options)));
      const lastId = records.length > 0 ? recordUuid(records[records.length - 1] as (typeof records)[number]) : '';
      const links = nextLinks(services.publicUrl, path, ctx.query, servers, limit, () => lastId);
      ctx.body = { servers, ...(links.length > 0 ? { servers_links: links } : {}) };
    });
  }
}
