import { countInstancesByHost } from '../../child-cell/db/index.js';
import { ConflictError, InvalidInputError, NotFoundError, UnavailableError } from '../../ops/runtime/index.js';
import { inList, select, type Runner } from '../../ops/runtime-db/index.js';
import type { CellRegistry } from '../cells/index.js';
import type { ApiDatabase } from '../db/index.js';
import {
  addAggregateHost,
  getAggregate,
  invalidAction,
  lockAggregate,
  removeAggregateHost,
  renameAggregate,
  writeMetadata,
  ZONE_KEY,
  type Aggregate,
} from './store.js';
import { conflictingZones, hostZones, pythonList } from './zones.js';

export interface AggregateDeps {
  api: ApiDatabase;
  registry: CellRegistry;
}

type Action = 'add' | 'update' | 'metadata';

/** Runs `fn` in an API-database transaction with the aggregate's row locked; returns the aggregate as it ends up. */
async function changing(deps: AggregateDeps, id: number, fn: (run: Runner, aggregate: Aggregate) => Promise<void>): Promise<Aggregate> {
  await deps.api.sequelize.transaction(async (transaction) => {
    const run = { sequelize: deps.api.sequelize, transaction };
    await lockAggregate(run, id);
    await fn(run, await getAggregate(run, id));
  });
  return getAggregate(deps.api, id);
}

/** Where hosts live: host -> cell id, from the host mappings (exact names only). */
async function hostCells(run: Runner, hosts: string[]): Promise<Map<string, number>> {
  if (hosts.length === 0) return new Map();
  const rows = await select<{ host: string; cell_id: number }>(run, `SELECT host, cell_id FROM host_mappings WHERE host IN (${inList(hosts.length)})`, hosts);
  return new Map(rows.filter((r) => hosts.includes(r.host)).map((r) => [r.host, Number(r.cell_id)]));
}

/** Live instances on the given hosts, asking only their cells; a cell that does not answer fails the check. */
async function instancesOn(deps: AggregateDeps, run: Runner, hosts: string[]): Promise<Map<string, number>> {
  const cellOf = await hostCells(run, hosts);
  const cellIds = new Set(cellOf.values());
  const cells = (await deps.registry.list()).filter((c) => cellIds.has(c.id));
  const answers = await deps.registry.scatterGather(cells, ({ cell, db }) =>
    countInstancesByHost(db, hosts.filter((h) => cellOf.get(h) === cell.id)),
  );
  const counts = new Map<string, number>();
  for (const answer of answers) {
    if (answer.status !== 'ok') throw new UnavailableError(`cell ${answer.cell.name} did not answer; its hosts' instances cannot be checked now`);
    for (const [host, n] of answer.value) counts.set(host, n);
  }
  return counts;
}

/**
 * Nova's is_safe_to_update_az: a zone must have a name, the hosts may not sit in another zone,
 * and (when asked) no host may hold instances whose zone would change.
 */
async function checkZoneChange(
  deps: AggregateDeps,
  run: Runner,
  change: { metadata: Record<string, string | null>; aggregate: Aggregate; hosts?: string[]; action: Action; checkInstances: boolean },
): Promise<void> {
  const { metadata, aggregate, action } = change;
  if (!(ZONE_KEY in metadata)) return;
  const fail = (reason: string) => {
    const message = invalidAction(action, aggregate.id, reason);
    return action === 'add' ? new ConflictError(message) : new InvalidInputError(message);
  };
  const zone = metadata[ZONE_KEY];
  if (!zone) throw fail(`Aggregate ${aggregate.name} does not support empty named availability zone`);
  const hosts = change.hosts ?? aggregate.hosts;
  const conflicts = await conflictingZones(run, hosts, zone, aggregate.id);
  if (conflicts.length > 0) throw fail(`One or more hosts already in availability zone(s) ${pythonList(conflicts)}`);
  if (change.checkInstances && aggregate.availability_zone !== zone) {
    const counts = await instancesOn(deps, run, hosts);
    if ([...counts.values()].some((n) => n > 0)) throw fail('One or more hosts contain instances in this zone');
  }
}

