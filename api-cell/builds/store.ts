import type { Transaction } from 'sequelize';
import { execute, inList, placeholders, retryDeadlocks, select, type Runner } from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';
import { freeAllocations } from '../placement/index.js';
import { readInstance, type Instance } from '../../child-cell/instance/index.js';
import type { Build, InstanceMapping, RequestSpec } from './types.js';

const inTx = (api: ApiDatabase, transaction?: Transaction): Runner => ({ sequelize: api.sequelize, transaction });

const buildRequestColumns = '(instance_uuid, project_id, user_id, instance, tags)';
const buildRequestValues = (i: Instance): unknown[] => [i.uuid, i.project_id, i.user_id, JSON.stringify(i), JSON.stringify(i.tags)];

/** Writes build requests, request specs and cell-less instance mappings for accepted servers. */
export async function persistBuilds(api: ApiDatabase, transaction: Transaction, builds: { instance: Instance; spec: RequestSpec }[]): Promise<void> {
  const run = inTx(api, transaction);
  const n = builds.length;
  await execute(
    run,
    `INSERT INTO build_requests ${buildRequestColumns} VALUES ${placeholders(n, 5)}`,
    builds.flatMap(({ instance }) => buildRequestValues(instance)),
  );
  await execute(
    run,
    `INSERT INTO request_specs (instance_uuid, spec) VALUES ${placeholders(n, 2)}`,
    builds.flatMap(({ spec }) => [spec.instance_uuid, JSON.stringify(spec)]),
  );
  await execute(
    run,
    `INSERT INTO instance_mappings (instance_uuid, cell_id, project_id, user_id) VALUES ${placeholders(n, 4)}`,
    builds.flatMap(({ instance: i }) => [i.uuid, null, i.project_id, i.user_id]),
  );
}

/** The builds still waiting for a cell, with their request specs. */
export async function loadBuilds(api: ApiDatabase, uuids: string[]): Promise<Build[]> {
  if (uuids.length === 0) return [];
  const rows = await select<{ instance: string; spec: string; created_at: Date }>(
    api,
    `SELECT b.instance, s.spec, b.created_at FROM build_requests b JOIN request_specs s ON s.instance_uuid = b.instance_uuid
      WHERE b.instance_uuid IN (${inList(uuids.length)})`,
    uuids,
  );
  return rows.map((r) => ({
    instance: readInstance(r.instance),
    spec: JSON.parse(r.spec) as RequestSpec,
    created_at: r.created_at,
  }));
}

export async function loadBuildInstance(api: ApiDatabase, uuid: string): Promise<(Instance & { created: Date }) | undefined> {
  const rows = await select<{ instance: string; created_at: Date }>(
    api,
    'SELECT instance, created_at FROM build_requests WHERE instance_uuid = ?',
    [uuid],
  );
  const row = rows[0];
  return row ? { ...readInstance(row.instance), created: row.created_at } : undefined;
}

/** The newest build requests (of one project when given), with when each was accepted. */
export async function recentBuilds(api: ApiDatabase, projectId: string | undefined, limit: number): Promise<{ instance: Instance; created_at: Date }[]> {
  const rows = await select<{ instance: string; created_at: Date }>(
    api,
    `SELECT instance, created_at FROM build_requests${projectId !== undefined ? ' WHERE project_id = ?' : ''} ORDER BY created_at DESC LIMIT ?`,
    projectId !== undefined ? [projectId, limit] : [limit],
  );
  return rows.map((r) => ({ instance: readInstance(r.instance), created_at: r.created_at }));
}

/** The request specs of these instances, by instance. */
export async function requestSpecsOf(api: ApiDatabase, uuids: string[]): Promise<Map<string, RequestSpec>> {
  if (uuids.length === 0) return new Map();
  const rows = await select<{ instance_uuid: string; spec: string }>(api, `SELECT instance_uuid, spec FROM request_specs WHERE instance_uuid IN (${inList(uuids.length)})`, uuids);
  return new Map(rows.map((r) => [r.instance_uuid, JSON.parse(r.spec) as RequestSpec]));
}

/** The live mappings of one cell (some uuids, or one project's), newest first, with their request specs when asked. */
export async function cellMappings(
  api: ApiDatabase,
  cellId: number,
  filter: { uuids?: string[]; projectId?: string },
  withSpecs: boolean,
): Promise<{ instance_uuid: string; project_id: string; user_id: string; created_at: Date; spec: RequestSpec | null }[]> {
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
  return rows.map((r) => ({ ...r, spec: r.spec ? (JSON.parse(r.spec) as RequestSpec) : null }));
}

interface MappingRow extends Omit<InstanceMapping, 'queued_for_delete'> {
  queued_for_delete: number | boolean;
}

export async function findMappings(api: ApiDatabase, uuids: string[], transaction?: Transaction): Promise<Map<string, InstanceMapping>> {
  if (uuids.length === 0) return new Map();
  const rows = await select<MappingRow>(
    inTx(api, transaction),
    `SELECT instance_uuid, cell_id, project_id, user_id, queued_for_delete FROM instance_mappings
      WHERE instance_uuid IN (${inList(uuids.length)})${transaction ? ' FOR UPDATE' : ''}`,
    uuids,
  );
  return new Map(rows.map((r) => [r.instance_uuid, { ...r, queued_for_delete: Boolean(r.queued_for_delete) }]));
}

export async function findMapping(api: ApiDatabase, uuid: string, transaction?: Transaction): Promise<InstanceMapping | undefined> {
  return (await findMappings(api, [uuid], transaction)).get(uuid);
}

