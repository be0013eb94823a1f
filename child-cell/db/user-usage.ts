import { select } from '../../ops/runtime-db/index.js';
import type { CellDatabase } from './database.js';

/** The vCPUs and RAM one user's live instances of a project hold in this cell (per-user quota views). */
export async function userInstanceUsage(db: CellDatabase, projectId: string, userId: string): Promise<{ cores: number; ram: number }> {
  const [row] = await select<{ cores: number | string | null; ram: number | string | null }>(
    db,
    'SELECT SUM(vcpus) AS cores, SUM(memory_mb) AS ram FROM instances WHERE project_id = ? AND user_id = ? AND deleted = 0',
    [projectId, userId],
  );
  return { cores: Number(row?.cores ?? 0), ram: Number(row?.ram ?? 0) };
}