export async function updateAggregate(deps: AggregateDeps, id: number, updates: { name?: string; availability_zone?: string | null }): Promise<Aggregate> {
  return changing(deps, id, async (run, aggregate) => {
    if (updates.name !== undefined) await renameAggregate(run, id, updates.name);
    if (!('availability_zone' in updates)) return;
    const metadata = { [ZONE_KEY]: updates.availability_zone ?? null };
    await checkZoneChange(deps, run, { metadata, aggregate, action: 'update', checkInstances: true });
    await writeMetadata(run, id, metadata);
  });
}

/** Nova's set_metadata: keys with a value are set, keys with null removed, others kept. */
export async function setAggregateMetadata(deps: AggregateDeps, id: number, metadata: Record<string, string | null>): Promise<Aggregate> {
  return changing(deps, id, async (run, aggregate) => {
    await checkZoneChange(deps, run, { metadata, aggregate, action: 'metadata', checkInstances: true });
    await writeMetadata(run, id, metadata);
  });
}

const notMapped = (host: string): NotFoundError => new NotFoundError(`Host '${host}' is not mapped to any cell`);

/** Instances on a host would change zone if it joined or left: Nova refuses, as moving them between zones is another operation. */
function zoneMoveRefused(verb: 'added to' | 'removed from', from: string | null, to: string | null, instances: number): string {
  return (
    `The host cannot be ${verb} the aggregate as the availability zone of the host would change from '${from ?? 'None'}' ` +
    `to '${to ?? 'None'}' but the host already has ${instances} instance(s). Changing the AZ of an existing instance is not ` +
    'supported by this action. Move the instances away from this host then try again. If you need to move the instances ' +
    'between AZs then you can use shelve_offload and unshelve to achieve this.'
  );
}

export async function addHostToAggregate(deps: AggregateDeps, id: number, host: string): Promise<Aggregate> {
  if (!(await hostCells(deps.api, [host])).has(host)) throw notMapped(host);
  return changing(deps, id, async (run, aggregate) => {
    if (aggregate.hosts.includes(host)) throw new ConflictError(`Aggregate ${id} already has host ${host}.`);
    await checkZoneChange(deps, run, { metadata: aggregate.metadata, aggregate, hosts: [host], action: 'add', checkInstances: false });
    const zone = aggregate.availability_zone;
    if (zone !== null) {
      const instances = (await instancesOn(deps, run, [host])).get(host) ?? 0;
      const current = (await hostZones(run, [host])).get(host)?.[0] ?? null;
      if (instances > 0 && current !== zone) throw new ConflictError(invalidAction('add', id, zoneMoveRefused('added to', current, zone, instances)));
    }
    await addAggregateHost(run, id, host);
  });
}

export async function removeHostFromAggregate(deps: AggregateDeps, id: number, host: string): Promise<Aggregate> {
  if (!(await hostCells(deps.api, [host])).has(host)) throw notMapped(host);
  return changing(deps, id, async (run, aggregate) => {
    const zone = aggregate.availability_zone;
    if (zone !== null) {
      const instances = (await instancesOn(deps, run, [host])).get(host) ?? 0;
      const others = await select<{ zone: string }>(
        run,
        `SELECT am.value AS zone FROM aggregate_metadata am JOIN aggregate_hosts ah ON ah.aggregate_id = am.aggregate_id
          WHERE am.\`key\` = ? AND ah.host = ? AND am.aggregate_id <> ? LIMIT 1`,
        [ZONE_KEY, host, id],
      );
      const after = others[0]?.zone ?? null;
      if (instances > 0 && after !== zone) throw new ConflictError(invalidAction('remove', id, zoneMoveRefused('removed from', zone, after, instances)));
    }
    if (!aggregate.hosts.includes(host)) throw new NotFoundError(`Cannot remove host ${host} in aggregate ${id}`);
    await removeAggregateHost(run, id, host);
  });
}
