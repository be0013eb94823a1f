import { execute, inList, placeholders, select } from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';

/** Whose tokens a revocation event ends: a user's, a project's, or a user's in one project. */
export interface RevocationSubject {
  userId?: string | undefined;
  projectId?: string | undefined;
}

export interface RevocationEvent {
  user_id: string | null;
  project_id: string | null;
  issued_before: Date;
  created_at: Date;
}

/** Remembers a revoked token until it would have expired anyway. */
export async function revokeToken(api: ApiDatabase, auditId: string, expiresAt: number): Promise<void> {
  await execute(api, 'INSERT IGNORE INTO revoked_tokens (audit_id, expires_at) VALUES (?, ?)', [auditId, new Date(expiresAt)]);
}

export async function revokedSince(api: ApiDatabase, since: Date): Promise<{ audit_id: string; created_at: Date }[]> {
  return select(api, 'SELECT audit_id, created_at FROM revoked_tokens WHERE created_at >= ? AND expires_at > NOW(6)', [since]);
}

/**
 * Ends every token issued so far to these subjects, as Keystone does when a user is deleted,
 * disabled or changes password, a project is deleted or disabled, or a role is taken away.
 */
export async function revokeTokensOf(api: ApiDatabase, subjects: RevocationSubject[]): Promise<void> {
  const wanted = subjects.filter((s) => s.userId || s.projectId);
  if (wanted.length === 0) return;
  const now = new Date();
  await execute(
    api,
    `INSERT INTO revocation_events (user_id, project_id, issued_before) VALUES ${placeholders(wanted.length, 3)}`,
    wanted.flatMap((s) => [s.userId ?? null, s.projectId ?? null, now]),
  );
}

/** Ends the tokens of the members of these groups (in a project, when given). */
export async function revokeTokensOfGroups(api: ApiDatabase, groupIds: string[], projectId?: string): Promise<void> {
  if (groupIds.length === 0) return;
  const members = await select<{ user_id: string }>(api, `SELECT DISTINCT user_id FROM group_members WHERE group_id IN (${inList(groupIds.length)})`, groupIds);
  await revokeTokensOf(api, members.map((m) => ({ userId: m.user_id, projectId })));
}

/** Events recorded since a time that can still matter to a token issued after `oldestToken`. */
export async function revocationEventsSince(api: ApiDatabase, since: Date, oldestToken: Date): Promise<RevocationEvent[]> {
  return select(api, 'SELECT user_id, project_id, issued_before, created_at FROM revocation_events WHERE created_at >= ? AND issued_before >= ?', [since, oldestToken]);
}

/** Forgets revocations no live token can be affected by: revoked tokens past their expiry, events older than any token. */
export async function pruneRevocations(api: ApiDatabase, oldestToken: Date): Promise<void> {
  await execute(api, 'DELETE FROM revoked_tokens WHERE expires_at < NOW(6)');
  await execute(api, 'DELETE FROM revocation_events WHERE issued_before < ?', [oldestToken]);
}
