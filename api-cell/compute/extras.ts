import { UnavailableError } from '../../ops/runtime/index.js';
import { inList, select } from '../../ops/runtime-db/index.js';
import { COMPUTE_BINARY, serviceStates, type ServiceState } from '../../child-cell/db/index.js';
import type { CellMapping, CellRegistry } from '../cells/index.js';
import type { ApiDatabase } from '../db/index.js';
import type { FlavorSnapshot } from '../../child-cell/instance/index.js';
import type { PartialServer, ServerRecord } from './records.js';
import type { RequestSpec } from '../builds/index.js';

/**
 * Nova's host_status for the hosts of one cell, in one query: UP, MAINTENANCE (disabled),
 * DOWN (forced down), UNKNOWN (no recent heartbeat), "" for no host.
 */
export async function hostStatuses(registry: CellRegistry, cell: CellMapping, hosts: string[], serviceDownTimeMs: number): Promise<Map<string, string>> {
  const wanted = [...new Set(hosts)];
  const statuses = new Map<string, string>();
  if (wanted.length === 0) return statuses;
  const rows = await registry
    .withCell(cell, ({ db }) => serviceStates(db, COMPUTE_BINARY, wanted))
    // A cell whose database does not answer leaves its hosts UNKNOWN: the server is still shown.
    .catch(() => [] as ServiceState[]);
  const now = Date.now();
  for (const host of wanted) statuses.set(host, 'UNKNOWN');
  for (const r of rows) {
    const up = !r.forced_down && r.last_seen_up !== null && now - r.last_seen_up.getTime() <= serviceDownTimeMs;
    statuses.set(r.host, r.disabled ? 'MAINTENANCE' : up ? 'UP' : r.forced_down ? 'DOWN' : 'UNKNOWN');
  }
  return statuses;
}

/**
 * What the API database knows of servers in a cell that does not answer (2.69): the mapping,
 * and with `withSpecs` the request spec (flavor, image, zone, user) for a single server's show.
 */
export async function partialServers(api: ApiDatabase, cellId: number, filter: { uuids?: string[]; projectId?: string }, withSpecs: boolean): Promise<PartialServer[]> {
  const where = ['m.cell_id = ?', 'm.queued_for_delete = 0'];
  const params: unknown[] = [cellId];
  if (filter.uuids) {
    if (filter.uuids.length === 0) return [];
    where.push(`m.instance_uuid IN (${inList(filter.uuids.length)})`);
    params.push(...filter.uuids);
  }
  if (filter.projectId) {
    where.push('m.project_id = ?');
    params.push(filter.projectId);
  }
  const rows = await select<{ instance_uuid: string; project_id: string; user_id: string; created_at: Date; spec: string | null }>(
    api,
    `SELECT m.instance_uuid, m.project_id, m.user_id, m.created_at, ${withSpecs ? 's.spec' : 'NULL AS spec'}
       FROM instance_mappings m ${withSpecs ? 'LEFT JOIN request_specs s ON s.instance_uuid = m.instance_uuid' : ''}
      WHERE ${where.join(' AND ')} ORDER BY m.created_at DESC, m.instance_uuid DESC`,
    params,
  );
  return rows.map((r) => {
    const spec = r.spec ? (JSON.parse(r.spec) as RequestSpec) : null;
    return {
      uuid: r.instance_uuid,
      project_id: r.project_id,
      user_id: r.user_id,
      created_at: r.created_at,
      flavor: (spec?.flavor as FlavorSnapshot | undefined) ?? null,
      image_ref: spec?.image.id ?? null,
      availability_zone: spec?.availability_zone ?? null,
    };
  });
}

/** A cell that does not answer, as an error the API turns into 503. */
export const cellDown = (cell: CellMapping, cause?: unknown): UnavailableError =>
  new UnavailableError(`Cell ${cell.name} is not responding; its servers cannot be shown or changed now.`, { cause });

/**
 * What a server view takes from the request spec (2.98, 2.100): the image's properties as they
 * were at boot and the scheduler hints given, each hint's value a list as Nova keeps them. One
 * read for a page of servers; records already carrying them are left alone.
 */
export async function withRequestSpecFacts(api: ApiDatabase, records: ServerRecord[]): Promise<void> {
  const wanted = records.filter((r) => r.source !== 'down' && r.extras?.imageProperties === undefined);
  if (wanted.length === 0) return;
  const uuids = wanted.map((r) => (r.source === 'down' ? r.partial.uuid : r.instance.uuid));
  const rows = await select<{ instance_uuid: string; spec: string }>(
    api,
    `SELECT instance_uuid, spec FROM request_specs WHERE instance_uuid IN (${inList(uuids.length)})`,
    uuids,
  );
  const specs = new Map(rows.map((r) => [r.instance_uuid, JSON.parse(r.spec) as RequestSpec]));
  for (const record of wanted) {
    const spec = specs.get(record.source === 'down' ? record.partial.uuid : record.instance.uuid);
    const hints = Object.entries(spec?.scheduler_hints ?? {}).map(([hint, value]) => [hint, Array.isArray(value) ? value : [value]]);
    record.extras = { ...record.extras, imageProperties: spec?.image.properties ?? {}, schedulerHints: Object.fromEntries(hints) as Record<string, unknown[]> };
  }
}
