import { findMapping } from '../builds/index.js';
import type { CellRegistry } from '../cells/index.js';
import type { ApiDatabase } from '../db/index.js';
import { instancesActiveInWindow, type UsageInstance } from '../../child-cell/db/index.js';
import { InvalidInputError } from '../../ops/runtime/index.js';

/** One server's share of a usage report (Nova's server_usages entry). */
export interface ServerUsage {
  instance_id: string;
  name: string | null;
  tenant_id: string;
  flavor: string;
  hours: number;
  memory_mb: number;
  local_gb: number;
  vcpus: number;
  started_at: Date;
  ended_at: Date | null;
  state: string;
  /** Seconds from launch to termination, or to now. */
  uptime: number;
}

/** A project's usage over the period (Nova's tenant_usage). */
export interface TenantUsage {
  tenant_id: string;
  start: Date;
  stop: Date;
  total_hours: number;
  total_vcpus_usage: number;
  total_memory_mb_usage: number;
  total_local_gb_usage: number;
  server_usages: ServerUsage[];
}

export interface UsageReportQuery {
  start: Date;
  stop: Date;
  /** One project, or every project when absent. */
  projectId?: string;
  limit: number;
  /** The last instance of the previous page. */
  marker?: string;
}

export interface UsageReport {
  tenants: TenantUsage[];
  /** Every server counted, in page order (the page's links follow its last one). */
  servers: ServerUsage[];
  /** Cells that did not answer: their instances are missing from the report. */
  missingCells: string[];
}

export interface UsageDeps {
  api: ApiDatabase;
  registry: CellRegistry;
}

/**
 * Usage over [start, stop) from the instances of every cell, deleted ones included: one query
 * per cell, at once, merged in (project, uuid) order and paged across cells.
 */
export async function usageReport(deps: UsageDeps, query: UsageReportQuery): Promise<UsageReport> {
  let after: { projectId: string; uuid: string } | undefined;
  if (query.marker !== undefined) {
    const mapping = await findMapping(deps.api, query.marker);
    if (!mapping) throw new InvalidInputError(`Marker ${query.marker} could not be found.`);
    after = { projectId: mapping.project_id, uuid: query.marker };
  }
  const window = {
    start: query.start,
    stop: query.stop,
    limit: query.limit,
    ...(query.projectId === undefined ? {} : { projectId: query.projectId }),
    ...(after ? { after } : {}),
  };
  const answers = query.limit === 0 ? [] : await deps.registry.scatterGather(await deps.registry.list(), ({ db }) => instancesActiveInWindow(db, window));
  const instances: UsageInstance[] = [];
  const missingCells: string[] = [];
  for (const answer of answers) {
    if (answer.status === 'ok') instances.push(...answer.value);
    else missingCells.push(answer.cell.name);
  }
  instances.sort((a, b) => (a.project_id === b.project_id ? compare(a.uuid, b.uuid) : compare(a.project_id, b.project_id)));
  const now = new Date();
  const servers = instances.slice(0, query.limit).map((i) => serverUsage(i, query.start, query.stop, now));
  return { tenants: summarize(servers, query.start, query.stop), servers, missingCells };
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Hours the server ran inside the period (Nova's _hours_for). */
function hoursIn(i: UsageInstance, start: Date, stop: Date): number {
  if (i.terminated_at && i.terminated_at < start) return 0;
  if (i.launched_at > stop) return 0;
  const from = Math.max(i.launched_at.getTime(), start.getTime());
  const to = i.terminated_at ? Math.min(stop.getTime(), i.terminated_at.getTime()) : stop.getTime();
  // A period whose start is past now (its end is clipped to now) counts nothing.
  return Math.max(0, to - from) / 3_600_000;
}

function serverUsage(i: UsageInstance, start: Date, stop: Date, now: Date): ServerUsage {
  const state = i.terminated_at ? 'terminated' : i.vm_state;
  return {
    instance_id: i.uuid,
    name: i.display_name,
    tenant_id: i.project_id,
    flavor: i.flavor_name ?? '',
    hours: hoursIn(i, start, stop),
    memory_mb: i.memory_mb,
    local_gb: i.root_gb + i.ephemeral_gb,
    vcpus: i.vcpus,
    started_at: i.launched_at,
    ended_at: i.terminated_at,
    state,
    uptime: Math.trunc(((i.terminated_at ?? now).getTime() - i.launched_at.getTime()) / 1000),
  };
}

/** Totals per project, in the order projects first appear. */
function summarize(servers: ServerUsage[], start: Date, stop: Date): TenantUsage[] {
  const tenants = new Map<string, TenantUsage>();
  for (const s of servers) {
    let t = tenants.get(s.tenant_id);
    if (!t) {
      t = { tenant_id: s.tenant_id, start, stop, total_hours: 0, total_vcpus_usage: 0, total_memory_mb_usage: 0, total_local_gb_usage: 0, server_usages: [] };
      tenants.set(s.tenant_id, t);
    }
    t.total_hours += s.hours;
    t.total_vcpus_usage += s.vcpus * s.hours;
    t.total_memory_mb_usage += s.memory_mb * s.hours;
    t.total_local_gb_usage += s.local_gb * s.hours;
    t.server_usages.push(s);
  }
  return [...tenants.values()];
}
