import { select } from '../../ops/runtime-db/index.js';
import type { CellDatabase } from './database.js';

/** What a usage report needs of an instance (deleted ones included). */
export interface UsageInstance {
  uuid: string;
  display_name: string | null;
  project_id: string;
  vm_state: string;
  flavor_name: string | null;
  vcpus: number;
  memory_mb: number;
  root_gb: number;
  ephemeral_gb: number;
  launched_at: Date;
  terminated_at: Date | null;
}

export interface UsageWindow {
  start: Date;
  stop: Date;
  /** Only this project's instances, when given. */
  projectId?: string;
  /** Resume after this (project_id, uuid) position: the page order. */
  after?: { projectId: string; uuid: string };
  limit: number;
}

/**
 * Instances that ran during [start, stop): launched before stop and not terminated by start,
 * deleted or not, in (project_id, uuid) order (Nova's instance_get_active_by_window_joined).
 */
export async function instancesActiveInWindow(db: CellDatabase, window: UsageWindow): Promise<UsageInstance[]> {
  const where = ['(terminated_at IS NULL OR terminated_at > ?)', 'launched_at < ?'];
  const params: unknown[] = [window.start, window.stop];
  if (window.projectId !== undefined) {
    where.push('project_id = ?');
    params.push(window.projectId);
  }
  if (window.after) {
    where.push('(project_id > ? OR (project_id = ? AND uuid > ?))');
    params.push(window.after.projectId, window.after.projectId, window.after.uuid);
  }
  const rows = await select<UsageInstance>(
    db,
    `SELECT uuid, display_name, project_id, vm_state, JSON_UNQUOTE(JSON_EXTRACT(flavor, '$.name')) AS flavor_name,
            vcpus, memory_mb, root_gb, ephemeral_gb, launched_at, terminated_at
       FROM instances WHERE ${where.join(' AND ')} ORDER BY project_id, uuid LIMIT ?`,
    [...params, window.limit],
  );
  return rows.map((r) => ({
    ...r,
    vcpus: Number(r.vcpus),
    memory_mb: Number(r.memory_mb),
    root_gb: Number(r.root_gb),
    ephemeral_gb: Number(r.ephemeral_gb),
    launched_at: new Date(r.launched_at),
    terminated_at: r.terminated_at ? new Date(r.terminated_at) : null,
  }));
}
