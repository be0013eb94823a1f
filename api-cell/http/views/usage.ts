import type { ServerUsage, TenantUsage } from '../../usage/index.js';

/** Nova's usage timestamps: naive UTC ISO 8601 as Python prints them ("2012-10-08T20:10:44.541000"). */
export function usageTime(value: Date): string {
  const ms = value.getUTCMilliseconds();
  const base = value.toISOString().slice(0, 19);
  return ms === 0 ? base : `${base}.${String(ms * 1000).padStart(6, '0')}`;
}

function serverUsageView(s: ServerUsage): Record<string, unknown> {
  return {
    instance_id: s.instance_id,
    name: s.name,
    hours: s.hours,
    memory_mb: s.memory_mb,
    local_gb: s.local_gb,
    vcpus: s.vcpus,
    tenant_id: s.tenant_id,
    flavor: s.flavor,
    started_at: usageTime(s.started_at),
    ended_at: s.ended_at ? usageTime(s.ended_at) : null,
    state: s.state,
    uptime: s.uptime,
  };
}

/** One project's usage; its servers only when `detailed`. */
export function tenantUsageView(t: TenantUsage, detailed: boolean): Record<string, unknown> {
  return {
    tenant_id: t.tenant_id,
    total_hours: t.total_hours,
    total_vcpus_usage: t.total_vcpus_usage,
    total_memory_mb_usage: t.total_memory_mb_usage,
    total_local_gb_usage: t.total_local_gb_usage,
    start: usageTime(t.start),
    stop: usageTime(t.stop),
    ...(detailed ? { server_usages: t.server_usages.map(serverUsageView) } : {}),
  };
}
