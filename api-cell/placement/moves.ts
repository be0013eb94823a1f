import type { Transaction } from 'sequelize';
import { execute, inList, retryDeadlocks, select, type Runner } from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';

async function bump(run: Runner, consumers: string[]): Promise<void> {
  const ids = await select<{ id: number }>(run, `SELECT DISTINCT resource_provider_id AS id FROM allocations WHERE consumer_id IN (${inList(consumers.length)})`, consumers);
  if (ids.length === 0) return;
  await execute(run, `UPDATE resource_providers SET generation = generation + 1, updated_at = NOW(6) WHERE id IN (${inList(ids.length)})`, ids.map((r) => r.id));
}

/**
 * Hands one consumer's allocations to another (an instance's to its migration when a move
 * starts, as Nova does, so the source stays held while the destination is claimed). When the
 * first holds nothing (handed over already, by an earlier run of the same step), the second
 * keeps what it has.
 */
export async function moveAllocations(api: ApiDatabase, from: string, to: string, projectId: string, userId: string, transaction?: Transaction): Promise<number> {
  const work = async (t: Transaction): Promise<number> => {
    const run: Runner = { sequelize: api.sequelize, transaction: t };
    const held = await select(run, 'SELECT 1 FROM allocations WHERE consumer_id = ? LIMIT 1 FOR UPDATE', [from]);
    if (held.length === 0) return 0;
    await bump(run, [from, to]);
    await execute(run, 'DELETE FROM allocations WHERE consumer_id = ?', [to]);
    const moved = await execute(run, 'UPDATE allocations SET consumer_id = ?, updated_at = NOW(6) WHERE consumer_id = ?', [to, from]);
    await execute(
      run,
      'INSERT INTO consumers (uuid, project_id, user_id, generation) VALUES (?, ?, ?, 1) ON DUPLICATE KEY UPDATE generation = generation + 1, updated_at = NOW(6)',
      [to, projectId, userId],
    );
    await execute(run, 'DELETE FROM consumers WHERE uuid = ?', [from]);
    return moved;
  };
  // Its own transaction runs again when MariaDB picks it as a deadlock victim.
  return transaction ? work(transaction) : retryDeadlocks(() => api.sequelize.transaction(work));
}
