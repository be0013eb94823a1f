import { randomUUID } from 'node:crypto';
import { Op, UniqueConstraintError } from 'sequelize';
import { countInstances } from '../../child-cell/db/index.js';
import {
  ConflictError,
  errorMessage,
  InvalidInputError,
  parseDatabaseUrl,
  parseTransportUrl,
  pingBus,
} from '../../ops/runtime/index.js';
import { probeDatabase } from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';
import { CELL0_NAME, CELL0_TRANSPORT_URL, CELL0_UUID, isCell0, toCellMapping, type CellMapping } from './mapping.js';
import type { CellRegistry } from './registry.js';

export interface CellSpec {
  name: string;
  transportUrl: string;
  databaseUrl: string;
  disabled?: boolean;
  uuid?: string;
}

export interface CellChange {
  cell: CellMapping;
  /** Things the operator should know that did not stop the change. */
  notes: string[];
}

/** Registers a child cell after checking its database server and its bus answer. */
export async function createCell(api: ApiDatabase, spec: CellSpec): Promise<CellChange> {
  const name = checkName(spec.name);
  if (name === CELL0_NAME) throw new InvalidInputError('the name cell0 is kept for cell0 (see `cellctl cell map-cell0`)');
  const uuid = spec.uuid ?? randomUUID();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(uuid)) {
    throw new InvalidInputError(`cell uuid "${uuid}" is not a UUID`);
  }
  await refuseDuplicate(api, name, uuid);
  const notes = await checkEndpoints(spec.databaseUrl, spec.transportUrl);
  const row = await insertCell(api, {
    uuid,
    name,
    transport_url: spec.transportUrl,
    database_url: spec.databaseUrl,
    disabled: spec.disabled ?? false,
  });
  return { cell: toCellMapping(row), notes };
}

/** Maps cell0, where unschedulable instances are buried. Idempotent; a new URL updates it. */
export async function mapCell0(api: ApiDatabase, databaseUrl: string): Promise<CellChange & { created: boolean }> {
  parseDatabaseUrl(databaseUrl);
  const notes = await checkEndpoints(databaseUrl, undefined);
  const existing = await api.models.CellMapping.findOne({ where: { uuid: CELL0_UUID } });
  if (existing) {
    if (existing.database_url !== databaseUrl) await existing.update({ database_url: databaseUrl });
    return { cell: toCellMapping(existing), notes, created: false };
  }
  const row = await insertCell(api, {
    uuid: CELL0_UUID,
    name: CELL0_NAME,
    transport_url: CELL0_TRANSPORT_URL,
    database_url: databaseUrl,
    disabled: false,
  });
  return { cell: toCellMapping(row), notes, created: true };
}

export interface CellUpdate {
  name?: string;
  transportUrl?: string;
  databaseUrl?: string;
}

/** Changes a cell's name or URLs; new URLs must answer before they are saved. */
export async function updateCell(api: ApiDatabase, registry: CellRegistry, key: string, update: CellUpdate): Promise<CellChange> {
  const cell = await registry.find(key);
  const changes: Record<string, string> = {};
  if (update.name !== undefined && update.name !== cell.name) {
    if (isCell0(cell)) throw new InvalidInputError('cell0 keeps its name');
    changes['name'] = checkName(update.name);
    await refuseDuplicate(api, changes['name'], undefined);
  }
  if (update.transportUrl !== undefined && isCell0(cell)) throw new InvalidInputError('cell0 has no transport URL');
  if (update.transportUrl !== undefined) changes['transport_url'] = update.transportUrl;
  if (update.databaseUrl !== undefined) changes['database_url'] = update.databaseUrl;
  if (Object.keys(changes).length === 0) throw new InvalidInputError('nothing to update: give --name, --transport-url or --database-url');
  const notes = await checkEndpoints(update.databaseUrl, update.transportUrl);
  const [count] = await api.models.CellMapping.update(changes, { where: { id: cell.id } });
  if (count !== 1) throw new ConflictError(`cell ${cell.name} changed while it was being updated`);
  return { cell: await registry.find(cell.uuid), notes };
}

