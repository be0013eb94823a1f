import { randomUUID } from 'node:crypto';
import { ConflictError, InvalidInputError, NotFoundError } from '../../ops/runtime/index.js';
import { execute, select, type Runner } from '../../ops/runtime-db/index.js';
import { DEFAULT_TYPE, toType, TYPE_COLUMNS, type TypeRow, type VolumeType } from './records.js';

/** A volume type by id or by name, as Cinder's show takes either. */
export async function findType(run: Runner, idOrName: string, isAdmin = true): Promise<VolumeType> {
  const rows = await select<TypeRow>(run, `SELECT ${TYPE_COLUMNS} FROM volume_types WHERE (uuid = ? OR name = ?) AND deleted = 0 ORDER BY uuid = ? DESC`, [idOrName, idOrName, idOrName]);
  const row = rows[0];
  if (!row || (!isAdmin && !row.is_public)) throw new NotFoundError(`Volume type ${idOrName} could not be found.`);
  return toType(row);
}

export async function defaultType(run: Runner): Promise<VolumeType> {
  return findType(run, DEFAULT_TYPE);
}

export async function typesByUuid(run: Runner): Promise<Map<string, VolumeType>> {
  const rows = await select<TypeRow>(run, `SELECT ${TYPE_COLUMNS} FROM volume_types WHERE deleted = 0`);
  return new Map(rows.map((r) => [r.uuid, toType(r)]));
}

/** Public types for everyone; admins also see private ones (or only those `isPublic` asks for). */
export async function listTypes(run: Runner, isAdmin: boolean, isPublic?: boolean): Promise<VolumeType[]> {
  const where = ['deleted = 0'];
  const params: unknown[] = [];
  if (!isAdmin) where.push('is_public = 1');
  else if (isPublic !== undefined) {
    where.push('is_public = ?');
    params.push(isPublic);
  }
  return (await select<TypeRow>(run, `SELECT ${TYPE_COLUMNS} FROM volume_types WHERE ${where.join(' AND ')} ORDER BY name`, params)).map(toType);
}

export interface TypeSpec {
  name: string;
  description?: string | null | undefined;
  is_public?: boolean | undefined;
  extra_specs?: Record<string, string> | undefined;
}

export async function createType(run: Runner, spec: TypeSpec): Promise<VolumeType> {
  const clash = await select(run, 'SELECT 1 FROM volume_types WHERE name = ? AND deleted = 0', [spec.name]);
  if (clash.length > 0) throw new ConflictError(`Volume Type ${spec.name} already exists.`);
  const uuid = randomUUID();
  await execute(run, 'INSERT INTO volume_types (uuid, name, description, is_public, extra_specs) VALUES (?, ?, ?, ?, ?)', [
    uuid,
    spec.name,
    spec.description ?? null,
    spec.is_public ?? true,
    JSON.stringify(spec.extra_specs ?? {}),
  ]);
  return findType(run, uuid);
}

export async function updateType(run: Runner, uuid: string, changes: Partial<TypeSpec>): Promise<VolumeType> {
  const type = await findType(run, uuid);
  if (changes.name !== undefined && changes.name !== type.name) {
    if (type.name === DEFAULT_TYPE) throw new InvalidInputError('Invalid input received: The default volume type cannot be renamed.');
    const clash = await select(run, 'SELECT 1 FROM volume_types WHERE name = ? AND deleted = 0', [changes.name]);
    if (clash.length > 0) throw new ConflictError(`Volume Type ${changes.name} already exists.`);
  }
  await execute(run, 'UPDATE volume_types SET name = ?, description = ?, is_public = ?, extra_specs = ?, updated_at = NOW(6) WHERE uuid = ? AND deleted = 0', [
    changes.name ?? type.name,
    changes.description === undefined ? type.description : changes.description,
    changes.is_public ?? type.is_public,
    JSON.stringify(changes.extra_specs ?? type.extra_specs),
    type.uuid,
  ]);
  return findType(run, type.uuid);
}

/** Deletes a type no live volume uses; the default type stays. */
export async function deleteType(run: Runner, uuid: string): Promise<void> {
  const type = await findType(run, uuid);
  if (type.name === DEFAULT_TYPE) throw new InvalidInputError('Invalid input received: Default volume type can not be deleted.');
  const used = await select(run, 'SELECT 1 FROM volumes WHERE volume_type_uuid = ? AND deleted = 0 LIMIT 1', [type.uuid]);
  if (used.length > 0) throw new InvalidInputError(`Invalid input received: Target volume type ${type.uuid} is still in use.`);
  await execute(run, 'UPDATE volume_types SET deleted = id, deleted_at = NOW(6) WHERE uuid = ? AND deleted = 0', [type.uuid]);
}
