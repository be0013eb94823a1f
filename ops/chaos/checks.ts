import type { ApiDatabase } from '../../api-cell/db/index.js';
import type { CellDatabase } from '../../child-cell/db/index.js';
import type { ComputeApi } from '../loadtest/client.js';
import { select } from '../runtime-db/index.js';

/** The databases the checks read: the API DB, and cell0 plus every child cell. */
export interface CheckDatabases {
  api: ApiDatabase;
  cells: { name: string; db: CellDatabase }[];
}

/** What the run did to servers, from the client's side. */
export interface ClientView {
  projectId: string;
  /** Accepted boots (202). */
  accepted: string[];
  /** Servers whose DELETE was accepted during the churn. */
  deleted: ReadonlySet<string>;
  /** The flavor every boot used. */
  flavor: { vcpus: number; ram: number };
}

/** A violated invariant: a name, how many, and the first few servers or rows it is about. */
export interface Violation {
  invariant: string;
  count: number;
  examples: string[];
}

export interface InvariantReport {
  statuses: Record<string, number>;
  active: number;
  error: number;
  lost: number;
  stuck: number;
  duplicates: number;
  overAllocated: number;
  allocationMismatches: number;
  quotaMismatches: number;
  violations: Violation[];
}

interface LiveInstance {
  uuid: string;
  display_name: string | null;
  host: string | null;
  vm_state: string;
  task_state: string | null;
  cell: string;
}

const examples = (xs: string[]): string[] => xs.slice(0, 10);

/** Every live (not deleted) instance of every cell, cell0 included. */
async function liveInstances(dbs: CheckDatabases): Promise<LiveInstance[]> {
  const rows = await Promise.all(
    dbs.cells.map(async ({ name, db }) =>
      (await select<Omit<LiveInstance, 'cell'>>(db, 'SELECT uuid, display_name, host, vm_state, task_state FROM instances WHERE deleted = 0')).map((r) => ({ ...r, cell: name })),
    ),
  );
  return rows.flat();
}

/** Every server of the project the API lists, with its status. */
async function listed(api: ComputeApi): Promise<Map<string, string>> {
  const servers = new Map<string, string>();
  let marker = '';
  for (;;) {
    const res = await api.call<{ servers?: { id: string; status: string }[] }>('GET', `/servers/detail?limit=1000${marker ? `&marker=${marker}` : ''}`);
    if (res.status !== 200) throw new Error(`GET /servers/detail answered ${res.status}`);
    const page = res.body?.servers ?? [];
    for (const s of page) servers.set(s.id, s.status);
    const last = page[page.length - 1];
    if (page.length < 1000 || !last) return servers;
    marker = last.id;
  }
}

