import type Router from '@koa/router';
import { ForbiddenError } from '../../../ops/runtime/index.js';
import { requireAdmin, requireReader } from '../../http/policy.js';
import type { ApiState } from '../../http/state.js';
import { validate } from '../../http/validation.js';
import { classLimits, projectLimits, projectUsage, resetProjectLimits, setClassLimits, setProjectLimits, type QuotaLimits } from '../quotas.js';
import { at, queryValue, type Ctx, type VolumeApiDeps } from './common.js';
import { QuotaClassSetBody, QuotaSetBody, truthy } from './schemas.js';

/** A member reads their own project's quotas; another project's are for admins (Cinder's default policy). */
function target(ctx: Ctx): string {
  const project = ctx.params['target'] ?? '';
  if (project !== ctx.state.context.projectId && !ctx.state.context.isAdmin) throw new ForbiddenError("Policy doesn't allow volume_extension:quotas:show to be performed.");
  return project;
}

async function quotaSet(ctx: Ctx, deps: VolumeApiDeps, project: string, usage: boolean): Promise<Record<string, unknown>> {
  const db = deps.volumes.deps.db;
  const limits = await projectLimits(db, deps.config, project);
  if (!usage) return { id: project, ...limits };
  const used = await projectUsage(db, project);
  const detail = (key: keyof QuotaLimits) => ({ limit: limits[key], in_use: (used as Record<string, number>)[key] ?? 0, reserved: 0, allocated: 0 });
  return { id: project, ...Object.fromEntries((Object.keys(limits) as (keyof QuotaLimits)[]).map((k) => [k, detail(k)])) };
}

/** os-quota-sets (show with ?usage, defaults, update and delete for admins), limits and os-availability-zone. */
export function registerQuotaRoutes(router: Router<ApiState>, deps: VolumeApiDeps): void {
  const db = deps.volumes.deps.db;
  router.get(at('/os-quota-sets/:target'), async (ctx) => {
    requireReader(ctx.state.context, 'volume_extension:quotas:show');
    ctx.body = { quota_set: await quotaSet(ctx, deps, target(ctx), truthy(queryValue(ctx, 'usage') ?? 'false')) };
  });
  router.get(at('/os-quota-sets/:target/defaults'), async (ctx) => {
    requireReader(ctx.state.context, 'volume_extension:quotas:show');
    ctx.body = { quota_set: { id: ctx.params['target'] ?? '', ...(await classLimits(db, deps.config)) } };
  });
  router.get(at('/os-quota-class-sets/:class'), async (ctx) => {
    requireAdmin(ctx.state.context, 'volume_extension:quota_classes');
    const name = ctx.params['class'] ?? '';
    ctx.body = { quota_class_set: { id: name, ...(await classLimits(db, deps.config, name)) } };
  });
  router.put(at('/os-quota-class-sets/:class'), async (ctx) => {
    requireAdmin(ctx.state.context, 'volume_extension:quota_classes');
    const { quota_class_set: changes } = validate<{ quota_class_set: Record<string, number | string> }>(QuotaClassSetBody, ctx.state.body);
    const name = ctx.params['class'] ?? '';
    await setClassLimits(db, name, Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, Number(v)])));
    ctx.body = { quota_class_set: await classLimits(db, deps.config, name) };
  });
  router.put(at('/os-quota-sets/:target'), async (ctx) => {
    requireAdmin(ctx.state.context, 'volume_extension:quotas:update');
    const { quota_set: changes } = validate<{ quota_set: Record<string, number | string> }>(QuotaSetBody, ctx.state.body);
    const project = ctx.params['target'] ?? '';
    await setProjectLimits(db, project, Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, Number(v)])));
    const { id: _id, ...limits } = await quotaSet(ctx, deps, project, false);
    ctx.body = { quota_set: limits };
  });
  router.delete(at('/os-quota-sets/:target'), async (ctx) => {
    requireAdmin(ctx.state.context, 'volume_extension:quotas:delete');
    await resetProjectLimits(db, ctx.params['target'] ?? '');
    ctx.status = 200;
    ctx.body = '';
  });
  router.get(at('/limits'), async (ctx) => {
    requireReader(ctx.state.context, 'limits_extension:used_limits');
    const project = ctx.state.context.projectId;
    const [limits, used] = await Promise.all([projectLimits(db, deps.config, project), projectUsage(db, project)]);
    ctx.body = {
      limits: {
        rate: [],
        absolute: {
          maxTotalVolumes: limits.volumes,
          maxTotalSnapshots: limits.snapshots,
          maxTotalVolumeGigabytes: limits.gigabytes,
          maxTotalBackups: limits.backups,
          maxTotalBackupGigabytes: limits.backup_gigabytes,
          totalVolumesUsed: used.volumes,
          totalSnapshotsUsed: used.snapshots,
          totalGigabytesUsed: used.gigabytes,
          totalBackupsUsed: 0,
          totalBackupGigabytesUsed: 0,
        },
      },
    };
  });
  router.get(at('/os-availability-zone'), (ctx) => {
    ctx.body = { availabilityZoneInfo: [{ zoneName: deps.config.volume.availability_zone, zoneState: { available: true } }] };
  });
}
