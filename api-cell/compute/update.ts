import { findMapping, loadBuildInstance } from '../builds/index.js';
import type { RequestContext } from '../context.js';
import { editInstance } from '../../child-cell/db/index.js';
import { execute } from '../../ops/runtime-db/index.js';
import { canonicalIpv6, hostnameFor } from './names.js';
import { getServer, notFound, type ShowDeps } from './show.js';

export interface ServerChanges {
  name?: string;
  description?: string | null;
  hostname?: string;
  accessIPv4?: string;
  accessIPv6?: string;
  'OS-DCF:diskConfig'?: 'AUTO' | 'MANUAL';
}

const columnOf: Record<keyof ServerChanges, string> = {
  name: 'display_name',
  description: 'display_description',
  hostname: 'hostname',
  accessIPv4: 'access_ip_v4',
  accessIPv6: 'access_ip_v6',
  'OS-DCF:diskConfig': 'auto_disk_config',
};

/** A change as its column holds it: the disk config as a flag, IPv6 in its canonical form. */
function columnValue(changes: ServerChanges, key: keyof ServerChanges): unknown {
  if (key === 'OS-DCF:diskConfig') return changes[key] === 'AUTO';
  if (key === 'accessIPv6' && changes.accessIPv6) return canonicalIpv6(changes.accessIPv6);
  return changes[key];
}

/** PUT /servers/{id}: renames and the like, in the cell, or in the build request while it has none. */
export async function updateServer(deps: ShowDeps, context: RequestContext, uuid: string, changes: ServerChanges): Promise<void> {
  const keys = (Object.keys(changes) as (keyof ServerChanges)[]).filter((k) => changes[k] !== undefined);
  const record = await getServer(deps, context, uuid);
  if (keys.length === 0) return;
  if (record.source === 'build') {
    const build = await loadBuildInstance(deps.api, uuid);
    if (!build) throw notFound(uuid);
    const { created: _created, ...instance } = build;
    if (changes.name !== undefined) instance.display_name = changes.name;
    if (changes.description !== undefined) instance.display_description = changes.description;
    if (changes.hostname !== undefined) instance.hostname = changes.hostname;
    if (changes.accessIPv4 !== undefined) instance.access_ip_v4 = changes.accessIPv4;
    if (changes.accessIPv6 !== undefined) instance.access_ip_v6 = changes.accessIPv6 ? canonicalIpv6(changes.accessIPv6) : null;
    if (changes['OS-DCF:diskConfig'] !== undefined) instance.auto_disk_config = changes['OS-DCF:diskConfig'] === 'AUTO';
    const changed = await execute(deps.api, 'UPDATE build_requests SET instance = ?, updated_at = NOW(6) WHERE instance_uuid = ?', [JSON.stringify(instance), uuid]);
    // Scheduled meanwhile: apply it in the cell instead.
    if (changed === 0 && (await findMapping(deps.api, uuid))?.cell_id) await updateServer(deps, context, uuid, changes);
    return;
  }
  if (record.source !== 'cell') return;
  const values: Record<string, unknown> = Object.fromEntries(keys.map((k) => [columnOf[k], columnValue(changes, k)]));
  // Nova derives the hostname from a new name unless one is given (before 2.90 it always did).
  if (changes.name !== undefined && changes.hostname === undefined) values['hostname'] = hostnameFor(changes.name);
  await deps.registry.withCell(record.cell, ({ db }) => editInstance(db, uuid, values));
}
