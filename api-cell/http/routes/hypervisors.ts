import type Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import {
  getHypervisor,
  hypervisorStatistics,
  hypervisorUptime,
  listHypervisors,
  searchHypervisors,
  uptimes,
  type HostDeps,
  type Hypervisor,
} from '../../hosts/index.js';
import { InvalidInputError, NotFoundError } from '../../../ops/runtime/index.js';
import { atLeast } from '../microversion.js';
import { nextLinks, pageLimit } from '../paging.js';
import { requireAdmin } from '../policy.js';
import { validateQuery } from '../query.js';
import {
  HypervisorListQuery233,
  HypervisorListQuery253,
  HypervisorShowQuery253,
  queryTrue,
  type HypervisorListQuery,
  type HypervisorShowQuery,
} from '../schemas/hypervisors.js';
import type { ApiState } from '../state.js';
import { hypervisorView } from '../views/hypervisors.js';
import type { ApiServices } from './services.js';

type Ctx = ParameterizedContext<ApiState>;

const rule = (name: string): string => `os_compute_api:os-hypervisors:${name}`;
const uuidLike = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const gone = (): NotFoundError => new NotFoundError('The resource could not be found.');

/** os-hypervisors (admin): compute nodes across cells, with placement's usage. */
export function registerHypervisorRoutes(router: Router<ApiState>, services: ApiServices): void {
  const deps = (ctx: Ctx): HostDeps => ({ api: services.api, registry: services.registry, config: services.config, log: ctx.state.log });

  /** The id in the path: a uuid from 2.53 (else 400), an integer below (else 404, found nowhere). */
  const pathId = (ctx: Ctx): string => {
    const id = ctx.params['id'] ?? '';
    if (atLeast(ctx.state.version, '2.53') && !uuidLike.test(id)) throw new InvalidInputError(`Invalid uuid ${id}`);
    return id;
  };

  const list = (detail: boolean) => async (ctx: Ctx) => {
    requireAdmin(ctx.state.context, rule(detail ? 'list-detail' : 'list'));
    const version = ctx.state.version;
    let query: HypervisorListQuery = {};
    if (atLeast(version, '2.53')) query = validateQuery<HypervisorListQuery>(HypervisorListQuery253, ctx.query);
    else if (atLeast(version, '2.33')) query = validateQuery<HypervisorListQuery>(HypervisorListQuery233, ctx.query);
    const paged = atLeast(version, '2.33');
    // Nova reads limit=0 as no limit at all.
    const limit = paged && query.limit !== 0 ? pageLimit(query.limit, services.config.api.max_limit) : undefined;
    const withServers = queryTrue(query.with_servers);
    let found: Hypervisor[];
    let links = paged;
    if (query.hypervisor_hostname_pattern !== undefined) {
      if ('limit' in ctx.query || query.marker !== undefined) {
        throw new InvalidInputError('Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported.');
      }
      links = false;
      found = await searchHypervisors(deps(ctx), query.hypervisor_hostname_pattern, withServers);
    } else {
      const byUuid = atLeast(version, '2.53');
      found = await listHypervisors(deps(ctx), {
        byUuid,
        withServers,
        ...(limit === undefined ? {} : { limit }),
        ...(paged && query.marker !== undefined ? { marker: query.marker } : {}),
      });
    }
    const times = detail && atLeast(version, '2.88') ? await uptimes(deps(ctx), found, ctx.state.requestId) : undefined;
    const body: Record<string, unknown> = {
      hypervisors: found.map((h) => hypervisorView(h, { version, detail, withServers, uptime: times?.get(h.node.uuid) ?? null })),
    };
    if (links && limit !== undefined) {
      const path = `/v2.1/os-hypervisors${detail ? '/detail' : ''}`;
      const last = found.at(-1);
      const next = nextLinks(services.publicUrl, path, ctx.query, found, limit, () =>
        String(atLeast(version, '2.53') ? last?.node.uuid : last?.node.id),
      );
      if (next.length > 0) body['hypervisors_links'] = next;
    }
    ctx.body = body;
  };

  router.get('/v2.1/os-hypervisors', list(false));
  router.get('/v2.1/os-hypervisors/detail', list(true));

  router.get('/v2.1/os-hypervisors/statistics', async (ctx) => {
    if (atLeast(ctx.state.version, '2.88')) throw gone();
    requireAdmin(ctx.state.context, rule('statistics'));
    ctx.body = { hypervisor_statistics: await hypervisorStatistics(deps(ctx)) };
  });

  router.get('/v2.1/os-hypervisors/:id', async (ctx) => {
    const version = ctx.state.version;
    let withServers = false;
    if (atLeast(version, '2.53')) withServers = queryTrue(validateQuery<HypervisorShowQuery>(HypervisorShowQuery253, ctx.query).with_servers);
    requireAdmin(ctx.state.context, rule('show'));
    const hypervisor = await getHypervisor(deps(ctx), pathId(ctx), atLeast(version, '2.53'), withServers);
    let uptime: string | null = null;
    if (atLeast(version, '2.88') && hypervisor.up) uptime = await hypervisorUptime(deps(ctx), hypervisor, ctx.state.requestId).catch(() => null);
    ctx.body = { hypervisor: hypervisorView(hypervisor, { version, detail: true, withServers, uptime }) };
  });

  router.get('/v2.1/os-hypervisors/:id/uptime', async (ctx) => {
    const version = ctx.state.version;
    if (atLeast(version, '2.88')) throw gone();
    requireAdmin(ctx.state.context, rule('uptime'));
    const hypervisor = await getHypervisor(deps(ctx), pathId(ctx), atLeast(version, '2.53'));
    const uptime = await hypervisorUptime(deps(ctx), hypervisor, ctx.state.requestId);
    ctx.body = { hypervisor: { ...hypervisorView(hypervisor, { version, detail: false }), uptime } };
  });

  // Before 2.53 a hostname pattern had its own routes; from 2.53 it is a query parameter.
  router.get('/v2.1/os-hypervisors/:pattern/search', async (ctx) => {
    if (atLeast(ctx.state.version, '2.53')) throw gone();
    requireAdmin(ctx.state.context, rule('search'));
    const found = await searchHypervisors(deps(ctx), ctx.params['pattern'] ?? '');
    ctx.body = { hypervisors: found.map((h) => hypervisorView(h, { version: ctx.state.version, detail: false })) };
  });

  router.get('/v2.1/os-hypervisors/:pattern/servers', async (ctx) => {
    if (atLeast(ctx.state.version, '2.53')) throw gone();
    requireAdmin(ctx.state.context, rule('servers'));
    const found = await searchHypervisors(deps(ctx), ctx.params['pattern'] ?? '', true);
    ctx.body = { hypervisors: found.map((h) => hypervisorView(h, { version: ctx.state.version, detail: false })) };
  });
}
