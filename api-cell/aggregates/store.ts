import { UniqueConstraintError } from 'sequelize';
import { ConflictError, InvalidInputError, NotFoundError } from '../../ops/runtime/index.js';
import { execute, inList, placeholders, select, type Runner } from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';

/** The metadata key that makes an aggregate an availability zone. */
export const ZONE_KEY = 'availability_zone';

/** A host aggregate with its hosts and metadata (Nova's Aggregate object). */
export interface Aggregate {
  id: number;
  uuid: string;
  name: string;
  availability_zone: string | null;
  hosts: string[];
  metadata: Record<string, string>;
  created_at: Date;
  updated_at: Date | null;
}

interface AggregateRow {
  id: number;
  uuid: string;
  name: string;
  created_at: Date;
  updated_at: Date | null;
}

export const aggregateNotFound = (id: number | string): NotFoundError => new NotFoundError(`Aggregate ${id} could not be found.`);

/** Aggregates (all, or the given ids) with their hosts and metadata: three statements. */
export async function loadAggregates(run: Runner, ids?: number[]): Promise<Aggregate[]> {
  if (ids?.length === 0) return [];
  const where = ids ? `WHERE id IN (${inList(ids.length)})` : '';
  const rows = await select<AggregateRow>(run, `SELECT id, uuid, name, created_at, updated_at FROM aggregates ${where} ORDER BY id`, ids ?? []);
  if (rows.length === 0) return [];
  const found = rows.map((r) => Number(r.id));
  const [hosts, metadata] = await Promise.all([
    select<{ aggregate_id: number; host: string }>(
      run,
      `SELECT aggregate_id, host FROM aggregate_hosts WHERE aggregate_id IN (${inList(found.length)}) ORDER BY id`,
      found,
    ),
    select<{ aggregate_id: number; key: string; value: string }>(
      run,
      `SELECT aggregate_id, \`key\`, value FROM aggregate_metadata WHERE aggregate_id IN (${inList(found.length)}) ORDER BY id`,
      found,
    ),
  ]);
  const byId = new Map<number, Aggregate>(
    rows.map((r) => [Number(r.id), { ...r, id: Number(r.id), availability_zone: null, hosts: [], metadata: {} }]),
  );
  for (const h of hosts) byId.get(Number(h.aggregate_id))?.hosts.push(h.host);
  for (const m of metadata) {
    const aggregate = byId.get(Number(m.aggregate_id));
    if (!aggregate) continue;
    aggregate.metadata[m.key] = m.value;
    if (m.key === ZONE_KEY) aggregate.availability_zone = m.value;
  }
  return [...byId.values()];
}

export async function getAggregate(run: Runner, id: number): Promise<Aggregate> {
  const [aggregate] = await loadAggregates(run, [id]);
  if (!aggregate) throw aggregateNotFound(id);
  return aggregate;
}

/** Locks an aggregate's row for the rest of the transaction (changes to one aggregate go one at a time). */
export async function lockAggregate(run: Runner, id: number): Promise<void> {
  const rows = await select(run, 'SELECT id FROM aggregates WHERE id = ? FOR UPDATE', [id]);
  if (rows.length === 0) throw aggregateNotFound(id);
}

async function nameTaken(run: Runner, name: string, except?: number): Promise<boolean> {
  const rows = await select(run, 'SELECT id FROM aggregates WHERE name = ? AND id <> ?', [name, except ?? 0]);
  return rows.length > 0;
}

const nameExists = (name: string): ConflictError => new ConflictError(`Aggregate ${name} already exists.`);

async function uniqueName<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof UniqueConstraintError) throw nameExists(name);
    throw err;
  }
}

