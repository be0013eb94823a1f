import type Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import { usageReport, type UsageReport } from '../../usage/index.js';
import { InvalidInputError, NotFoundError } from '../../../ops/runtime/index.js';
import { atLeast } from '../microversion.js';
import { nextLinks, pageLimit } from '../paging.js';
import { requireAdmin, requireReader } from '../policy.js';
import { validateQuery } from '../query.js';
import {
  UsageListQuery,
  UsageListQueryV240,
  UsageListQueryV275,
  UsageShowQuery,
  UsageShowQueryV240,
  UsageShowQueryV275,
  type UsageQuery,
} from '../schemas/usage.js';
import type { ApiState } from '../state.js';
import { tenantUsageView } from '../views/usage.js';
import type { ApiServices } from './services.js';

type Ctx = ParameterizedContext<ApiState>;
const rule = (action: string): string => `os_compute_api:os-simple-tenant-usage:${action}`;

// The formats Nova's usage API accepts: "2012-10-08T20:10:44", with ".ffffff", or "2012-10-08 20:10:44.ffffff"; UTC.
const timeFormat = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:T(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,6}))?| (\d{1,2}):(\d{1,2}):(\d{1,2})\.(\d{1,6}))$/;

export function parseUsageTime(text: string): Date {
  const m = timeFormat.exec(text);
  if (!m) throw new InvalidInputError('Invalid datetime string: Datetime is in invalid format');
  const n = (i: number) => Number(m[i] ?? 0);
  const [year, month, day] = [n(1), n(2), n(3)];
  const [hour, minute, second] = m[4] === undefined ? [n(8), n(9), n(10)] : [n(4), n(5), n(6)];
  const fraction = (m[7] ?? m[11] ?? '').padEnd(6, '0');
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, Math.floor(Number(fraction) / 1000)));
  const valid = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
  if (!valid) throw new InvalidInputError(`Invalid datetime string: ${text} is not a valid date and time`);
  return date;
}

const first = (value: unknown): string | undefined => {
  const v: unknown = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/** The period asked for: missing ends are now; the end is never past now. */
function period(query: UsageQuery): { start: Date; stop: Date } {
  const now = new Date();
  const startText = first(query.start);
  const endText = first(query.end);
  const start = startText ? parseUsageTime(startText) : now;
  const stop = endText ? parseUsageTime(endText) : now;
  if (start > stop || (start.getTime() === stop.getTime() && (startText || endText))) {
    throw new InvalidInputError('Invalid start time. The start time cannot occur after the end time.');
  }
  return { start, stop: stop > now ? now : stop };
}

/** Paging from 2.40 (limit, marker); before it, one page of api.max_limit. */
function paging(ctx: Ctx, query: UsageQuery, maxLimit: number): { limit: number; marker?: string } {
  if (!atLeast(ctx.state.version, '2.40')) return { limit: maxLimit };
  return { limit: pageLimit(query.limit, maxLimit), ...(query.marker === undefined ? {} : { marker: query.marker }) };
}

function warnMissing(ctx: Ctx, report: UsageReport): void {
  if (report.missingCells.length > 0) ctx.state.log.warn({ cells: report.missingCells }, 'usage report leaves out cells that did not answer');
}

/** os-simple-tenant-usage: every project's usage (admin), or one project's. */
export function registerTenantUsageRoutes(router: Router<ApiState>, services: ApiServices): void {
  const deps = { api: services.api, registry: services.registry };
  const maxLimit = services.config.api.max_limit;
  const path = '/v2.1/os-simple-tenant-usage';

  router.get(path, async (ctx) => {
    const { context, version } = ctx.state;
    // "os-simple-tenant-usage/" names a tenant, the empty one: Nova finds no such resource.
    if (ctx.path.endsWith('/')) throw new NotFoundError('The resource could not be found.');
    requireAdmin(context, rule('list'));
    const schema = atLeast(version, '2.75') ? UsageListQueryV275 : atLeast(version, '2.40') ? UsageListQueryV240 : UsageListQuery;
    const query = validateQuery<UsageQuery>(schema, ctx.query);
    const page = paging(ctx, query, maxLimit);
    const report = await usageReport(deps, { ...period(query), ...page });
    warnMissing(ctx, report);
    const detailed = first(query.detailed) === '1';
    const body: Record<string, unknown> = { tenant_usages: report.tenants.map((t) => tenantUsageView(t, detailed)) };
    if (atLeast(version, '2.40')) {
      const links = nextLinks(services.publicUrl, path, ctx.query, report.servers, page.limit, () => report.servers.at(-1)?.instance_id ?? '');
      if (links.length > 0) body['tenant_usages_links'] = links;
    }
    ctx.body = body;
  });

  router.get(`${path}/:tenant`, async (ctx) => {
    const { context, version } = ctx.state;
    const tenant = ctx.params['tenant'] ?? '';
    if (tenant !== context.projectId) requireAdmin(context, rule('show'));
    requireReader(context, rule('show'));
    const schema = atLeast(version, '2.75') ? UsageShowQueryV275 : atLeast(version, '2.40') ? UsageShowQueryV240 : UsageShowQuery;
    const query = validateQuery<UsageQuery>(schema, ctx.query);
    const page = paging(ctx, query, maxLimit);
    const report = await usageReport(deps, { ...period(query), ...page, projectId: tenant });
    warnMissing(ctx, report);
    const usage = report.tenants[0];
    const body: Record<string, unknown> = { tenant_usage: usage ? tenantUsageView(usage, true) : {} };
    if (atLeast(version, '2.40')) {
      const links = nextLinks(services.publicUrl, `${path}/${tenant}`, ctx.query, report.servers, page.limit, () => report.servers.at(-1)?.instance_id ?? '');
      if (links.length > 0) body['tenant_usage_links'] = links;
    }
    ctx.body = body;
  });
}
