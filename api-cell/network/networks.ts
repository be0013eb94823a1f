import { randomUUID } from 'node:crypto';
import { execute, select, type Runner } from '../../ops/runtime-db/index.js';
import type { RequestContext } from '../context.js';
import { conflict, notFound } from './errors.js';
import { standardColumns, type ListSpec, type Scope } from './listing.js';
import { checkQuota } from './quotas.js';

export interface NetworkRow {
  id: string;
  project_id: string;
  name: string;
  description: string;
  admin_state_up: number;
  status: string;
  mtu: number;
  shared: number;
  router_external: number;
  is_default: number;
  port_security_enabled: number;
  revision_number: number;
  created_at: Date;
  updated_at: Date;
}

export const networkList: ListSpec = {
  table: 'networks',
  resource: 'network',
  columns: {
    ...standardColumns,
    name: { sql: 'name' },
    description: { sql: 'description' },
    status: { sql: 'status' },
    mtu: { sql: 'mtu', kind: 'int' },
    admin_state_up: { sql: 'admin_state_up', kind: 'bool' },
    shared: { sql: 'shared', kind: 'bool' },
    'router:external': { sql: 'router_external', kind: 'bool' },
    is_default: { sql: 'is_default', kind: 'bool' },
    port_security_enabled: { sql: 'port_security_enabled', kind: 'bool' },
  },
};

/** Neutron's default policy: a network is seen by its project, and by all when shared or external. */
export function networkScope(caller: RequestContext): Scope {
  if (caller.isAdmin) return { where: '', values: [] };
  return { where: '(project_id = ? OR shared = 1 OR router_external = 1)', values: [caller.projectId] };
}

export const canSeeNetwork = (caller: RequestContext, n: NetworkRow): boolean =>
  caller.isAdmin || n.project_id === caller.projectId || Boolean(n.shared) || Boolean(n.router_external);

export const ownsNetwork = (caller: RequestContext, n: NetworkRow): boolean => caller.isAdmin || n.project_id === caller.projectId;

export async function findNetworks(run: Runner, ids: string[]): Promise<NetworkRow[]> {
  if (ids.length === 0) return [];
  return select<NetworkRow>(run, `SELECT * FROM networks WHERE id IN (${ids.map(() => '?').join(', ')})`, ids);
}

/** The network, when the caller may see it; otherwise Neutron's 404 (others' networks are not found, not forbidden). */
export async function findNetwork(run: Runner, id: string, caller?: RequestContext): Promise<NetworkRow> {
  const [row] = await findNetworks(run, [id]);
  if (!row || (caller && !canSeeNetwork(caller, row))) throw notFound('NetworkNotFound', `Network ${id} could not be found.`);
  return row;
}

export type NetworkValues = Omit<NetworkRow, 'id' | 'status' | 'revision_number' | 'created_at' | 'updated_at'>;

export async function createNetwork(run: Runner, values: NetworkValues): Promise<string> {
  await checkQuota(run, 'network', new Map([[values.project_id, 1]]));
  const id = randomUUID();
  await execute(
    run,
    'INSERT INTO networks (id, project_id, name, description, admin_state_up, mtu, shared, router_external, is_default, port_security_enabled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [id, values.project_id, values.name, values.description, values.admin_state_up, values.mtu, values.shared, values.router_external, values.is_default, values.port_security_enabled],
  );
  return id;
}

/** Changes the given columns and counts a revision, as every Neutron update does (`changed`: something else of it changed). */
export async function updateRow(run: Runner, table: string, id: string, changes: Record<string, unknown>, changed = false): Promise<void> {
  const keys = Object.keys(changes);
  if (keys.length === 0 && !changed) return;
  const sets = [...keys.map((k) => `${k} = ?`), 'revision_number = revision_number + 1', 'updated_at = CURRENT_TIMESTAMP(6)'];
  await execute(run, `UPDATE ${table} SET ${sets.join(', ')} WHERE id = ?`, [...keys.map((k) => changes[k]), id]);
}

/** Deletes a network and its subnets; refused (409 NetworkInUse) while a port is on it. */
export async function deleteNetwork(run: Runner, id: string): Promise<void> {
  const ports = await select<{ id: string }>(run, 'SELECT id FROM ports WHERE network_id = ? LIMIT 1', [id]);
  if (ports[0]) throw conflict('NetworkInUse', `Unable to complete operation on network ${id}. There are one or more ports still in use on the network.`);
  await execute(run, 'DELETE FROM subnets WHERE network_id = ?', [id]);
  await execute(run, 'DELETE FROM networks WHERE id = ?', [id]);
}

/** Subnet ids per network, for the network view. */
export async function subnetIdsOf(run: Runner, networkIds: string[]): Promise<Map<string, string[]>> {
  const byNetwork = new Map<string, string[]>(networkIds.map((id) => [id, []]));
  if (networkIds.length === 0) return byNetwork;
  const rows = await select<{ id: string; network_id: string }>(run, `SELECT id, network_id FROM subnets WHERE network_id IN (${networkIds.map(() => '?').join(', ')}) ORDER BY created_at, id`, networkIds);
  for (const r of rows) byNetwork.get(r.network_id)?.push(r.id);
  return byNetwork;
}