/** Creates an aggregate, and makes it an availability zone when `zone` is given. */
export async function createAggregate(api: ApiDatabase, name: string, zone: string | null): Promise<Aggregate> {
  const id = await uniqueName(name, () =>
    api.sequelize.transaction(async (transaction) => {
      const run = { sequelize: api.sequelize, transaction };
      if (await nameTaken(run, name)) throw nameExists(name);
      await execute(run, 'INSERT INTO aggregates (uuid, name) VALUES (UUID(), ?)', [name]);
      const [row] = await select<{ id: number }>(run, 'SELECT id FROM aggregates WHERE name = ?', [name]);
      const created = Number(row?.id);
      if (zone) await execute(run, 'INSERT INTO aggregate_metadata (aggregate_id, `key`, value) VALUES (?, ?, ?)', [created, ZONE_KEY, zone]);
      return created;
    }),
  );
  return getAggregate(api, id);
}

/** Renames an aggregate inside the caller's transaction. */
export async function renameAggregate(run: Runner, id: number, name: string): Promise<void> {
  if (await nameTaken(run, name, id)) throw nameExists(name);
  await uniqueName(name, () => execute(run, 'UPDATE aggregates SET name = ?, updated_at = NOW(6) WHERE id = ?', [name, id]));
}

/** Sets (string) or removes (null) metadata keys inside the caller's transaction. */
export async function writeMetadata(run: Runner, id: number, metadata: Record<string, string | null>): Promise<void> {
  const set = Object.entries(metadata).filter((e): e is [string, string] => e[1] !== null);
  const removed = Object.entries(metadata).filter(([, v]) => v === null).map(([k]) => k);
  if (removed.length > 0) {
    await execute(run, `DELETE FROM aggregate_metadata WHERE aggregate_id = ? AND \`key\` IN (${inList(removed.length)})`, [id, ...removed]);
  }
  if (set.length > 0) {
    await execute(
      run,
      `INSERT INTO aggregate_metadata (aggregate_id, \`key\`, value) VALUES ${placeholders(set.length, 3)}
       ON DUPLICATE KEY UPDATE value = VALUES(value), updated_at = NOW(6)`,
      set.flatMap(([k, v]) => [id, k, v]),
    );
  }
  await execute(run, 'UPDATE aggregates SET updated_at = NOW(6) WHERE id = ?', [id]);
}

export async function addAggregateHost(run: Runner, id: number, host: string): Promise<void> {
  await execute(run, 'INSERT INTO aggregate_hosts (aggregate_id, host) VALUES (?, ?)', [id, host]);
  await execute(run, 'UPDATE aggregates SET updated_at = NOW(6) WHERE id = ?', [id]);
}

export async function removeAggregateHost(run: Runner, id: number, host: string): Promise<void> {
  await execute(run, 'DELETE FROM aggregate_hosts WHERE aggregate_id = ? AND host = ?', [id, host]);
  await execute(run, 'UPDATE aggregates SET updated_at = NOW(6) WHERE id = ?', [id]);
}

/** Deletes an empty aggregate (Nova refuses while it has hosts, with a 400). */
export async function deleteAggregate(api: ApiDatabase, id: number): Promise<void> {
  await api.sequelize.transaction(async (transaction) => {
    const run = { sequelize: api.sequelize, transaction };
    await lockAggregate(run, id);
    const hosts = await select(run, 'SELECT 1 FROM aggregate_hosts WHERE aggregate_id = ? LIMIT 1', [id]);
    if (hosts.length > 0) throw new InvalidInputError(invalidAction('remove', id, 'Host aggregate is not empty'));
    await execute(run, 'DELETE FROM aggregates WHERE id = ?', [id]);
  });
}

const actions = {
  add: 'Cannot add host to aggregate',
  remove: 'Cannot remove host from aggregate',
  update: 'Cannot update aggregate',
  metadata: 'Cannot update metadata of aggregate',
} as const;

/** Nova's InvalidAggregateAction* messages; the caller picks the status (400 or 409, as Nova does per call). */
export function invalidAction(action: keyof typeof actions, id: number, reason: string): string {
  return `${actions[action]} ${id}. Reason: ${reason}.`;
}