export interface RouteResult {
  /** Build requests that were still there: now mapped to the cell. */
  routed: string[];
  /** Build requests deleted meanwhile: the user deleted those servers before they got a cell. */
  gone: string[];
  /**
   * Builds another run of the same job (a retry, a job taken twice) routed first: their
   * mapping names a cell already. They are that run's to finish; the row this run wrote for
   * them is a stray only when the cell differs.
   */
  routedElsewhere: { uuid: string; cellId: number }[];
}

/**
 * Moves builds into a cell in one transaction: the build requests still there are removed and
 * their mappings point at the cell. A missing build request either was deleted by the user
 * (its mapping went with it) or was routed by another run (its mapping names a cell); only the
 * first is gone. A deadlock victim is run again, so a busy API does not fail the build.
 */
export async function routeBuilds(api: ApiDatabase, cellId: number, uuids: string[]): Promise<RouteResult> {
  if (uuids.length === 0) return { routed: [], gone: [], routedElsewhere: [] };
  return retryDeadlocks(() => api.sequelize.transaction(async (transaction) => {
    const run = inTx(api, transaction);
    const present = await select<{ instance_uuid: string }>(
      run,
      `SELECT instance_uuid FROM build_requests WHERE instance_uuid IN (${inList(uuids.length)}) FOR UPDATE`,
      uuids,
    );
    const routed = present.map((p) => p.instance_uuid);
    if (routed.length > 0) {
      await execute(run, `DELETE FROM build_requests WHERE instance_uuid IN (${inList(routed.length)})`, routed);
      await execute(
        run,
        `UPDATE instance_mappings SET cell_id = ?, updated_at = NOW(6) WHERE instance_uuid IN (${inList(routed.length)})`,
        [cellId, ...routed],
      );
    }
    const kept = new Set(routed);
    const missing = uuids.filter((u) => !kept.has(u));
    const mappings = await findMappings(api, missing, transaction);
    const routedElsewhere = missing.flatMap((uuid) => {
      const cell = mappings.get(uuid)?.cell_id;
      return cell === null || cell === undefined ? [] : [{ uuid, cellId: Number(cell) }];
    });
    const elsewhere = new Set(routedElsewhere.map((r) => r.uuid));
    return { routed, gone: missing.filter((u) => !elsewhere.has(u)), routedElsewhere };
  }));
}

/** Deletes a build request and its mapping if the build has no cell yet; false when it is gone already. */
export async function deleteUnscheduled(api: ApiDatabase, transaction: Transaction, uuid: string): Promise<boolean> {
  const run = inTx(api, transaction);
  const removed = await execute(run, 'DELETE FROM build_requests WHERE instance_uuid = ?', [uuid]);
  if (removed === 0) return false;
  await execute(run, 'DELETE FROM instance_mappings WHERE instance_uuid = ? AND cell_id IS NULL', [uuid]);
  await execute(run, 'DELETE FROM request_specs WHERE instance_uuid = ?', [uuid]);
  return true;
}

/** Marks a mapped instance deleted; false when it was marked already (so quota is released once). */
export async function queueForDelete(api: ApiDatabase, transaction: Transaction, uuid: string): Promise<boolean> {
  const changed = await execute(
    inTx(api, transaction),
    'UPDATE instance_mappings SET queued_for_delete = 1, updated_at = NOW(6) WHERE instance_uuid = ? AND queued_for_delete = 0',
    [uuid],
  );
  return changed === 1;
}

/** Build requests older than `before`, oldest first, for the reaper. */
export async function staleBuilds(api: ApiDatabase, before: Date, limit: number): Promise<{ instance_uuid: string; reservation_id: string }[]> {
  const rows = await select<{ instance_uuid: string; instance: string }>(
    api,
    'SELECT instance_uuid, instance FROM build_requests WHERE created_at < ? ORDER BY created_at LIMIT ?',
    [before, limit],
  );
  return rows.map((r) => ({ instance_uuid: r.instance_uuid, reservation_id: readInstance(r.instance).reservation_id }));
}

/**
 * Puts builds that no host started back where the API keeps builds waiting for a cell, in one
 * transaction: the build request again (its request spec was kept), the allocation given back,
 * the mapping without a cell. Only builds still mapped to `cellId` and
 * not being deleted are taken; the uuids taken are returned.
 */
export async function returnBuilds(api: ApiDatabase, cellId: number, builds: { instance: Instance }[]): Promise<string[]> {
  if (builds.length === 0) return [];
  return retryDeadlocks(() => api.sequelize.transaction(async (transaction) => {
    const run = inTx(api, transaction);
    const mappings = await findMappings(api, builds.map((b) => b.instance.uuid), transaction);
    const ours = builds.filter((b) => {
      const m = mappings.get(b.instance.uuid);
      return m && Number(m.cell_id) === cellId && !m.queued_for_delete;
    });
    if (ours.length === 0) return [];
    const uuids = ours.map((b) => b.instance.uuid);
    const list = inList(uuids.length);
    await execute(
      run,
      `INSERT IGNORE INTO build_requests ${buildRequestColumns} VALUES ${placeholders(ours.length, 5)}`,
      ours.flatMap(({ instance }) => buildRequestValues(instance)),
    );
    await freeAllocations(api, uuids, transaction);
    await execute(run, `UPDATE instance_mappings SET cell_id = NULL, updated_at = NOW(6) WHERE instance_uuid IN (${list})`, uuids);
    return uuids;
  }));
}
