import { ConflictError, NotFoundError } from '../../ops/runtime/index.js';
import { execute, placeholders, select } from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';
import { findFlavor, isDuplicateKey, type Flavor } from './store.js';

const notFound = (flavorid: string): NotFoundError => new NotFoundError(`Flavor ${flavorid} could not be found.`);

/** PUT /flavors/{id} (2.55): the description is the only thing a flavor lets change. */
export async function updateFlavorDescription(api: ApiDatabase, flavorid: string, description: string | null): Promise<Flavor> {
  const changed = await execute(api, 'UPDATE flavors SET description = ?, updated_at = NOW(6) WHERE flavorid = ?', [description, flavorid]);
  if (changed === 0) throw notFound(flavorid);
  return findFlavor(api, flavorid);
}

/** Deletes a flavor with its extra specs and access list; servers keep their copy of it. */
export async function deleteFlavor(api: ApiDatabase, flavorid: string): Promise<void> {
  const deleted = await execute(api, 'DELETE FROM flavors WHERE flavorid = ?', [flavorid]);
  if (deleted === 0) throw notFound(flavorid);
}

/** Adds or replaces extra specs, all in one statement. */
export async function setExtraSpecs(api: ApiDatabase, flavor: Flavor, specs: Record<string, string>): Promise<void> {
  const entries = Object.entries(specs);
  if (entries.length === 0) return;
  try {
    await execute(
      api,
      `INSERT INTO flavor_extra_specs (flavor_id, \`key\`, value) VALUES ${placeholders(entries.length, 3)}
       ON DUPLICATE KEY UPDATE value = VALUES(value), updated_at = NOW(6)`,
      entries.flatMap(([key, value]) => [flavor.id, key, value]),
    );
  } catch (err) {
    // The flavor went away between the read and the write (its foreign key fails).
    if ((err as { parent?: { errno?: number } }).parent?.errno === 1452) throw notFound(flavor.flavorid);
    throw err;
  }
}

export async function deleteExtraSpec(api: ApiDatabase, flavor: Flavor, key: string): Promise<void> {
  const deleted = await execute(api, 'DELETE FROM flavor_extra_specs WHERE flavor_id = ? AND `key` = ?', [flavor.id, key]);
  if (deleted === 0) throw new NotFoundError(`Flavor ${flavor.flavorid} has no extra specs with key ${key}.`);
}

export interface FlavorAccess {
  flavor_id: string;
  tenant_id: string;
}

/** The projects a private flavor is shared with. */
export async function flavorAccess(api: ApiDatabase, flavor: Flavor): Promise<FlavorAccess[]> {
  const rows = await select<{ project_id: string }>(api, 'SELECT project_id FROM flavor_projects WHERE flavor_id = ? ORDER BY id', [flavor.id]);
  return rows.map((r) => ({ flavor_id: flavor.flavorid, tenant_id: r.project_id }));
}

export async function addFlavorAccess(api: ApiDatabase, flavor: Flavor, projectId: string): Promise<FlavorAccess[]> {
  try {
    await execute(api, 'INSERT INTO flavor_projects (flavor_id, project_id) VALUES (?, ?)', [flavor.id, projectId]);
  } catch (err) {
    if (isDuplicateKey(err)) {
      throw new ConflictError(`Flavor access already exists for flavor ${flavor.flavorid} and project ${projectId} combination.`, { cause: err });
    }
    throw err;
  }
  return flavorAccess(api, flavor);
}

export async function removeFlavorAccess(api: ApiDatabase, flavor: Flavor, projectId: string): Promise<FlavorAccess[]> {
  const deleted = await execute(api, 'DELETE FROM flavor_projects WHERE flavor_id = ? AND project_id = ?', [flavor.id, projectId]);
  if (deleted === 0) throw new NotFoundError(`Flavor access not found for ${flavor.flavorid} / ${projectId} combination.`);
  return flavorAccess(api, flavor);
}