/** A disabled cell keeps serving its instances but the scheduler sends it no new builds. */
export async function setCellDisabled(api: ApiDatabase, registry: CellRegistry, key: string, disabled: boolean): Promise<CellMapping> {
  const cell = await registry.find(key);
  if (isCell0(cell)) throw new InvalidInputError('cell0 takes no builds; it cannot be enabled or disabled');
  await api.models.CellMapping.update({ disabled }, { where: { id: cell.id } });
  return { ...cell, disabled };
}

export interface CellDeletion {
  cell: CellMapping;
  hostMappings: number;
  instanceMappings: number;
}

/** Removes a cell mapping. Refuses while the cell holds hosts or instances, unless forced. */
export async function deleteCell(api: ApiDatabase, registry: CellRegistry, key: string, force: boolean): Promise<CellDeletion> {
  const cell = await registry.find(key);
  const { HostMapping, InstanceMapping, CellMapping } = api.models;
  const [hostMappings, instanceMappings] = await Promise.all([
    HostMapping.count({ where: { cell_id: cell.id } }),
    InstanceMapping.count({ where: { cell_id: cell.id } }),
  ]);
  if (!force) {
    if (isCell0(cell)) throw new ConflictError('cell0 is needed by every deployment; use --force to delete it anyway');
    if (hostMappings > 0) throw new ConflictError(`cell ${cell.name} has ${hostMappings} mapped hosts; unmap them or use --force`);
    if (instanceMappings > 0) throw new ConflictError(`cell ${cell.name} has ${instanceMappings} instances; delete them or use --force`);
    const live = await registry.withCell(cell, ({ db }) => countInstances(db)).catch((err: unknown) => {
      throw new ConflictError(`${errorMessage(err)}, so its instances cannot be counted; use --force to delete anyway`);
    });
    if (live > 0) throw new ConflictError(`cell ${cell.name} database holds ${live} instances; use --force to delete anyway`);
  }
  await api.sequelize.transaction(async (transaction) => {
    await HostMapping.destroy({ where: { cell_id: cell.id }, transaction });
    await InstanceMapping.destroy({ where: { cell_id: cell.id }, transaction });
    await CellMapping.destroy({ where: { id: cell.id }, transaction });
  });
  return { cell, hostMappings, instanceMappings };
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 255 || trimmed !== name) {
    throw new InvalidInputError(`cell name "${name}" must be 1 to 255 characters without surrounding spaces`);
  }
  return trimmed;
}

async function refuseDuplicate(api: ApiDatabase, name: string, uuid: string | undefined): Promise<void> {
  const clash = await api.models.CellMapping.findOne({
    where: uuid === undefined ? { name } : { [Op.or]: [{ name }, { uuid }] },
  });
  if (clash) throw new ConflictError(`a cell named ${clash.name} (${clash.uuid}) already exists`);
}

/** Both endpoints must answer; a database that does not exist yet is only noted (db sync makes it). */
async function checkEndpoints(databaseUrl: string | undefined, transportUrl: string | undefined): Promise<string[]> {
  const notes: string[] = [];
  if (databaseUrl !== undefined) parseDatabaseUrl(databaseUrl);
  if (transportUrl !== undefined) parseTransportUrl(transportUrl);
  if (databaseUrl !== undefined) {
    const { exists } = await probeDatabase(databaseUrl);
    if (!exists) notes.push(`database ${parseDatabaseUrl(databaseUrl).database} does not exist yet; \`cellctl db sync --cells\` creates it`);
  }
  if (transportUrl !== undefined) await pingBus(transportUrl);
  return notes;
}

async function insertCell(
  api: ApiDatabase,
  values: { uuid: string; name: string; transport_url: string; database_url: string; disabled: boolean },
) {
  try {
    return await api.models.CellMapping.create(values);
  } catch (err) {
    if (err instanceof UniqueConstraintError) throw new ConflictError(`a cell named ${values.name} already exists`, { cause: err });
    throw err;
  }
}
