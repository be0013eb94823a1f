import type Router from '@koa/router';
import { listServices, type HostDeps } from '../../hosts/index.js';
import { COMPUTE_BINARY } from '../../../child-cell/db/index.js';
import { InvalidInputError } from '../../../ops/runtime/index.js';
import { requireAdmin } from '../policy.js';
import { strictQuery } from '../query.js';
import type { ApiState } from '../state.js';
import type { ApiServices } from './services.js';

const rule = (action: string): string => `os_compute_api:os-instance-usage-audit-log:${action}`;
const pad = (n: number): string => String(n).padStart(2, '0');
const pythonTime = (d: Date): string => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} 00:00:00`;

/** The last whole month before `before` (Nova's default audit period), as Nova prints it. */
function lastMonth(before: Date): { begin: string; end: string } {
  const end = new Date(Date.UTC(before.getUTCFullYear(), before.getUTCMonth(), 1));
  const begin = new Date(Date.UTC(before.getUTCFullYear(), before.getUTCMonth() - 1, 1));
  return { begin: pythonTime(begin), end: pythonTime(end) };
}

/** "2026-11-05 10:00:00" or with fractions of a second, as Nova takes it in the path; UTC. */
function parseBefore(text: string): Date {
  const match = /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d{1,6})?$/.exec(text);
  const date = match ? new Date(`${match[1]}-${pad(Number(match[2]))}-${pad(Number(match[3]))}T${pad(Number(match[4]))}:${pad(Number(match[5]))}:${pad(Number(match[6]))}${match[7] ?? ''}Z`) : undefined;
  const valid = match && date && !Number.isNaN(date.getTime()) && date.getUTCDate() === Number(match[3]);
  if (!valid) throw new InvalidInputError(`Invalid timestamp for date ${text}`);
  return date;
}

/**
 * The audit report for one period. Hosts here run no usage audit (Nova's `instance_usage_audit`
 * is off by default), so every compute host, disabled ones too, is listed as not run.
 */
async function auditLog(deps: HostDeps, before: Date): Promise<Record<string, unknown>> {
  const { services } = await listServices(deps, { binary: COMPUTE_BINARY }, false);
  const hosts = [...new Set(services.map((s) => s.service.host))];
  const { begin, end } = lastMonth(before);
  return {
    period_beginning: begin,
    period_ending: end,
    num_hosts: hosts.length,
    num_hosts_done: 0,
    num_hosts_running: 0,
    num_hosts_not_run: hosts.length,
    hosts_not_run: hosts,
    total_instances: 0,
    total_errors: 0,
    overall_status: `${hosts.length === 0 ? 'ALL' : `0 of ${hosts.length}`} hosts done. 0 errors.`,
    log: {},
  };
}

/** os-instance_usage_audit_log (admin): the last audit period's report, or the one before a date. */
export function registerUsageAuditLogRoutes(router: Router<ApiState>, services: ApiServices): void {
  const deps = (log: HostDeps['log']): HostDeps => ({ api: services.api, registry: services.registry, config: services.config, log });

  router.get('/v2.1/os-instance_usage_audit_log', async (ctx) => {
    requireAdmin(ctx.state.context, rule('list'));
    strictQuery(ctx, '2.102');
    ctx.body = { instance_usage_audit_logs: await auditLog(deps(ctx.state.log), new Date()) };
  });

  router.get('/v2.1/os-instance_usage_audit_log/:before', async (ctx) => {
    requireAdmin(ctx.state.context, rule('show'));
    strictQuery(ctx, '2.102');
    ctx.body = { instance_usage_audit_log: await auditLog(deps(ctx.state.log), parseBefore(ctx.params['before'] ?? '')) };
  });
}
