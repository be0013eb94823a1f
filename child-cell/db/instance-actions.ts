import { execute } from '../../ops/runtime-db/index.js';
import type { CellDatabase } from './database.js';
import type { CreateAction } from './instances.js';

/**
 * Records an action a user starts, with who started it, before any host adds its events: the
 * events' own inserts leave user and project empty, and a deleted server's history still names them.
 * Idempotent: the action of a request is recorded once.
 */
export async function startAction(db: CellDatabase, uuid: string, action: string, who: CreateAction): Promise<void> {
  await execute(
    db,
    'INSERT INTO instance_actions (action, instance_uuid, request_id, user_id, project_id, start_time) VALUES (?, ?, ?, ?, ?, NOW(6)) ON DUPLICATE KEY UPDATE user_id = COALESCE(user_id, VALUES(user_id)), project_id = COALESCE(project_id, VALUES(project_id))',
    [action, uuid, who.request_id, who.user_id, who.project_id],
  );
}