/** Checks every invariant against the API and the databases as they are now. */
export async function checkInvariants(dbs: CheckDatabases, api: ComputeApi, view: ClientView): Promise<InvariantReport> {
  const violations: Violation[] = [];
  const flag = (invariant: string, items: string[]): number => {
    if (items.length > 0) violations.push({ invariant, count: items.length, examples: examples(items) });
    return items.length;
  };
  const servers = await listed(api);
  const instances = await liveInstances(dbs);
  const builds = await select<{ instance_uuid: string }>(dbs.api, 'SELECT instance_uuid FROM build_requests');
  const kept = view.accepted.filter((id) => !view.deleted.has(id));
  const statuses: Record<string, number> = {};
  for (const id of kept) {
    const status = servers.get(id) ?? 'MISSING';
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
  const lost = flag('accepted servers all present', kept.filter((id) => !servers.has(id)));
  const error = flag('no server in ERROR', kept.filter((id) => servers.get(id) === 'ERROR'));

  const byUuid = new Map<string, LiveInstance[]>();
  for (const i of instances) byUuid.set(i.uuid, [...(byUuid.get(i.uuid) ?? []), i]);
  const busy = instances.filter((i) => i.vm_state === 'building' || i.task_state !== null).map((i) => `${i.uuid} (${i.cell}: ${i.vm_state}/${i.task_state ?? '-'})`);
  const unbuilt = builds.map((b) => `${b.instance_uuid} (build request, in no cell yet)`);
  const undeleted = [...view.deleted].filter((id) => byUuid.has(id)).map((id) => `${id} (deleted, still live)`);
  const stuck = flag('none stuck', [...busy, ...unbuilt, ...undeleted]);

  const names = new Map<string, number>();
  for (const i of instances) if (i.display_name) names.set(i.display_name, (names.get(i.display_name) ?? 0) + 1);
  const allocations = await select<{ consumer_id: string; host: string | null; name: string; resource_class: string; used: number }>(
    dbs.api,
    'SELECT a.consumer_id, rp.host, rp.name, a.resource_class, a.used FROM allocations a JOIN resource_providers rp ON rp.id = a.resource_provider_id',
  );
  const providersOf = new Map<string, Set<string>>();
  for (const a of allocations) providersOf.set(a.consumer_id, (providersOf.get(a.consumer_id) ?? new Set()).add(a.host ?? a.name));
  const duplicates = flag('none twice', [
    ...[...byUuid].filter(([, xs]) => xs.length > 1).map(([id, xs]) => `${id} live in ${xs.map((x) => x.cell).join(' and ')}`),
    ...[...names].filter(([, n]) => n > 1).map(([name, n]) => `name ${name} live ${n} times`),
    ...[...providersOf].filter(([, ps]) => ps.size > 1).map(([id, ps]) => `${id} allocated on ${[...ps].join(' and ')}`),
  ]);

  const placed = new Map(instances.filter((i) => i.host !== null).map((i) => [i.uuid, i.host ?? '']));
  const allocationMismatches = flag('allocations equal to the instances that hold a host', [
    ...[...placed].filter(([id]) => !providersOf.has(id)).map(([id, host]) => `${id} on ${host} has no allocation`),
    ...[...providersOf].filter(([id]) => !placed.has(id)).map(([id, ps]) => `allocation of ${id} on ${[...ps].join(', ')} but no live instance holds a host`),
    ...[...placed].filter(([id, host]) => providersOf.has(id) && !providersOf.get(id)?.has(host)).map(([id, host]) => `${id} on ${host} allocated on ${[...(providersOf.get(id) ?? [])].join(', ')}`),
  ]);

  const capacity = await select<{ name: string; resource_class: string; total: number; reserved: number; allocation_ratio: number; used: number | null }>(
    dbs.api,
    `SELECT rp.name, i.resource_class, i.total, i.reserved, i.allocation_ratio,
       (SELECT SUM(a.used) FROM allocations a WHERE a.resource_provider_id = i.resource_provider_id AND a.resource_class = i.resource_class) AS used
     FROM inventories i JOIN resource_providers rp ON rp.id = i.resource_provider_id`,
  );
  // Placement's own rule: what fits is (total - reserved) x ratio.
  const overAllocated = flag(
    'no provider over capacity',
    capacity
      .filter((c) => Number(c.used ?? 0) > Math.floor((c.total - c.reserved) * c.allocation_ratio))
      .map((c) => `${c.name} ${c.resource_class}: ${Number(c.used)} used of (${c.total} - ${c.reserved}) x ${c.allocation_ratio}`),
  );

  const liveServers = new Set([...instances.map((i) => i.uuid), ...builds.map((b) => b.instance_uuid)]);
  const usage = await quotaUsage(dbs.api, view.projectId);
  const want = { instances: liveServers.size, cores: liveServers.size * view.flavor.vcpus, ram: liveServers.size * view.flavor.ram };
  const quotaMismatches = flag(
    'quota usage equal to servers',
    (['instances', 'cores', 'ram'] as const).filter((r) => usage[r] !== want[r]).map((r) => `${r}: in use ${usage[r]}, servers hold ${want[r]}`),
  );
  return { statuses, active: statuses['ACTIVE'] ?? 0, error, lost, stuck, duplicates, overAllocated, allocationMismatches, quotaMismatches, violations };
}

async function quotaUsage(api: ApiDatabase, projectId: string): Promise<Record<'instances' | 'cores' | 'ram', number>> {
  const rows = await select<{ resource: string; in_use: number | string }>(api, 'SELECT resource, in_use FROM quota_usages WHERE project_id = ?', [projectId]);
  const of = (r: string): number => Number(rows.find((x) => x.resource === r)?.in_use ?? 0);
  return { instances: of('instances'), cores: of('cores'), ram: of('ram') };
}

/** What is left after every server was deleted: each count should be 0. */
export async function leftovers(dbs: CheckDatabases, projectId: string): Promise<Record<string, number>> {
  const count = async (db: ApiDatabase | CellDatabase, sql: string, values: unknown[] = []): Promise<number> => Number((await select<{ n: number }>(db, sql, values))[0]?.n ?? 0);
  const usage = await quotaUsage(dbs.api, projectId);
  const perCell = async (sql: string): Promise<number> => (await Promise.all(dbs.cells.map((c) => count(c.db, sql)))).reduce((a, b) => a + b, 0);
  return {
    allocations: await count(dbs.api, 'SELECT COUNT(*) AS n FROM allocations'),
    quotaInstances: usage.instances,
    quotaCores: usage.cores,
    quotaRam: usage.ram,
    buildRequests: await count(dbs.api, 'SELECT COUNT(*) AS n FROM build_requests'),
    mappingsNotQueuedForDelete: await count(dbs.api, 'SELECT COUNT(*) AS n FROM instance_mappings WHERE queued_for_delete = 0'),
    guests: await perCell('SELECT COUNT(*) AS n FROM instances WHERE deleted = 0'),
    consoleTokens: await perCell('SELECT COUNT(*) AS n FROM console_auth_tokens'),
  };
}
