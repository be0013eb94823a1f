import type { Transaction } from 'sequelize';
import type { ApiDatabase } from '../db/index.js';
import type { GroupSpec } from '../builds/index.js';
import { InvalidInputError, QuotaExceededError } from '../../ops/runtime/index.js';
import { execute, inList, select, type Runner } from '../../ops/runtime-db/index.js';

/** Members each locked group holds, as counted under the lock; admitted members are added as they go. */
export type GroupMemberCounts = Map<number, number>;

/**
 * Locks the groups new members are about to join (their rows, in id order, so two batches
 * cannot deadlock) and counts their members. Call it inside the transaction that inserts them.
 */
export async function lockGroupMembers(run: Runner & { transaction: Transaction }, groupIds: number[]): Promise<GroupMemberCounts> {
  const ids = [...new Set(groupIds)].sort((a, b) => a - b);
  const counts: GroupMemberCounts = new Map();
  if (ids.length === 0) return counts;
  const locked = await select<{ id: number }>(run, `SELECT id FROM instance_groups WHERE id IN (${inList(ids.length)}) ORDER BY id FOR UPDATE`, ids);
  for (const row of locked) counts.set(Number(row.id), 0);
  const rows = await select<{ group_id: number; n: number }>(
    run,
    `SELECT group_id, COUNT(*) AS n FROM instance_group_member WHERE group_id IN (${inList(ids.length)}) GROUP BY group_id`,
    ids,
  );
  for (const row of rows) counts.set(Number(row.group_id), Number(row.n));
  return counts;
}

/**
 * Admits `count` new members into a locked group within the project's `server_group_members`
 * quota, or throws Nova's 403 for the whole request (a group deleted meanwhile is a 400).
 */
export function admitMembers(counts: GroupMemberCounts, group: { id: number; uuid: string }, count: number, limits: Record<string, number>): void {
  const held = counts.get(group.id);
  if (held === undefined) throw new InvalidInputError(`Invalid server group ${group.uuid}.`);
  const limit = limits['server_group_members'] ?? -1;
  if (limit >= 0 && held + count > limit) throw new QuotaExceededError('Quota exceeded, too many servers in group');
  counts.set(group.id, held + count);
}

/** Takes deleted servers out of their groups (inside the caller's transaction). */
export async function removeGroupMembers(run: Runner, instanceUuids: string[]): Promise<void> {
  if (instanceUuids.length === 0) return;
  await execute(run, `DELETE FROM instance_group_member WHERE instance_uuid IN (${inList(instanceUuids.length)})`, instanceUuids);
}

/** The groups each server is in (Nova shows at most one), in one query: for the 2.71 server view. */
export async function groupsOf(api: ApiDatabase, instanceUuids: string[]): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>(instanceUuids.map((u) => [u, []]));
  if (instanceUuids.length === 0) return result;
  const rows = await select<{ instance_uuid: string; uuid: string }>(
    api,
    `SELECT m.instance_uuid, g.uuid FROM instance_group_member m JOIN instance_groups g ON g.id = m.group_id
      WHERE m.instance_uuid IN (${inList(instanceUuids.length)}) ORDER BY m.id`,
    instanceUuids,
  );
  for (const row of rows) result.get(row.instance_uuid)?.push(row.uuid);
  return result;
}

/** The group a server is in, as the scheduler takes it (a move honours the policy its boot did). */
export async function groupSpecOf(api: ApiDatabase, instanceUuid: string): Promise<GroupSpec | null> {
  const rows = await select<{ uuid: string; policy: string; rules: string | null }>(
    api,
    `SELECT g.uuid, g.policy, g.rules FROM instance_group_member m JOIN instance_groups g ON g.id = m.group_id
      WHERE m.instance_uuid = ? ORDER BY m.id LIMIT 1`,
    [instanceUuid],
  );
  const row = rows[0];
  return row ? { uuid: row.uuid, policy: row.policy, rules: row.rules ? (JSON.parse(row.rules) as Record<string, number>) : {} } : null;
}
